"""Every prodready.audit event is stored with who, what, where from; secrets masked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client, RequestFactory, override_settings

import prodready
from prodready_security.audit.context import request_context
from prodready_security.audit.masking import MASK, is_masked
from tests.audit_support import audit_db, events

__all__ = ["audit_db"]

pytestmark = pytest.mark.django_db


def test_an_event_from_any_package_is_stored_with_its_request(audit_db: str) -> None:
    ada = User.objects.create_user("ada", email="ada@example.com", is_staff=True)
    group = Group.objects.create(name="tutors")
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Firefox", HTTP_X_REQUEST_ID="req-1\n"
    )

    prodready.audit(
        "backup.restored", actor=ada, target=group, request=request, changes={"n": (1, 2)}, size=3
    )

    (event,) = events(audit_db)
    assert (event.action, event.actor_id, event.target_pk, event.target_repr) == (
        "backup.restored",
        ada.pk,
        str(group.pk),
        "tutors",
    )
    assert event.actor_snapshot == {
        "pk": str(ada.pk), "username": "ada", "email": "ada@example.com",
        "is_active": True, "is_staff": True, "is_superuser": False,
    }  # fmt: skip
    assert (event.client_address, event.user_agent, event.request_id) == (
        "192.0.2.7",
        "Firefox",
        "req-1",
    )
    assert (event.changes, event.data) == ({"n": [1, 2]}, {"size": 3})


def test_the_client_address_comes_from_the_trusted_proxy_resolver(audit_db: str) -> None:
    spoofed = RequestFactory().get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    with override_settings(PRODREADY_TRUSTED_PROXIES=[]):
        prodready.audit("test.spoofed", request=spoofed)
    with override_settings(PRODREADY_TRUSTED_PROXIES=["198.51.100.1"]):
        prodready.audit("test.proxied", request=spoofed)

    assert [event.client_address for event in events(audit_db)] == ["198.51.100.1", "1.2.3.4"]


def test_secret_values_in_changes_and_data_are_masked(audit_db: str) -> None:
    prodready.audit(
        "otp.enabled",
        changes={"key": ("", "abc"), "otp_secret": (None, "s3cr3t"), "label": ("a", "b")},
        api_token="t0k3n",
        nested={"password": "pw", "kept": 1},
    )

    (event,) = events(audit_db)
    assert event.changes == {
        "key": ["", "abc"],  # "key" alone is not a secret outside OTP devices
        "otp_secret": [None, MASK],
        "label": ["a", "b"],
    }
    assert event.data == {"api_token": MASK, "nested": {"password": MASK, "kept": 1}}


def test_the_actor_defaults_to_the_current_requests_user(audit_db: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")
    request.user = User.objects.create_user("ada")
    with request_context(request):
        prodready.audit("test.contextual")

    (event,) = events(audit_db)
    assert (event.actor_snapshot["username"], event.client_address) == ("ada", "192.0.2.1")


def test_a_non_user_actor_is_kept_by_name(audit_db: str) -> None:
    prodready.audit("backup.completed", actor="celery beat")
    (event,) = events(audit_db)
    assert (event.actor_id, event.actor_snapshot, event.actor_name) == (
        None,
        {"name": "celery beat"},
        "celery beat",
    )


def test_the_user_row_can_be_deleted_and_the_snapshot_remains(audit_db: str) -> None:
    ada = User.objects.create_user("ada")
    prodready.audit("test.before_deletion", actor=ada)
    ada.delete()
    (event,) = events(audit_db)
    assert event.actor_name == "ada"


def test_logins_failed_logins_and_logouts_are_recorded(audit_db: str) -> None:
    User.objects.create_user("ada", password="right")
    client = Client(REMOTE_ADDR="192.0.2.9")

    assert not client.login(username="ada", password="wrong")
    assert client.login(username="ada", password="right")
    client.logout()

    recorded = [(e.action, e.actor_name, e.data) for e in events(audit_db)]
    assert recorded == [
        ("auth.login_failed", "system", {"username": "ada"}),
        ("auth.login", "ada", {}),
        ("auth.logout", "ada", {}),
    ]
    assert "wrong" not in str([e.data for e in events(audit_db)])


@pytest.mark.parametrize(
    ("field", "model_label"),
    [
        ("password", "auth.user"),
        ("key", "otp_totp.totpdevice"),
        ("encrypted_key", "prodready_security.encryptedtotpdevice"),
        ("digest", "prodready_security.backupcode"),
        ("reset_token", None),
    ],
)
def test_built_in_secrets_are_masked(field: str, model_label: str | None) -> None:
    assert is_masked(field, model_label)


@pytest.mark.parametrize(("field", "model_label"), [("key", None), ("digest", "auth.user")])
def test_ordinary_fields_are_not_masked(field: str, model_label: str | None) -> None:
    assert not is_masked(field, model_label)
