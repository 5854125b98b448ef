"""The middleware applies settings rules to requests, under WSGI and ASGI."""

from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client, override_settings

from prodready.events import AuditEvent
from prodready_security.ratelimit.middleware import RateLimitMiddleware

pytestmark = pytest.mark.urls("tests.ratelimit_support")

API = {"name": "api", "paths": ["/api/"], "rate": "3/h"}
HELLO = {"name": "hello", "url_names": ["hello"], "rate": "2/h"}
STYLESHEET = '<link rel="stylesheet" href="/static/prodready/css/prodready.css">'


@pytest.fixture(autouse=True)
def fresh_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def statuses(client: Client, path: str, times: int, **extra: Any) -> list[int]:
    return [client.get(path, **extra).status_code for _ in range(times)]


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_blocks_past_the_limit_with_429_and_retry_after(client: Client) -> None:
    assert statuses(client, "/api/items/", 3) == [200, 200, 200]
    response = client.get("/api/items/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response["Content-Type"].startswith("text/html")
    assert "Too many requests" in response.content.decode()
    # Styled by core's stylesheet, not an inline <style> a strict CSP would refuse.
    assert STYLESHEET in response.content.decode()


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_json_for_clients_that_prefer_it(client: Client) -> None:
    statuses(client, "/api/items/", 3)
    response = client.get("/api/items/", headers={"accept": "application/json"})
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "rate_limited"
    assert body["retry_after"] == int(response["Retry-After"])
    html = client.get("/api/items/", headers={"accept": "text/html,*/*"})
    assert html["Content-Type"].startswith("text/html")


@override_settings(PRODREADY_RATELIMIT_RULES=[{**API, "api": True}])
def test_json_always_for_an_api_rule(client: Client) -> None:
    statuses(client, "/api/items/", 3)
    response = client.get("/api/items/", headers={"accept": "text/html"})
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_a_path_rule_leaves_other_paths_alone(client: Client) -> None:
    statuses(client, "/api/items/", 4)
    assert statuses(client, "/pages/hello/", 5) == [200] * 5
    # Paths that resolve to nothing are counted too (scanners).
    cache.clear()
    assert statuses(client, "/api/missing/", 4) == [404, 404, 404, 429]


@override_settings(PRODREADY_RATELIMIT_RULES=[{**API, "methods": ["POST"]}])
def test_methods_filter(client: Client) -> None:
    assert statuses(client, "/api/items/", 5) == [200] * 5
    posts = [client.post("/api/items/").status_code for _ in range(4)]
    assert posts == [200, 200, 200, 429]


@override_settings(PRODREADY_RATELIMIT_RULES=[HELLO])
def test_a_url_name_rule(client: Client) -> None:
    assert statuses(client, "/pages/hello/", 3) == [200, 200, 429]
    assert statuses(client, "/api/items/", 3) == [200] * 3


@override_settings(PRODREADY_RATELIMIT_RULES=[{**HELLO, "paths": ["/pages/"]}])
def test_a_rule_matching_by_path_and_name_counts_once(client: Client) -> None:
    assert statuses(client, "/pages/hello/", 3) == [200, 200, 429]


@override_settings(PRODREADY_RATELIMIT_RULES=[API, {**HELLO, "paths": ["/api/"], "rate": "5/h"}])
def test_the_first_exceeded_rule_refuses(client: Client) -> None:
    assert statuses(client, "/api/items/", 4) == [200, 200, 200, 429]


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_each_address_has_its_own_counter(client: Client) -> None:
    assert statuses(client, "/api/items/", 4, REMOTE_ADDR="198.51.100.1")[-1] == 429
    assert statuses(client, "/api/items/", 3, REMOTE_ADDR="198.51.100.2") == [200] * 3


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_an_ipv6_client_is_counted_by_its_64(client: Client) -> None:
    for host in range(1, 4):
        assert client.get("/api/items/", REMOTE_ADDR=f"2001:db8::{host}").status_code == 200
    assert client.get("/api/items/", REMOTE_ADDR="2001:db8::ffff").status_code == 429
    assert client.get("/api/items/", REMOTE_ADDR="2001:db8:1::1").status_code == 200


@override_settings(PRODREADY_RATELIMIT_RULES=[API], PRODREADY_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_spoofed_forwarding_header_does_not_change_the_key(client: Client) -> None:
    # From an untrusted peer, X-Forwarded-For is ignored: a fresh one per request
    # must not buy a fresh counter.
    spoofed = [
        client.get(
            "/api/items/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(5)
    ]
    assert spoofed == [200, 200, 200, 429, 429]
    # Through a trusted proxy, entries left of the real client are the client's own claims.
    through_proxy = [
        client.get(
            "/api/items/",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        ).status_code
        for n in range(5)
    ]
    assert through_proxy == [200, 200, 200, 429, 429]
    # Control: the proxy's forwarded client address is believed, so another client is free.
    other = client.get("/api/items/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 200


@override_settings(PRODREADY_RATELIMIT_RULES=[{**API, "key": "header:X-Api-Key"}])
def test_header_key(client: Client) -> None:
    assert statuses(client, "/api/items/", 4, HTTP_X_API_KEY="one")[-1] == 429
    assert statuses(client, "/api/items/", 3, HTTP_X_API_KEY="two") == [200] * 3


@override_settings(
    PRODREADY_RATELIMIT_RULES=[{**API, "key": "tests.test_ratelimit_rules.api_key"}]
)
def test_callable_key(client: Client) -> None:
    # The function returns one value for everyone: addresses share the counter.
    assert statuses(client, "/api/items/", 2, REMOTE_ADDR="198.51.100.1") == [200, 200]
    assert statuses(client, "/api/items/", 2, REMOTE_ADDR="198.51.100.2") == [200, 429]


@pytest.mark.django_db
@override_settings(PRODREADY_RATELIMIT_RULES=[{**API, "key": "user"}])
def test_user_key_counts_users_and_skips_anonymous(client: Client) -> None:
    assert statuses(client, "/api/items/", 5) == [200] * 5  # anonymous: rule does not apply
    alice = User.objects.create_user("alice", password="x")
    client.force_login(alice)
    assert statuses(client, "/api/items/", 4) == [200, 200, 200, 429]
    client.force_login(User.objects.create_user("bob", password="x"))
    assert statuses(client, "/api/items/", 3) == [200] * 3


@pytest.mark.django_db
@override_settings(PRODREADY_RATELIMIT_RULES=[{**API, "key": "user_or_ip"}])
def test_user_or_ip_key(client: Client) -> None:
    assert statuses(client, "/api/items/", 4)[-1] == 429  # anonymous, by address
    client.force_login(User.objects.create_user("alice", password="x"))
    assert statuses(client, "/api/items/", 3) == [200] * 3  # same address, by user


def test_the_decorator_still_works_and_answers_the_same_429(client: Client) -> None:
    assert statuses(client, "/decorated/", 2) == [200, 200]
    response = client.get("/decorated/", headers={"accept": "application/json"})
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert response["Retry-After"] == "60"


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_a_block_is_audited_once_per_window(
    client: Client, audit_events: list[AuditEvent]
) -> None:
    statuses(client, "/api/items/", 8)
    assert [event.action for event in audit_events] == ["ratelimit.blocked"]
    assert audit_events[0].data["rule"] == "api"
    assert audit_events[0].data["rate"] == "3/h"
    assert audit_events[0].request is not None


def test_a_malformed_rule_stops_start_up_naming_it() -> None:
    rules = [{**API, "rate": "three an hour"}]
    with (
        override_settings(PRODREADY_RATELIMIT_RULES=rules),
        pytest.raises(ImproperlyConfigured, match="rule 'api': 'rate' is malformed"),
    ):
        RateLimitMiddleware(lambda request: None)


# --- ASGI -------------------------------------------------------------------------------


@override_settings(PRODREADY_RATELIMIT_RULES=[API])
def test_asgi_async_and_sync_views() -> None:
    async def run() -> list[int]:
        client = AsyncClient()
        codes = []
        for path in ["/api/async/", "/api/items/", "/api/async/", "/api/items/"]:
            codes.append((await client.get(path)).status_code)
        return codes

    assert async_to_sync(run)() == [200, 200, 200, 429]


@override_settings(PRODREADY_RATELIMIT_RULES=[{**HELLO, "url_names": ["api-async"]}])
def test_asgi_url_name_rule() -> None:
    async def run() -> list[int]:
        client = AsyncClient()
        return [(await client.get("/api/async/")).status_code for _ in range(3)]

    assert async_to_sync(run)() == [200, 200, 429]


def test_asgi_stack_uses_the_async_variant() -> None:
    async def get_response(request: Any) -> Any:
        return None

    from asgiref.sync import iscoroutinefunction

    assert iscoroutinefunction(RateLimitMiddleware(get_response))
    assert not iscoroutinefunction(RateLimitMiddleware(lambda request: None))
