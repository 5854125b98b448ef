"""Login brute-force protection: per username at an address, per address, a slowed username,
escalating, on every login path; never against the owner at another address."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from prodready.events import AuditEvent
from prodready_security.ratelimit.metrics import samples
from prodready_security.ratelimit.store import get_store
from prodready_security.ratelimit.types import LoginKeys, SlowKeys, Store
from tests.ratelimit_support import LOGIN_TEMPLATES, redis_cache

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.ratelimit_support"),
]
PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.requires_redis)])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    cache.clear()
    if request.param == "locmem":
        yield get_store()
        cache.clear()
    else:
        with redis_cache():
            yield get_store()


@pytest.fixture
def site(store: Store) -> Iterator[None]:
    with override_settings(TEMPLATES=LOGIN_TEMPLATES):
        yield


def login(
    client: Client, username: str, password: str, path: str = "/login/", **extra: Any
) -> Any:
    return client.post(path, {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


KEYS = LoginKeys("t:failures", "t:lock", "t:level")


def test_lockouts_escalate_and_are_capped(store: Store) -> None:
    def fail() -> Any:
        return store.login_failed(KEYS, 2, 60, 0.2, 0.5, "lockouts:test")

    assert fail().failures == 1
    first = fail()
    assert (first.started, first.level, first.locked_for) == (
        True,
        1,
        pytest.approx(0.2, abs=0.01),
    )
    during = fail()
    assert (during.started, during.failures) == (False, 0)  # refused logins are not counted
    assert 0 < store.locked_for([KEYS.lock]) <= 0.2
    time.sleep(0.25)
    assert store.locked_for([KEYS.lock]) == 0
    assert fail().failures == 1
    second = fail()
    assert (second.level, second.locked_for) == (2, pytest.approx(0.4, abs=0.01))  # doubled
    time.sleep(0.45)
    fail()
    third = fail()
    assert (third.level, third.locked_for) == (3, pytest.approx(0.5, abs=0.01))  # capped
    assert store.metrics()["lockouts:test"] == 3


def test_lockouts_escalate_and_are_capped_per_scope(store: Store) -> None:
    other = LoginKeys("t2:failures", "t2:lock", "t2:level")
    store.login_failed(other, 1, 60, 5, 5, "lockouts:test")
    assert store.locked_for([other.lock]) > 4
    assert store.locked_for([KEYS.lock]) == 0  # another scope's lockout is not this one's


SLOW = SlowKeys("s:failures", "s:wait:one")


def test_a_slowed_username_makes_each_address_wait_longer(store: Store) -> None:
    def fail(wait: str = SLOW.wait) -> Any:
        return store.login_slowed(SlowKeys(SLOW.failures, wait), 3, 60, 0.1, 0.3, "slowed:test")

    assert [(d.failures, d.wait) for d in (fail(), fail("s:wait:two"))] == [(1, 0), (2, 0)]
    assert store.locked_for([SLOW.wait, "s:wait:two"]) == 0  # below the rate: no wait
    third = fail()
    assert (third.failures, third.wait, third.started) == (3, pytest.approx(0.1), True)
    assert 0 < store.locked_for([SLOW.wait]) <= 0.1
    assert store.locked_for(["s:wait:two"]) == 0  # another address is not held back
    fourth = fail("s:wait:two")
    assert (fourth.wait, fourth.started) == (pytest.approx(0.2), False)  # doubled
    assert fail().wait == pytest.approx(0.3)  # capped
    assert store.metrics()["slowed:test"] == 1  # counted once, when the rate is passed
    time.sleep(0.35)
    assert store.locked_for([SLOW.wait, "s:wait:two"]) == 0


def test_failures_lock_the_username_at_that_address_only(
    site: None, client: Client, audit_events: list[AuditEvent]
) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for _ in range(5):
        assert login(client, "alice", "wrong").status_code == 200  # the form again
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert 50 <= int(response["Retry-After"]) <= 60
    assert "failed logins" in response.content.decode()
    assert not logged_in(client)
    [event] = [event for event in audit_events if event.action == "auth.lockout"]
    assert event.data["scope"] == "combination"
    assert event.data["username"] == "alice"
    assert event.data["level"] == 1
    assert event.data["seconds"] == pytest.approx(60)
    assert ("lockouts", "combination", 1) in [(s.family, s.label, s.value) for s in samples()]
    # The guesser's address is locked, not the account: its owner elsewhere signs in.
    owner = Client(REMOTE_ADDR="192.0.2.50")
    assert login(owner, "alice", PASSWORD).status_code == 302


@override_settings(
    PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE="3/15m",
    PRODREADY_RATELIMIT_LOGIN_USERNAME_DELAY_MAX=0.5,
)
def test_guessing_from_many_addresses_slows_them_but_never_the_owner(
    site: None, audit_events: list[AuditEvent]
) -> None:
    User.objects.create_superuser("admin", password=PASSWORD)
    guessers = [Client(REMOTE_ADDR=f"203.0.113.{n}") for n in range(1, 5)]
    for guesser in guessers[:3]:
        assert login(guesser, "admin", "wrong").status_code == 200
    # The username passed its rate: the address that failed last waits before trying again.
    waiting = login(guessers[2], "admin", PASSWORD)
    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "1"
    assert not logged_in(guessers[2])
    # A fresh address gets one attempt, then its own, longer, wait.
    assert login(guessers[3], "admin", "wrong").status_code == 200
    assert login(guessers[3], "admin", "wrong").status_code == 429
    # The owner, at an address that has not failed, is never held back.
    owner = Client(REMOTE_ADDR="192.0.2.50")
    assert login(owner, "admin", PASSWORD).status_code == 302
    [event] = [event for event in audit_events if event.action == "auth.login_slowed"]
    assert (event.data["username"], event.data["failures"]) == ("admin", 3)
    assert not [event for event in audit_events if event.action == "auth.lockout"]
    assert ("slowed", "username", 1) in [(s.family, s.label, s.value) for s in samples()]
    time.sleep(0.55)  # the longest wait, capped by the setting, is over
    assert login(guessers[2], "admin", PASSWORD).status_code == 302


@override_settings(PRODREADY_RATELIMIT_LOGIN_ALLOWLIST=["198.51.100.0/24", "2001:db8::1"])
def test_allowlisted_addresses_are_never_locked_nor_slowed(site: None) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    office = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(25):
        assert login(office, "alice", "wrong").status_code == 200
    assert login(office, "alice", PASSWORD).status_code == 302
    outside = Client(REMOTE_ADDR="192.0.2.7")
    for _ in range(5):
        login(outside, "alice", "wrong")
    assert login(outside, "alice", PASSWORD).status_code == 429


def test_the_admin_login_is_covered(site: None, client: Client) -> None:
    User.objects.create_superuser("root", password=PASSWORD)
    for _ in range(5):
        assert login(client, "root", "wrong", "/admin/login/").status_code == 200
    response = login(client, "root", PASSWORD, "/admin/login/?next=/admin/")
    assert response.status_code == 429
    assert not logged_in(client)


def test_usernames_are_compared_without_case(site: None, client: Client) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for name in ["alice", "Alice", "ALICE", " alice", "aLiCe"]:
        login(client, name, "wrong")
    assert login(client, "alice", PASSWORD).status_code == 429


@override_settings(
    PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_ADDRESS_RATE="3/15m",
)
def test_failures_per_address_lock_every_username(site: None, client: Client) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for name in ["bob", "carol", "dave"]:
        login(client, name, "wrong", REMOTE_ADDR="198.51.100.1")
    assert login(client, "alice", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 429
    other = Client()
    assert login(other, "alice", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


@override_settings(
    PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_ADDRESS_RATE="3/15m",
    PRODREADY_TRUSTED_PROXIES=["10.0.0.0/8"],
)
def test_a_spoofed_forwarding_header_does_not_escape_the_address_lockout(
    site: None, client: Client
) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for n, name in enumerate(["bob", "carol", "dave"]):
        login(
            client, name, "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
    spoofed = login(
        client, "alice", PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert spoofed.status_code == 429


def test_a_successful_login_clears_its_usernames_failures_at_that_address(
    site: None, client: Client
) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for _ in range(4):
        login(client, "alice", "wrong")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "alice", "wrong")
    assert login(client, "alice", PASSWORD).status_code == 302


@override_settings(
    PRODREADY_RATELIMIT_LOGIN_COMBINATION_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_USERNAME_RATE=None,
    PRODREADY_RATELIMIT_LOGIN_ADDRESS_RATE=None,
)
def test_turned_off(site: None, client: Client) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    for _ in range(30):
        login(client, "alice", "wrong")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_the_backend_refuses_even_without_the_middleware(site: None, client: Client) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    middleware = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ]
    with override_settings(MIDDLEWARE=middleware):
        for _ in range(5):
            login(client, "alice", "wrong")
        response = login(client, "alice", PASSWORD)
    assert response.status_code == 200  # the form says the login failed
    assert not logged_in(client)


def test_async_authentication_is_refused_too(store: Store) -> None:
    User.objects.create_user("alice", password=PASSWORD)
    request = RequestFactory().post("/login/")
    for _ in range(5):
        async_to_sync(aauthenticate)(request, username="alice", password="wrong")
    user = async_to_sync(aauthenticate)(request, username="alice", password=PASSWORD)
    assert user is None
