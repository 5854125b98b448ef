"""Lockout administration: listing the lockouts in force and ending them, from the command,
the staff page and the dashboard card, in the local-memory cache and in real Redis."""

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory, override_settings

from prodready.events import AuditEvent
from prodready_security.ratelimit import cards, lockouts
from prodready_security.ratelimit.store import get_store
from tests.ratelimit_support import LOGIN_TEMPLATES, redis_cache

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.ratelimit_support"),
]
PASSWORD = "correct horse battery staple"
GUESSER = "198.51.100.7"


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.requires_redis)])
def site(request: pytest.FixtureRequest) -> Iterator[None]:
    cache.clear()
    with override_settings(TEMPLATES=LOGIN_TEMPLATES):
        if request.param == "locmem":
            yield
            cache.clear()
        else:
            with redis_cache():
                yield


def login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


def lock_alice() -> Client:
    User.objects.create_user("alice", password=PASSWORD)
    guesser = Client(REMOTE_ADDR=GUESSER)
    for _ in range(5):
        login(guesser, "Alice", "wrong")
    assert login(guesser, "alice", PASSWORD).status_code == 429
    return guesser


def staff(*, allowed: bool) -> User:
    user = User.objects.create_user("operator", password=PASSWORD, is_staff=True)
    if allowed:
        user.user_permissions.add(Permission.objects.get(codename="unlock_loginlockout"))
    return User.objects.get(pk=user.pk)  # without the permission cache


def test_a_lockout_is_listed_with_whom_and_where(site: None) -> None:
    lock_alice()
    [found] = lockouts.in_force()
    assert (found.scope, found.username, found.address, found.level) == (
        "combination",
        "alice",
        f"ip:{GUESSER}",
        1,
    )
    assert 50 < found.seconds_left <= 60


@override_settings(
    PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE="3/15m",
)
def test_a_slowed_username_is_listed_without_an_address(site: None) -> None:
    for number in range(3):
        login(Client(REMOTE_ADDR=f"203.0.113.{number}"), "bob", "wrong")
    [found] = lockouts.in_force()
    assert (found.scope, found.username, found.address, found.level) == (
        "username",
        "bob",
        None,
        0,
    )


def test_unlocking_lets_the_user_in_and_is_audited(
    site: None, audit_events: list[AuditEvent]
) -> None:
    guesser = lock_alice()
    [ended] = lockouts.unlock("ALICE ", None, actor=None)
    assert ended.username == "alice"
    assert lockouts.in_force() == []
    assert login(guesser, "alice", PASSWORD).status_code == 302
    [event] = [event for event in audit_events if event.action == "auth.unlocked"]
    assert (event.data["username"], event.data["address"]) == ("alice", f"ip:{GUESSER}")


def test_unlocking_another_address_leaves_the_lockout(site: None) -> None:
    lock_alice()
    assert lockouts.unlock("alice", "192.0.2.1") == []
    assert [found.username for found in lockouts.in_force()] == ["alice"]
    assert [found.address for found in lockouts.unlock(None, GUESSER)] == [f"ip:{GUESSER}"]


def test_a_lockout_that_ended_is_no_longer_listed(site: None) -> None:
    lock_alice()
    [found] = lockouts.in_force()
    get_store().clear([found.gate])  # as when it runs out
    assert lockouts.in_force() == []


def test_the_command_lists_and_unlocks(site: None) -> None:
    lock_alice()
    out = StringIO()
    call_command("lockout", "list", stdout=out)
    assert out.getvalue().startswith(f"alice at ip:{GUESSER}: locked (#1) by combination, ")
    out = StringIO()
    call_command("lockout", "list", "--format", "json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert (row["username"], row["scope"]) == ("alice", "combination")
    out = StringIO()
    call_command("lockout", "unlock", "alice", "--address", GUESSER, stdout=out)
    assert "Ended 1 lockout(s)." in out.getvalue()
    with pytest.raises(CommandError, match="No lockout in force matches"):
        call_command("lockout", "unlock", "alice")
    with pytest.raises(CommandError, match="Name a USERNAME, an --address, or both"):
        call_command("lockout", "unlock")


@pytest.mark.urls("tests.lockout_urls")
def test_the_staff_page_lists_and_unlocks(site: None, audit_events: list[AuditEvent]) -> None:
    guesser = lock_alice()
    client = Client()
    client.force_login(staff(allowed=True))
    page = client.get("/lockouts/")
    assert page.status_code == 200
    assert f"ip:{GUESSER}" in page.content.decode()
    response = client.post("/lockouts/", {"username": "alice", "address": f"ip:{GUESSER}"})
    assert (response.status_code, response["Location"]) == (302, "/lockouts/")
    assert "Ended 1 lockout." in client.get("/lockouts/").content.decode()
    assert login(guesser, "alice", PASSWORD).status_code == 302
    [event] = [event for event in audit_events if event.action == "auth.unlocked"]
    assert event.actor is not None
    assert event.actor.username == "operator"


@pytest.mark.urls("tests.lockout_urls")
def test_the_staff_page_needs_the_permission(site: None) -> None:
    lock_alice()
    client = Client()
    assert client.get("/lockouts/").status_code == 302  # to sign in
    client.force_login(staff(allowed=False))
    assert client.get("/lockouts/").status_code == 403
    assert client.post("/lockouts/", {"username": "alice"}).status_code == 403
    assert [found.username for found in lockouts.in_force()] == ["alice"]


@pytest.mark.urls("tests.lockout_urls")
def test_the_card_shows_lockouts_to_those_who_may_end_them(site: None) -> None:
    lock_alice()
    request = RequestFactory().get("/")
    request.user = staff(allowed=False)
    assert cards.cards(request) == []
    request.user = User.objects.get(pk=request.user.pk)
    request.user.user_permissions.add(Permission.objects.get(codename="unlock_loginlockout"))
    request.user = User.objects.get(pk=request.user.pk)
    [card] = cards.cards(request)
    assert (card.status, card.url) == ("warning", "/lockouts/")
    assert [found.username for found in card.context["lockouts"]] == ["alice"]


@pytest.mark.requires_redis
@pytest.mark.urls("tests.lockout_urls")
def test_with_the_cache_down_the_page_says_so(settings: Any) -> None:
    from prodready.testing import RedisServer

    server = RedisServer()
    server.start()
    try:
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
            }
        }
        with override_settings(CACHES=caches):
            client = Client()
            client.force_login(staff(allowed=True))
            server.stop()
            page = client.get("/lockouts/")
            assert page.status_code == 200  # degraded, never a 5xx
            assert "cannot be reached" in page.content.decode()
    finally:
        server.stop()
