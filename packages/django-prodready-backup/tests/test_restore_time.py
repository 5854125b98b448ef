"""The restore test's duration: recorded, listed, and shown on the page, card and metric."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings

from prodready import hooks
from prodready_backup.backups import create_backup, find_backup
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

OTHER = override_settings(PRODREADY_BACKUP_DATABASES=["other"])


@pytest.fixture
def restore_tested() -> float:
    Group.objects.using("other").bulk_create(Group(name=f"g{i}") for i in range(20))
    with OTHER:
        record = create_backup(get_target("db-other"))
        result = verify_backup(find_backup(record.backup_id), how="restore")
    assert result.ok, result.problems
    assert result.restore_test_seconds is not None
    record.refresh_from_db()
    assert record.restore_test_seconds == result.restore_test_seconds > 0
    return result.restore_test_seconds


@OTHER
def test_list_json_shows_encryption_verification_and_restore_time(
    restore_tested: float,
) -> None:
    out = io.StringIO()
    call_command("backup", "list", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["encryption"] == "aes-256-gcm"
    assert (row["verified_ok"], row["verified_how"]) == (True, "restore")
    assert row["restore_test_seconds"] == restore_tested
    text = io.StringIO()
    call_command("backup", "list", stdout=text)
    assert f"restored in {restore_tested:.1f} s" in text.getvalue()


@OTHER
def test_a_checksum_verification_keeps_the_restore_time(restore_tested: float) -> None:
    info = find_backup(_newest_id())
    verify_backup(info, how="checksum")
    assert find_backup(info.backup_id).as_dict()["restore_test_seconds"] == restore_tested


def _newest_id() -> str:
    from prodready_backup.backups import list_backups

    return list_backups("db-other")[0].backup_id


@OTHER
def test_page_card_and_metric_show_the_restore_time(restore_tested: float) -> None:
    shown = f"{restore_tested:.1f}"
    user = User.objects.create_user("op", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_backuprecord"))
    client = Client()
    client.force_login(user)
    assert f"restored in {shown} s" in client.get("/backups/").content.decode()

    request = RequestFactory().get("/ops/")
    request.user = user
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    html = render_to_string(card.template, {**card.context, "card": card}, request=request)
    assert f"Restore time (latest test): {shown} s" in html

    prometheus_client = pytest.importorskip("prometheus_client")
    registry = prometheus_client.CollectorRegistry()
    for collector in hooks.metrics():
        registry.register(collector)
    assert (
        registry.get_sample_value(
            "prodready_backup_last_restore_test_duration_seconds", {"target": "db-other"}
        )
        == restore_tested
    )
