"""The staff pages: the backup history with its verify status, back up now, verify now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from django.utils import timezone

from prodready_backup.models import BackupRecord

pytestmark = pytest.mark.django_db


def record(target: str, hours: float, **fields: Any) -> BackupRecord:
    values: dict[str, Any] = {
        "backup_id": f"{target}-{hours}",
        "target": target,
        "status": "succeeded",
        "started_at": timezone.now() - timedelta(hours=hours),
        **fields,
    }
    return BackupRecord.objects.create(**values)


PERMISSIONS = ["view_backuprecord", "run_backup", "verify_backup"]


def operator(name: str = "op", permissions: list[str] = PERMISSIONS) -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(operator())
    return client


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/backups/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/backups/")


@pytest.mark.parametrize(("is_staff", "has_permission"), [(False, True), (True, False)])
def test_staff_without_the_permission_and_others_are_refused(
    client: Client, is_staff: bool, has_permission: bool
) -> None:
    user = User.objects.create_user("someone", password="pw", is_staff=is_staff)
    if has_permission:
        user.user_permissions.add(Permission.objects.get(codename="view_backuprecord"))
    client.force_login(user)
    assert client.get("/backups/").status_code == 403


def test_the_history_shows_outcomes_and_verification(staff: Client) -> None:
    record("db-default", 1, verified_ok=True, verified_how="restore", verified_at=timezone.now())
    record(
        "db-default",
        2,
        verified_ok=False,
        verified_at=timezone.now(),
        verify_error="Row counts differ in school_invoice: 12 in the manifest, 11 restored.",
    )
    record("media", 3, status="failed", failed_step="upload", error="disk full")
    record("db-default", 4)
    html = staff.get("/backups/").content.decode()
    assert html.index("Restore test into a scratch database") < html.index("verify failed")
    assert "Row counts differ in school_invoice" in html
    assert "upload: disk full" in html
    assert "not verified yet" in html
    assert html.count('<span class="pr-pill pr-ok">Succeeded</span>') == 3


def test_the_history_filters_by_target(staff: Client) -> None:
    record("media", 1, status="failed", failed_step="upload", error="disk full")
    record("db-default", 2)
    html = staff.get("/backups/", {"target": "db-default"}).content.decode()
    assert "disk full" not in html
    assert "Succeeded</span>" in html
    html = staff.get("/backups/", {"target": "media"}).content.decode()
    assert "disk full" in html
    assert "Succeeded</span>" not in html
    assert "No backups of db-other yet." in staff.get("/backups/?target=db-other").content.decode()


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("backup_dir")
@override_settings(
    PRODREADY_BACKUP_DATABASES=["other"], PRODREADY_BACKUP_VERIFY_AFTER_CREATE=False
)
def test_back_up_then_verify_from_the_page(staff: Client, audit_events: list[Any]) -> None:
    response = staff.post("/backups/run/", {"next": "/backups/"}, follow=True)
    assert "Backup requested." in response.content.decode()
    assert "not verified yet" in response.content.decode()
    backup = BackupRecord.objects.get()
    assert (backup.status, backup.verified_ok) == ("succeeded", None)
    # Started from the page by op: not "scheduled", and op is on record.
    assert (backup.reason, backup.requested_by) == ("requested by op", "op")
    form = {"target": "db-other", "next": "/backups/"}
    response = staff.post("/backups/verify/", form, follow=True)
    assert "Verification of the latest backup requested." in response.content.decode()
    backup.refresh_from_db()
    assert backup.verified_ok is True
    assert backup.verify_requested_by == "op"
    assert "verify failed" not in response.content.decode()
    actors = [(e.action, getattr(e.actor, "username", None)) for e in audit_events]
    assert actors == [("backup.created", "op"), ("backup.verified", "op")]
    assert audit_events[0].data["reason"] == "requested by op"


@pytest.mark.parametrize(
    ("url", "permission"), [("/backups/run/", "run_backup"), ("/backups/verify/", "verify_backup")]
)
def test_each_action_needs_its_permission(client: Client, url: str, permission: str) -> None:
    others = [p for p in PERMISSIONS if p != permission]
    client.force_login(operator("viewer", others))
    assert client.post(url, {"target": "db-default"}).status_code == 403
    html = client.get("/backups/").content.decode()
    assert f'action="{url}"' not in html
    client.force_login(operator("allowed", [permission, "view_backuprecord"]))
    assert f'action="{url}"' in client.get("/backups/").content.decode()
    assert not BackupRecord.objects.exists()


def test_actions_send_anonymous_visitors_to_log_in(client: Client) -> None:
    for url in ("/backups/run/", "/backups/verify/"):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/accounts/login/?next={url}")


def test_an_unknown_target_is_refused_with_a_message(staff: Client) -> None:
    form = {"target": "db-nope", "next": "/backups/"}
    response = staff.post("/backups/run/", form, follow=True)
    assert response.status_code == 200
    assert "There is no backup target db-nope." in response.content.decode()
    assert not BackupRecord.objects.exists()


def test_verify_now_is_for_staff_only(client: Client) -> None:
    client.force_login(User.objects.create_user("student", password="pw"))
    assert client.post("/backups/verify/").status_code == 403
