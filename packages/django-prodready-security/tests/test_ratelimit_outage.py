"""When the counters' Redis is down: fail open (log + metric) or closed (503), never a 500."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from prodready.breaker import reset as breaker_reset
from prodready.testing import RedisServer
from prodready_security.ratelimit import events
from prodready_security.ratelimit.metrics import samples
from tests import ratelimit_support
from tests.ratelimit_support import (
    LOGIN_TEMPLATES,
    nothing_listening,
    redis_caches,
)

pytestmark = pytest.mark.urls("tests.ratelimit_support")

API = {"name": "api", "paths": ["/api/"], "rate": "100/h"}
PASSWORD = "correct horse battery staple"
LOGIN_AS_ALICE = {"username": "alice", "password": PASSWORD}


@pytest.fixture
def down() -> Iterator[None]:
    with nothing_listening():
        yield


def outages() -> dict[str, int]:
    return events.outage_counts()


@override_settings(PRODREADY_RATELIMIT_RULES=[API], PRODREADY_RATELIMIT_FAIL_OPEN=True)
def test_fail_open_lets_requests_through_logs_and_counts(
    down: None, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    before = outages().get("allowed", 0)
    events._last_outage_log = -events.OUTAGE_LOG_INTERVAL  # this test sees the first log line
    with caplog.at_level(logging.ERROR, "prodready_security.ratelimit"):
        assert [client.get("/api/items/").status_code for _ in range(3)] == [200] * 3
    assert outages()["allowed"] - before == 3
    logged = [r for r in caplog.records if "Rate-limit cache unavailable" in r.getMessage()]
    assert len(logged) == 1  # once per interval, not once per request
    assert ("outages", "allowed") in [(s.family, s.label) for s in samples()]


@override_settings(PRODREADY_RATELIMIT_RULES=[API], PRODREADY_RATELIMIT_FAIL_OPEN=False)
def test_fail_closed_answers_503_with_retry_after(down: None, client: Client) -> None:
    before = outages().get("refused", 0)
    response = client.get("/api/items/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "unavailable" in response.content.decode()
    assert 'href="/static/prodready/css/prodready.css"' in response.content.decode()
    as_json = client.get("/api/items/", headers={"accept": "application/json"})
    assert (as_json.status_code, as_json.json()["error"]) == (503, "unavailable")
    assert outages()["refused"] - before == 2


@override_settings(
    PRODREADY_RATELIMIT_RULES=[{**API, "fail_open": False}], PRODREADY_RATELIMIT_FAIL_OPEN=True
)
def test_a_rule_can_fail_closed_while_the_site_fails_open(down: None, client: Client) -> None:
    assert client.get("/api/items/").status_code == 503
    assert client.get("/pages/hello/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("fail_open", [True, False])
def test_logins_while_the_cache_is_down_are_refused_alike(
    down: None, client: Client, fail_open: bool
) -> None:
    # The lockout cannot be read, so it holds by refusing every login, before the
    # password is checked: a right and a wrong password get the same answer.
    User.objects.create_user("alice", password=PASSWORD)
    with override_settings(TEMPLATES=LOGIN_TEMPLATES, PRODREADY_RATELIMIT_FAIL_OPEN=fail_open):
        wrong = client.post("/login/", {"username": "alice", "password": "x"})
        right = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert [wrong.status_code, right.status_code] == [503, 503]
    assert wrong.content == right.content
    assert wrong["Retry-After"] == right["Retry-After"] == "5"
    assert "_auth_user_id" not in client.session


def test_metrics_while_the_cache_is_down(down: None) -> None:
    assert all(sample.family == "outages" for sample in samples())


# --- Redis stopped in the middle of a request -------------------------------------


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    ratelimit_support.redis_to_stop.clear()
    try:
        yield server
    finally:
        ratelimit_support.redis_to_stop.clear()
        server.stop()


@pytest.mark.requires_redis
@pytest.mark.parametrize(("fail_open", "status"), [(True, 200), (False, 503)])
def test_redis_stopped_during_a_request_is_no_500(
    own_redis: RedisServer, fail_open: bool, status: int
) -> None:
    rules: list[dict[str, Any]] = [
        {**API, "name": "stops-redis", "key": "tests.ratelimit_support.stop_redis_key"}
    ]
    caches = redis_caches(f"redis://127.0.0.1:{own_redis.port}/0", "own")
    with override_settings(
        CACHES=caches, PRODREADY_RATELIMIT_RULES=rules, PRODREADY_RATELIMIT_FAIL_OPEN=fail_open
    ):
        client = Client(raise_request_exception=False)
        assert client.get("/api/items/").status_code == 200  # Redis up, connection pooled
        ratelimit_support.redis_to_stop.append(own_redis)
        # The rule's key function stops Redis after the request started, before it is counted.
        response = client.get("/api/items/")
        assert not own_redis.running
        assert response.status_code == status
        assert client.get("/api/items/").status_code == status  # and after it, too


@pytest.mark.requires_redis
def test_counting_resumes_when_redis_is_back(own_redis: RedisServer) -> None:
    rules = [{**API, "name": "back", "rate": "2/h"}]
    caches = redis_caches(f"redis://127.0.0.1:{own_redis.port}/0", "own")
    with override_settings(
        CACHES=caches, PRODREADY_RATELIMIT_RULES=rules, PRODREADY_RATELIMIT_FAIL_OPEN=False
    ):
        client = Client(raise_request_exception=False)
        assert client.get("/api/items/").status_code == 200  # counted on a kept connection
        own_redis.stop()
        assert client.get("/api/items/").status_code == 503
        own_redis.start()  # a new server on the same port: no counters, no script
        breaker_reset()  # the breaker opened by the outage lets the next check through
        statuses = [client.get("/api/items/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.requires_redis
@pytest.mark.django_db
@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_the_lockout_holds_while_its_redis_is_down(outage: str) -> None:
    """Locked before the outage; during it right and wrong passwords get one answer."""
    User.objects.create_user("alice", password=PASSWORD)
    with RedisServer() as server:
        caches = redis_caches(
            f"{server.url}/0",
            "lockout",
            SOCKET_CONNECT_TIMEOUT=0.2,
            SOCKET_TIMEOUT=0.2,
            CONNECTION_POOL_CLASS="prodready.redis_breaker.BreakerConnectionPool",
        )
        with override_settings(CACHES=caches, TEMPLATES=LOGIN_TEMPLATES):
            client = Client(raise_request_exception=False)
            statuses = [
                client.post("/login/", {"username": "alice", "password": "x"}).status_code
                for _ in range(6)
            ]
            assert statuses == [200] * 5 + [429]  # the fifth failure locked alice
            assert client.post("/login/", LOGIN_AS_ALICE).status_code == 429
            server.freeze() if outage == "frozen" else server.stop()
            try:
                answers = [
                    client.post("/login/", {"username": "alice", "password": password})
                    for password in ("x", PASSWORD, "y", PASSWORD)
                ]
            finally:
                if outage == "frozen":
                    server.thaw()
            assert {(a.status_code, a.content) for a in answers} == {(503, answers[0].content)}
            assert "_auth_user_id" not in client.session
            if outage == "frozen":
                # The lock outlived the outage: once the breaker lets a call try again,
                # the right password is still refused.
                breaker_reset()
                assert client.post("/login/", LOGIN_AS_ALICE).status_code == 429
