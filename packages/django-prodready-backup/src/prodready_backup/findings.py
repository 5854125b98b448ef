"""Readiness findings: what about backups is not ready for production."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError

from prodready import Finding
from prodready_backup.conf import conf

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def findings() -> list[Finding]:
    return [_encrypted(), _elsewhere(), _scheduled(), _restore_tested()]


def _encrypted() -> Finding:
    return Finding(
        id="prodready_backup.R001",
        category="backups",
        title="Backups are encrypted",
        passed=bool(conf.BACKUP_ENCRYPTION_KEYS),
        fix="Set PRODREADY_BACKUP_ENCRYPTION_KEYS to [a base64 key of 32 bytes] from the "
        "environment, and keep a copy of the key away from the backups.",
        weight=3,
    )


def _elsewhere() -> Finding:
    shared = _databases_on_backup_disk()
    return Finding(
        id="prodready_backup.R002",
        category="backups",
        title="Backups are stored away from the database",
        passed=not shared,
        fix="Point PRODREADY_BACKUP_STORAGE at a storage on another machine (S3 through "
        "django-storages, for example): a lost disk must not take the backups with it.",
        weight=3,
        detail=f"on the same machine as: {', '.join(shared)}" if shared else "",
    )


def _databases_on_backup_disk() -> list[str]:
    from prodready_backup.storage import backup_storage

    try:
        store = backup_storage()
    except Exception:
        return []  # reported by the system checks
    if not isinstance(store, FileSystemStorage):
        return []
    location = _existing(Path(store.location))
    shared = []
    for alias, database in settings.DATABASES.items():
        engine = database.get("ENGINE", "")
        if "sqlite" in engine:
            name = str(database.get("NAME", ""))
            in_memory = not name or name == ":memory:" or name.startswith("file:")
            if not in_memory and _device(Path(name)) == _device(location):
                shared.append(alias)
        elif str(database.get("HOST", "")) in LOCAL_HOSTS or str(database.get("HOST")).startswith(
            "/"
        ):
            shared.append(alias)  # a local server: its data directory is on this machine
    return shared


def _device(path: Path) -> int:
    return os.stat(_existing(path)).st_dev


def _existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def _scheduled() -> Finding:
    from prodready.heartbeat import scheduler_status

    # A schedule in settings is only a wish until Celery beat runs it.
    if not conf.BACKUP_SCHEDULE:
        passed, detail = False, "PRODREADY_BACKUP_SCHEDULE is empty"
    else:
        status = scheduler_status()
        passed, detail = status.running, f"scheduled but not run: {status.message}"
    return Finding(
        id="prodready_backup.R003",
        category="backups",
        title="Backups are scheduled and a scheduler runs them",
        passed=passed,
        fix='Set PRODREADY_BACKUP_SCHEDULE (for example "0 3 * * *"), call '
        "prodready.schedule.connect(app) where you create the Celery app, and run Celery beat.",
        weight=2,
        detail="" if passed else detail,
    )


def _restore_tested() -> Finding:
    from prodready_backup.models import BackupRecord
    from prodready_backup.targets import all_targets

    try:
        targets = [t.name for t in all_targets()]
        tested = set(
            BackupRecord.objects.filter(verified_how="restore", verified_ok=True).values_list(
                "target", flat=True
            )
        )
    except DatabaseError:
        tested, targets = set(), ["(the backup tables are missing: run migrate)"]
    untested = [name for name in targets if name not in tested]
    return Finding(
        id="prodready_backup.R004",
        category="backups",
        title="Every target has a backup that passed a restore test",
        passed=not untested,
        fix="Run `manage.py backup verify` (and keep PRODREADY_BACKUP_VERIFY_SCHEDULE set) "
        "so a restore is proven before it is needed.",
        weight=2,
        detail=f"never restore-tested: {', '.join(untested)}" if untested else "",
    )
