"""Each process keeps the device cache's answers until any process announces a change.

On real Redis: a verified request asks Redis nothing once the answer is kept; a
device changed in another process stops verifying as soon as its announcement
arrives; a lost or silent announcements connection drops everything kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, override_settings
from django.urls import include, path

from prodready.testing import RedisRoundTrips, RedisServer
from prodready_security.otp import device_cache, device_memo
from prodready_security.otp.middleware import VERIFIED_DEVICE_MIDDLEWARE
from prodready_security.otp.models import EncryptedTOTPDevice
from prodready_security.testing import force_login_verified
from tests.otp_support import make_user
from tests.ratelimit_support import redis_cache, redis_caches, redis_url

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__), pytest.mark.requires_redis]


def status(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"verified": request.user.is_verified()})  # type: ignore[union-attr]


urlpatterns = [path("status/", status), path("2fa/", include("prodready_security.otp.urls"))]
ENFORCEMENT = "prodready_security.otp.middleware.OTPEnforcementMiddleware"
MIDDLEWARE = [
    VERIFIED_DEVICE_MIDDLEWARE if entry == "django_otp.middleware.OTPMiddleware" else entry
    for entry in settings.MIDDLEWARE
]


@pytest.fixture(autouse=True)
def middleware(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(device_memo, "PING_EVERY", 0.2)  # and a listener quick to stop
    device_memo._forked()  # a memo of this test's own, with no listener yet
    try:
        with override_settings(MIDDLEWARE=MIDDLEWARE):
            yield
    finally:
        device_memo.memo.stop()
        device_memo._forked()


@pytest.fixture
def signed_in() -> Iterator[tuple[Client, EncryptedTOTPDevice]]:
    with redis_cache():
        client = Client()
        device = force_login_verified(client, make_user("ops", is_staff=True))
        yield client, device


def key(device: EncryptedTOTPDevice) -> str:
    return device_cache.KEY_PREFIX + device.persistent_id


def announce_elsewhere(key: str) -> None:
    """What another process's ``device_cache.forget`` sends."""
    other = redis.Redis.from_url(redis_url())
    try:
        assert other.publish(cache.make_key(device_memo.CHANNEL), key) == 1  # our listener
    finally:
        other.close()


def verified(client: Client) -> Any:
    return client.get("/status/").json()["verified"]


def until(condition: Callable[[], bool], timeout: float = 10) -> bool:
    """Wait for the listener thread; a liveness bound, not a timing."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def kept_and_listening(client: Client, device: EncryptedTOTPDevice) -> None:
    assert verified(client) is True  # loads the device, fills the cache
    assert verified(client) is True  # reads the cache, starts the listener
    assert until(lambda: device_memo.memo.listening)
    assert verified(client) is True  # read again, now kept
    assert device_memo.memo.get(key(device)) == device.user_id


def test_a_verified_request_asks_redis_nothing_once_the_answer_is_kept(
    signed_in: tuple[Client, EncryptedTOTPDevice], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, device = signed_in
    kept_and_listening(client, device)
    trips = RedisRoundTrips(monkeypatch)
    assert verified(client) is True
    assert trips.count == 0


def test_a_cache_that_serialises_to_json_is_read_and_kept_alike() -> None:
    with redis_cache(SERIALIZER="django_redis.serializers.json.JSONSerializer"):
        client = Client()
        device = force_login_verified(client, make_user("ops", is_staff=True))
        kept_and_listening(client, device)  # the entry comes back as a list


def test_a_device_changed_in_another_process_stops_verifying_once_announced(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    kept_and_listening(client, device)
    # What another process's save does: the row, the cache entry, the announcement.
    EncryptedTOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)  # no signals
    cache.delete(key(device))
    announce_elsewhere(key(device))
    assert until(lambda: device_memo.memo.get(key(device)) is None)
    assert verified(client) is False


@override_settings(MIDDLEWARE=[*MIDDLEWARE, ENFORCEMENT])
def test_a_user_without_2fa_costs_no_round_trip_and_an_enrolment_elsewhere_is_heard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with redis_cache():
        client = Client()
        user = make_user("pupil")  # 2FA not required of them, and not enrolled
        client.force_login(user)
        enrolled = device_cache.ENROLLED_PREFIX + str(user.pk)
        assert client.get("/status/").status_code == 200  # asks the database, fills the cache
        assert client.get("/status/").status_code == 200  # reads the cache: listener started
        assert until(lambda: device_memo.memo.listening)
        assert client.get("/status/").status_code == 200  # read again, now kept
        assert device_memo.memo.get(enrolled) is False
        trips = RedisRoundTrips(monkeypatch)
        assert client.get("/status/").status_code == 200
        assert trips.count == 0
        # Another process enrols them (a bulk insert sends no signal here) and announces it.
        EncryptedTOTPDevice.objects.bulk_create(
            [EncryptedTOTPDevice(user=user, name="app", confirmed=True, encrypted_key="x")]
        )
        cache.delete(enrolled)
        announce_elsewhere(enrolled)
        assert until(lambda: device_memo.memo.get(enrolled) is None)
        assert client.get("/status/").status_code == 302  # now sent to verify


def test_a_device_deleted_here_stops_verifying_at_once(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    kept_and_listening(client, device)
    device.delete()
    assert verified(client) is False  # no wait for our own announcement


def test_an_answer_read_across_an_announcement_is_not_kept() -> None:
    memo = device_memo.memo
    memo.set_listening(True)
    epoch = memo.epoch
    memo.announced("k")
    memo.keep("k", 7, 60, epoch)
    assert memo.get("k") is None
    memo.keep("k", 7, 60, memo.epoch)
    assert memo.get("k") == 7
    memo.set_listening(False)  # nobody hears announcements: nothing may be kept
    assert memo.get("k") is None
    memo.keep("k", 7, 60, memo.epoch)
    assert memo.get("k") is None


def test_a_killed_announcements_connection_drops_what_was_kept(
    signed_in: tuple[Client, EncryptedTOTPDevice],
) -> None:
    client, device = signed_in
    kept_and_listening(client, device)
    epoch = device_memo.memo.epoch
    other = redis.Redis.from_url(redis_url())
    try:
        assert other.client_kill_filter(_type="pubsub", skipme=True) >= 1
    finally:
        other.close()
    # Announcements sent meanwhile were missed: what was kept is dropped.
    assert until(lambda: device_memo.memo.epoch != epoch)
    assert device_memo.memo.get(key(device)) is None
    assert verified(client) is True  # from the cache, and kept again once resubscribed


def test_a_silent_redis_is_found_by_ping_and_nothing_is_kept_meanwhile() -> None:
    with RedisServer() as server, override_settings(CACHES=redis_caches(server.url, "memo")):
        client = Client()
        device = force_login_verified(client, make_user("ops", is_staff=True))
        kept_and_listening(client, device)
        server.freeze()  # answers nothing, resets nothing: only PING can tell
        try:
            assert until(lambda: not device_memo.memo.listening)
            assert device_memo.memo.get(key(device)) is None
        finally:
            server.thaw()
