"""SQLite end to end: backup -> verify -> restore, and the failure modes, on real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from prodready_backup.backups import create_backup, find_backup, list_backups
from prodready_backup.crypto import generate_key
from prodready_backup.errors import IntegrityError, RefusedError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

OTHER = override_settings(PRODREADY_BACKUP_DATABASES=["default", "other"])


def groups(alias: str = "other") -> list[str]:
    return sorted(Group.objects.using(alias).values_list("name", flat=True))


@pytest.fixture
def backed_up() -> BackupRecord:
    Group.objects.using("other").bulk_create(Group(name=f"g{i}") for i in range(50))
    with OTHER:
        return create_backup(get_target("db-other"))


@OTHER
def test_round_trip_restores_the_data(backed_up: BackupRecord) -> None:
    Group.objects.using("other").filter(name__in=["g1", "g2"]).delete()
    Group.objects.using("other").create(name="after the backup")

    result = restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    assert groups() == sorted(f"g{i}" for i in range(50))
    assert result.safety_backup_id is not None
    safety = find_backup(result.safety_backup_id)
    assert safety.manifest.row_counts["auth_group"] == 49


@OTHER
def test_backup_is_recorded_verified_and_listed(backed_up: BackupRecord, backup_dir: Path) -> None:
    assert backed_up.status == "succeeded"
    assert backed_up.verified_ok is True
    assert backed_up.verified_how == "checksum"
    info = list_backups("db-other")[0]
    assert info.backup_id == backed_up.backup_id
    manifest = info.manifest
    assert manifest.engine == "sqlite"
    assert manifest.row_counts["auth_group"] == 50
    assert "auth.0001_initial" in manifest.migrations
    assert manifest.encryption == "aes-256-gcm"
    assert manifest.sha256 == backed_up.sha256
    assert manifest.app_versions["prodready_backup"]
    # Nothing temporary is left in the storage folder.
    assert sorted(p.name for p in (backup_dir / "db-other").iterdir()) == [
        f"{backed_up.backup_id}.backup",
        f"{backed_up.backup_id}.json",
    ]


@OTHER
def test_restore_test_verification_compares_row_counts(backed_up: BackupRecord) -> None:
    result = verify_backup(find_backup(backed_up.backup_id), how="restore")
    assert result.ok, result.problems
    backed_up.refresh_from_db()
    assert backed_up.verified_how == "restore"


@OTHER
def test_backup_without_manifest_is_not_listed(backed_up: BackupRecord, backup_dir: Path) -> None:
    (backup_dir / "db-other" / f"{backed_up.backup_id}.json").unlink()
    assert list_backups("db-other") == []


def _object(backup_dir: Path, record: BackupRecord) -> Path:
    return backup_dir / "db-other" / f"{record.backup_id}.backup"


@OTHER
@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_backup_is_refused_before_anything_changes(
    backed_up: BackupRecord, backup_dir: Path, damage: str
) -> None:
    path = _object(backup_dir, backed_up)
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[len(blob) // 2] ^= 0xFF
    else:
        del blob[len(blob) // 2 :]
    path.write_bytes(bytes(blob))
    Group.objects.using("other").create(name="current")

    with pytest.raises(IntegrityError):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)

    assert "current" in groups()
    assert not verify_backup(find_backup(backed_up.backup_id)).ok
    backed_up.refresh_from_db()
    assert backed_up.verified_ok is False
    # No safety backup was taken: the refusal came before anything else.
    assert BackupRecord.objects.filter(target="db-other").count() == 1


@OTHER
def test_wrong_key_is_refused_with_the_key_id(backed_up: BackupRecord) -> None:
    with (
        override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[generate_key()]),
        pytest.raises(IntegrityError, match=r"encrypted with key \w+, which is not in"),
    ):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)


@OTHER
def test_rotated_key_still_decrypts(backed_up: BackupRecord, key: str) -> None:
    with override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[generate_key(), key]):
        assert verify_backup(find_backup(backed_up.backup_id), how="checksum").ok


@OTHER
def test_declined_confirmation_changes_nothing(backed_up: BackupRecord) -> None:
    Group.objects.using("other").create(name="current")
    with pytest.raises(RefusedError, match="cancelled"):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: False)
    assert "current" in groups()


@OTHER
def test_foreign_engine_is_refused(backed_up: BackupRecord) -> None:
    from prodready_backup.targets.media import MediaTarget

    with (
        override_settings(PRODREADY_BACKUP_MEDIA=True),
        pytest.raises(RefusedError, match="sqlite backup and cannot be restored into media"),
    ):
        restore_backup(backed_up.backup_id, target_name=MediaTarget().name)


@OTHER
@pytest.mark.parametrize("compression", ["gzip", "none"])
def test_other_compressions_round_trip(compression: str) -> None:
    Group.objects.using("other").create(name="x")
    with override_settings(PRODREADY_BACKUP_COMPRESSION=compression):
        record = create_backup(get_target("db-other"))
    assert find_backup(record.backup_id).manifest.compression == compression
    assert verify_backup(find_backup(record.backup_id), how="restore").ok


@OTHER
def test_unencrypted_backups_work_without_keys_where_allowed() -> None:
    with override_settings(
        PRODREADY_BACKUP_ENCRYPTION_KEYS=[], PRODREADY_BACKUP_ALLOW_PLAINTEXT=True
    ):
        record = create_backup(get_target("db-other"))
        info = find_backup(record.backup_id)
        assert info.manifest.encryption == "none"
        assert verify_backup(info, how="restore").ok


@OTHER
def test_command_create_list_show_verify_restore(backed_up: BackupRecord, capsys) -> None:
    import json

    call_command("backup", "list", "--format", "json")
    listed = json.loads(capsys.readouterr().out)
    assert [b["backup_id"] for b in listed] == [backed_up.backup_id]
    call_command("backup", "show", backed_up.backup_id, "--format", "json")
    assert json.loads(capsys.readouterr().out)["target"] == "db-other"
    call_command("backup", "verify", backed_up.backup_id)
    assert "OK" in capsys.readouterr().out
    Group.objects.using("other").all().delete()
    call_command("backup", "restore", backed_up.backup_id, "--yes")
    assert len(groups()) == 50


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@OTHER
@pytest.mark.parametrize(
    "stdin",
    [io.StringIO(""), io.StringIO("yes\n"), Terminal("")],
    ids=["no terminal", "piped answer", "end of input on a terminal"],
)
def test_restore_without_an_answer_asks_for_yes(
    backed_up: BackupRecord, monkeypatch: pytest.MonkeyPatch, stdin: io.StringIO
) -> None:
    monkeypatch.setattr("sys.stdin", stdin)
    Group.objects.using("other").create(name="current")
    with pytest.raises(CommandError, match="no terminal to answer it: pass --yes") as caught:
        call_command("backup", "restore", backed_up.backup_id)
    assert caught.value.returncode == 2
    assert "current" in groups()


@OTHER
def test_restore_asks_on_a_terminal(
    backed_up: BackupRecord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("backup", "restore", backed_up.backup_id)
    assert "Type 'yes' to continue" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    Group.objects.using("other").all().delete()
    call_command("backup", "restore", backed_up.backup_id)
    assert len(groups()) == 50


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["create", "--target", "nope"], 2, "no backup target 'nope'"),
        (["show", "20990101T000000Z-abcdef"], 2, "no complete backup"),
        (["restore", "20990101T000000Z-abcdef", "--yes"], 2, "no complete backup"),
        (["list", "--target", "nope"], 2, "no backup target"),
    ],
)
def test_command_bad_input(argv: list[str], code: int, message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        call_command("backup", *argv)
    assert caught.value.returncode == code


@OTHER
def test_restore_and_failure_are_audit_events(backed_up: BackupRecord, audit_events) -> None:  # type: ignore[no-untyped-def]
    result = restore_backup(backed_up.backup_id, confirm=lambda manifest: True)
    events = [(event.action, event.data) for event in audit_events]
    actions = [action for action, _ in events]
    # The safety backup is verified before it counts as created.
    assert actions == ["backup.verified", "backup.created", "backup.restored"]
    restored = dict(events)["backup.restored"]
    assert restored["backup_id"] == backed_up.backup_id
    assert restored["safety_backup_id"] == result.safety_backup_id


@OTHER
def test_restore_is_refused_while_the_target_is_locked(backed_up: BackupRecord) -> None:
    from prodready_backup.errors import LockHeld
    from prodready_backup.lock import target_lock

    Group.objects.using("other").create(name="current")
    with target_lock("db-other"), pytest.raises(LockHeld):
        restore_backup(backed_up.backup_id, confirm=lambda manifest: True)
    assert "current" in groups()


@OTHER
def test_newer_manifest_format_is_refused(backed_up: BackupRecord, backup_dir: Path) -> None:
    import json

    path = backup_dir / "db-other" / f"{backed_up.backup_id}.json"
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="format version 99, newer") as caught:
        call_command("backup", "restore", backed_up.backup_id, "--yes")
    assert caught.value.returncode == 1


@OTHER
def test_indexes_on_django_functions_survive_verify_and_restore() -> None:
    # Django adds SQL functions to its SQLite connections; an index on an expression
    # such as ExtractMonth calls one, so a copy opened without them cannot even be checked.
    with connections["other"].cursor() as cursor:
        cursor.execute("CREATE TABLE lessons (id INTEGER PRIMARY KEY, day TEXT NOT NULL)")
        cursor.execute("CREATE INDEX lessons_month ON lessons (django_date_extract('month', day))")
        cursor.execute("INSERT INTO lessons (day) VALUES ('2026-09-14'), ('2026-10-02')")
    try:
        with override_settings(PRODREADY_BACKUP_VERIFY_AFTER_CREATE=False):
            record = create_backup(get_target("db-other"))
        result = verify_backup(find_backup(record.backup_id), how="restore")
        assert (result.ok, result.problems) == (True, [])
        restore_backup(record.backup_id, confirm=lambda manifest: True)
        with connections["other"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM lessons")
            assert cursor.fetchone() == (2,)
    finally:
        with connections["other"].cursor() as cursor:
            cursor.execute("DROP TABLE lessons")
