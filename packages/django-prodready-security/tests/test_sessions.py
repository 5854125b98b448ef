"""Signed-in sessions: the list, revoking, idle logout, admins, cleanup."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from prodready_security.audit.models import AuditEvent
from prodready_security.headers.models import CSPReport
from prodready_security.sessions import keys
from prodready_security.sessions.models import UserSession
from prodready_security.sessions.tracking import SEEN
from prodready_security.tasks import dispatch
from tests.ratelimit_support import redis_cache
from tests.sessions_support import (
    IPHONE,
    PASSWORD,
    is_signed_in,
    make_user,
    signed_in,
    with_activity_middleware,
)

pytestmark = [pytest.mark.urls("tests.sessions_support"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _installed() -> Iterator[None]:
    with override_settings(MIDDLEWARE=with_activity_middleware()):
        yield


@pytest.fixture
def ada() -> Any:
    return make_user("ada")


def rows(user: Any) -> list[UserSession]:
    return list(UserSession.objects.filter(user=user).order_by("created_at", "pk"))


def revocations() -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(action="session.revoked").values("actor_id", "target_pk", "data")
    )


def test_login_records_the_session_and_logout_forgets_it(ada: Any) -> None:
    client = signed_in(ada, address="203.0.113.7")
    [row] = rows(ada)
    assert row.key_hash == keys.key_hash(client.session.session_key or "")
    assert row.device == "Firefox on Windows"
    assert row.client_address == "203.0.113.7"
    assert client.session.session_key not in row.encrypted_key  # never in clear
    client.post("/accounts/logout/")
    assert rows(ada) == []


def test_the_page_lists_both_sessions_and_marks_this_device(ada: Any) -> None:
    laptop = signed_in(ada)
    signed_in(ada, user_agent=IPHONE, address="198.51.100.4")
    page = laptop.get("/account/sessions/").content.decode()
    assert "Firefox on Windows" in page
    assert "Safari on iPhone" in page
    assert "198.51.100.4" in page
    assert page.count("This device") == 1
    assert page.index("This device") > page.index("Firefox on Windows")
    assert page.count('name="session"') == 1  # only the other one has a sign-out button


def test_revoking_one_session_logs_that_browser_out(ada: Any) -> None:
    laptop = signed_in(ada)
    phone = signed_in(ada, user_agent=IPHONE)
    phone_row = next(row for row in rows(ada) if row.device == "Safari on iPhone")
    response = laptop.post("/account/sessions/", {"session": phone_row.pk})
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert [row.device for row in rows(ada)] == ["Firefox on Windows"]
    [event] = revocations()
    assert event["actor_id"] == ada.pk
    assert event["target_pk"] == str(ada.pk)
    assert event["data"]["count"] == 1
    assert event["data"]["by_admin"] is False


def test_revoking_all_others_keeps_this_one(ada: Any) -> None:
    laptop, phone, tablet = signed_in(ada), signed_in(ada, IPHONE), signed_in(ada)
    laptop.post("/account/sessions/", {"revoke_others": "1"})
    assert [is_signed_in(c) for c in (laptop, phone, tablet)] == [True, False, False]
    assert len(rows(ada)) == 1


def test_the_current_session_and_other_users_sessions_cannot_be_chosen(ada: Any) -> None:
    laptop = signed_in(ada)
    mallory = make_user("mallory")
    victim = signed_in(mallory)
    for row in [*rows(ada), *rows(mallory)]:
        laptop.post("/account/sessions/", {"session": row.pk})
    assert is_signed_in(laptop)
    assert is_signed_in(victim)
    assert revocations() == []


@pytest.mark.parametrize("chosen", ["", "x", "²", "٣", "-1", "9" * 19, "9" * 5000, "1\x00"])
def test_what_is_not_a_session_id_chooses_nothing(ada: Any, chosen: str) -> None:
    laptop, phone = signed_in(ada), signed_in(ada, IPHONE)
    response = laptop.post("/account/sessions/", {"session": chosen})
    assert response.status_code == 302
    assert is_signed_in(phone)
    assert revocations() == []


def age_session(client: Client, seconds: float) -> None:
    session = client.session
    session[SEEN] = time.time() - seconds
    session.save()


@override_settings(PRODREADY_SESSIONS_IDLE_TIMEOUT=600)
def test_an_idle_session_is_logged_out(ada: Any) -> None:
    idle, busy = signed_in(ada), signed_in(ada, IPHONE)
    age_session(idle, 601)
    age_session(busy, 500)
    assert not is_signed_in(idle)
    assert is_signed_in(busy)
    assert len(rows(ada)) == 1  # logging out forgot the idle one


def test_without_a_timeout_sessions_never_idle_out(ada: Any) -> None:
    client = signed_in(ada)
    age_session(client, 10 * 86400)
    assert is_signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(ada: Any) -> None:
    client = signed_in(ada)
    [row] = rows(ada)
    is_signed_in(client)
    is_signed_in(client)
    assert rows(ada)[0].last_seen_at == row.last_seen_at
    age_session(client, 61)
    is_signed_in(client)
    assert rows(ada)[0].last_seen_at > row.last_seen_at


def staff_with(username: str, *codenames: str) -> Any:
    user = make_user(username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_an_admin_signs_out_every_session_of_a_user(ada: Any) -> None:
    laptop, phone = signed_in(ada), signed_in(ada, IPHONE)
    admin = signed_in(staff_with("root", "revoke_usersession"))
    page = admin.get(f"/account/sessions/users/{ada.pk}/")
    assert page.status_code == 200
    assert b"Safari on iPhone" in page.content
    admin.post(f"/account/sessions/users/{ada.pk}/", {"revoke_all": "1"})
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(admin)
    [event] = revocations()
    assert event["data"] == {"count": 2, "by_admin": True}


def test_other_staff_cannot_revoke(ada: Any) -> None:
    laptop = signed_in(ada)
    staff = signed_in(staff_with("helper", "view_usersession"))
    assert staff.get(f"/account/sessions/users/{ada.pk}/").status_code == 403
    assert staff.post(f"/account/sessions/users/{ada.pk}/", {"revoke_all": "1"}).status_code == 403
    assert is_signed_in(laptop)


def test_the_admin_action_signs_out_selected_sessions(ada: Any) -> None:
    laptop, phone = signed_in(ada), signed_in(ada, IPHONE)
    phone_row = next(row for row in rows(ada) if row.device == "Safari on iPhone")
    root = Client()
    root.force_login(make_user("root", is_staff=True, is_superuser=True))
    listing = root.get("/admin/prodready_security/usersession/")
    assert b"Sign out selected sessions" in listing.content
    root.post(
        "/admin/prodready_security/usersession/",
        {"action": "sign_out", "_selected_action": [phone_row.pk]},
    )
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_the_admin_action_needs_the_permission(ada: Any) -> None:
    viewer = Client()
    viewer.force_login(staff_with("viewer", "view_usersession"))
    listing = viewer.get("/admin/prodready_security/usersession/")
    assert listing.status_code == 200
    assert b"Sign out selected sessions" not in listing.content


def test_cleanup_removes_expired_sessions_and_old_reports(ada: Any) -> None:
    live, expired = signed_in(ada), signed_in(ada, IPHONE)
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    old = CSPReport.objects.create(directive="img-src")
    CSPReport.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    recent = CSPReport.objects.create(directive="img-src")
    assert dispatch() == {"sessions": 1, "csp_reports": 1}  # no broker: ran in-process
    assert [row.device for row in rows(ada)] == ["Firefox on Windows"]
    assert list(CSPReport.objects.all()) == [recent]
    assert is_signed_in(live)


@pytest.mark.requires_redis
def test_revoking_works_with_the_cache_backend(ada: Any) -> None:
    with redis_cache(), override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        laptop, phone = signed_in(ada), signed_in(ada, IPHONE)
        assert Session.objects.count() == 0  # really in Redis
        laptop.post("/account/sessions/", {"revoke_others": "1"})
        assert not is_signed_in(phone)
        assert is_signed_in(laptop)
        laptop.post("/accounts/logout/")
        assert rows(ada) == []


def test_a_password_change_moves_the_record_to_the_new_key(ada: Any) -> None:
    client = signed_in(ada)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another horse staple 42",
            "new_password2": "another horse staple 42",
        },
    )
    assert response.status_code == 302, response.content
    assert is_signed_in(client)  # update_session_auth_hash kept this browser in
    [row] = rows(ada)
    assert row.key_hash == keys.key_hash(client.session.session_key or "")
