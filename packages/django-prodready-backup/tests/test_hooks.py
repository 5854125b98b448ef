"""What the package contributes through core's hooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone

from prodready import heartbeat, hooks
from prodready.health.base import HealthCheckError
from prodready.plugins import PluginError, hookimpl
from prodready.schedule import beat_schedule
from prodready_backup.errors import BackupError
from prodready_backup.health import BackupAgeCheck
from prodready_backup.models import BackupRecord
from prodready_backup.targets import BackupTarget, all_targets, get_target


@pytest.fixture(autouse=True)
def no_heartbeat() -> Iterator[None]:
    """No Celery beat has been seen, unless a test stamps its heartbeat."""
    cache.delete(heartbeat.CACHE_KEY)
    yield
    cache.delete(heartbeat.CACHE_KEY)


def record(target: str = "db-default", hours: float = 1, **fields: object) -> BackupRecord:
    values = {
        "backup_id": f"id-{target}-{hours}-{len(fields)}",
        "target": target,
        "status": "succeeded",
        "started_at": timezone.now() - timedelta(hours=hours),
        "verified_ok": True,
        "verified_how": "checksum",
        **fields,
    }
    return BackupRecord.objects.create(**values)


def test_targets_are_databases_and_media() -> None:
    with override_settings(PRODREADY_BACKUP_DATABASES=None, PRODREADY_BACKUP_MEDIA=True):
        names = [t.name for t in all_targets()]
    # Every alias of a supported engine: PostgreSQL, SQLite, and MySQL where mysqlclient is.
    mysql = ["db-mysql"] if "mysql" in settings.DATABASES else []
    assert names == ["db-default", "db-other", "db-copy", "db-postgres", *mysql, "media"]


def test_a_project_adds_its_own_target(prodready_plugin) -> None:  # type: ignore[no-untyped-def]
    class Exports(BackupTarget):
        name = "exports"
        engine = "files"

    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[BackupTarget]:
            return [Exports()]

    prodready_plugin(Plugin())
    assert get_target("exports").engine == "files"
    assert [t.name for t in all_targets()] == ["exports", "db-default"]


def test_a_target_that_is_not_one_is_refused_naming_the_plugin(prodready_plugin) -> None:  # type: ignore[no-untyped-def]
    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[str]:
            return ["db-default"]  # a name, not a target

    prodready_plugin(Plugin(), name="name-not-target")
    with pytest.raises(PluginError, match="Plugin 'name-not-target' returned 'db-default'"):
        all_targets()


def test_two_targets_of_one_name_are_refused(prodready_plugin) -> None:  # type: ignore[no-untyped-def]
    class Copy(BackupTarget):
        name = "db-default"

    class Plugin:
        @hookimpl
        def prodready_backup_targets(self) -> list[BackupTarget]:
            return [Copy()]

    prodready_plugin(Plugin())
    with pytest.raises(BackupError, match=r"^Two backup targets share the name db-default\.$"):
        get_target("db-default")


@pytest.mark.django_db
def test_health_check_passes_with_a_recent_verified_backup() -> None:
    record(hours=2)
    assert "2.0 h old" in (BackupAgeCheck("db-default").check() or "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hours": 40}, "40 h old, over the limit of 30 h"),
        ({"hours": 1, "verified_ok": None}, "no verified backup yet"),
        ({"hours": 1, "status": "failed"}, "no verified backup yet"),
        ({"hours": 1, "target": "media"}, "no verified backup yet"),
    ],
)
def test_health_check_fails(fields: dict[str, object], message: str) -> None:
    record(**fields)  # type: ignore[arg-type]
    with pytest.raises(HealthCheckError, match=message):
        BackupAgeCheck("db-default").check()


def test_health_checks_are_contributed_per_target() -> None:
    names = [c.name for c in hooks.health_checks()]
    assert "backup:db-default" in names
    with override_settings(PRODREADY_BACKUP_HEALTH_CRITICAL=True):
        check = next(c for c in hooks.health_checks() if c.name == "backup:db-default")
    assert check.critical is True


@pytest.mark.django_db
def test_readiness_findings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with override_settings(
        PRODREADY_BACKUP_DIRECTORY=str(tmp_path), PRODREADY_BACKUP_ENCRYPTION_KEYS=[]
    ):
        found = {f.id: f for f in hooks.readiness_findings() if f.id.startswith("prodready_b")}
    assert sorted(found) == [f"prodready_backup.R00{i}" for i in range(1, 5)]
    assert not found["prodready_backup.R001"].passed  # no key
    assert not found["prodready_backup.R002"].passed  # SQLite file and backups on one disk
    assert not found["prodready_backup.R003"].passed  # scheduled, but no beat runs it
    assert found["prodready_backup.R003"].detail.startswith(
        "scheduled but not run: no heartbeat from Celery beat"
    )
    assert not found["prodready_backup.R004"].passed
    heartbeat.stamp()
    found = {f.id: f for f in hooks.readiness_findings() if f.id.startswith("prodready_b")}
    assert found["prodready_backup.R003"].passed
    record(verified_how="restore")
    with override_settings(
        PRODREADY_BACKUP_ENCRYPTION_KEYS=["A" * 43 + "="],
        PRODREADY_BACKUP_STORAGE="default",
        PRODREADY_BACKUP_SCHEDULE="",
    ):
        found = {f.id: f for f in hooks.readiness_findings() if f.id.startswith("prodready_b")}
    assert found["prodready_backup.R001"].passed
    assert found["prodready_backup.R002"].passed  # not a local file system
    assert not found["prodready_backup.R003"].passed  # beat runs, but nothing to back up
    assert found["prodready_backup.R003"].detail == "PRODREADY_BACKUP_SCHEDULE is empty"
    assert found["prodready_backup.R004"].passed


def test_periodic_tasks_from_settings() -> None:
    tasks = {t.name: t.cron for t in hooks.periodic_tasks()}
    assert tasks["prodready_backup.backup"] == "0 3 * * *"
    assert tasks["prodready_backup.verify"] == "0 5 * * 0"
    assert tasks["prodready_backup.prune"] == "30 4 * * *"
    with override_settings(PRODREADY_BACKUP_VERIFY_SCHEDULE=""):
        assert "prodready_backup.verify" not in {t.name for t in hooks.periodic_tasks()}
    schedule = beat_schedule()
    assert schedule["prodready_backup.backup"]["task"] == "prodready_backup.backup"


@pytest.mark.django_db
def test_dashboard_card_lists_latest_backups_and_offers_backup_now() -> None:
    record(hours=3)
    record(target="db-default", hours=1, status="failed", error="disk full", failed_step="upload")
    request = RequestFactory().get("/ops/")
    request.user = User.objects.create_user("op", is_staff=True)
    request.user.user_permissions.add(Permission.objects.get(codename="run_backup"))
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    assert card.status == "error"
    html = render_to_string(card.template, {**card.context, "card": card}, request=request)
    assert "upload: disk full" in html
    assert 'action="/backups/run/"' in html
    # No beat has been seen: the card says so instead of promising a next backup.
    assert "Next scheduled backup" not in html
    assert "No scheduler running" in html
    assert "Scheduled backups are not being made: no heartbeat from Celery beat" in html
    heartbeat.stamp()
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    html = render_to_string(card.template, {**card.context, "card": card}, request=request)
    assert "Next scheduled backup" in html
    assert "No scheduler running" not in html


@pytest.mark.django_db
def test_dashboard_card_warns_when_good_backups_will_have_no_successor() -> None:
    for target in all_targets():
        record(target=target.name, hours=1)
    request = RequestFactory().get("/ops/")
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    assert card.status == "warning"
    heartbeat.stamp()
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    assert card.status == "ok"


@pytest.mark.django_db
def test_dashboard_card_offers_backup_now_only_to_who_may_start_one() -> None:
    request = RequestFactory().get("/ops/")
    request.user = User.objects.create_user("viewer", is_staff=True)
    (card,) = [c for c in hooks.dashboard_cards(request) if c.title == "Backups"]
    html = render_to_string(card.template, {**card.context, "card": card}, request=request)
    assert "/backups/run/" not in html
    assert "Back up now" not in html


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("backup_dir")
@override_settings(PRODREADY_BACKUP_DATABASES=["other"])
def test_back_up_now_is_for_staff_and_runs_in_process(client) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.create_user("op", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="run_backup"))
    client.force_login(user)
    assert client.post("/backups/run/").status_code == 403
    user.is_staff = True
    user.save()
    response = client.post("/backups/run/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert BackupRecord.objects.get().status == "succeeded"


def test_scrubbing_removes_keys_and_storage_credentials() -> None:
    key = "K" * 43 + "="
    event = {
        "message": f"failed with key {key}",
        "extra": {"vars": [f"secret={'s3cr3t-access-key'}", 3]},
    }
    with override_settings(
        PRODREADY_BACKUP_ENCRYPTION_KEYS=[key],
        PRODREADY_BACKUP_STORAGE="backups",
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "backups": {
                "BACKEND": "django.core.files.storage.InMemoryStorage",
                "OPTIONS": {"secret_key": "s3cr3t-access-key"},
            },
        },
    ):
        hooks.scrub_event(event, {})
    assert event == {
        "message": "failed with key [Filtered]",
        "extra": {"vars": ["secret=[Filtered]", 3]},
    }


@pytest.mark.django_db
def test_metrics_per_target() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    record(hours=5, duration_seconds=12.5, stored_bytes=2048, verified_at=timezone.now())
    record(hours=1, duration_seconds=3.0, stored_bytes=1024, status="failed")
    registry = prometheus_client.CollectorRegistry()
    for collector in hooks.metrics():
        registry.register(collector)
    labels = {"target": "db-default"}
    assert registry.get_sample_value("prodready_backup_last_success_size_bytes", labels) == 2048
    assert (
        registry.get_sample_value("prodready_backup_last_success_duration_seconds", labels) == 12.5
    )
    started = registry.get_sample_value("prodready_backup_last_success_timestamp_seconds", labels)
    assert started == pytest.approx((timezone.now() - timedelta(hours=5)).timestamp(), abs=5)
    assert registry.get_sample_value("prodready_backup_last_verified_timestamp_seconds", labels)
