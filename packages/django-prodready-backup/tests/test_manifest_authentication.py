"""The manifest is authenticated and an object restores only under its own manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from prodready_backup import crypto
from prodready_backup.backups import create_backup, find_backup
from prodready_backup.errors import IntegrityError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from tests.lost_row import lost_row_warning, restore_with_a_row_lost

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),
]

OTHER = override_settings(PRODREADY_BACKUP_DATABASES=["default", "other"])


def groups() -> list[str]:
    return sorted(Group.objects.using("other").values_list("name", flat=True))


def two_backups() -> tuple[BackupRecord, BackupRecord]:
    """A backup of groups a0..a9, then one of b0..b4 only."""
    Group.objects.using("other").bulk_create(Group(name=f"a{i}") for i in range(10))
    first = create_backup(get_target("db-other"))
    Group.objects.using("other").all().delete()
    Group.objects.using("other").bulk_create(Group(name=f"b{i}") for i in range(5))
    second = create_backup(get_target("db-other"))
    return first, second


def paths(folder: Path, record: BackupRecord) -> tuple[Path, Path]:
    base = folder / "db-other" / record.backup_id
    return base.with_suffix(".backup"), base.with_suffix(".json")


def edit(path: Path, **changes: object) -> None:
    raw = json.loads(path.read_bytes())
    raw.update(changes)
    for name, value in changes.items():
        if value is None:
            del raw[name]
    path.write_text(json.dumps(raw))


@OTHER
def test_a_swapped_object_is_refused_before_anything_is_touched(backup_dir: Path) -> None:
    first, second = two_backups()
    first_object, first_manifest = paths(backup_dir, first)
    second_object, second_manifest = paths(backup_dir, second)
    stolen = json.loads(second_manifest.read_bytes())
    shutil.copyfile(second_object, first_object)
    # The checksum and sizes are copied, as an attacker with write access would.
    sizes = {k: stolen[k] for k in ("sha256", "stored_bytes", "source_bytes", "row_counts")}
    edit(first_manifest, **sizes)
    Group.objects.using("other").create(name="untouched")
    before = groups()

    with pytest.raises(IntegrityError, match=r"manifest of backup .* fails authentication"):
        restore_backup(first.backup_id)

    assert groups() == before
    # No safety backup either: the refusal came before anything was done.
    assert not BackupRecord.objects.filter(reason__startswith="before restoring").exists()


@OTHER
def test_a_swapped_object_under_an_unsigned_manifest_is_refused(backup_dir: Path) -> None:
    first, second = two_backups()
    first_object, first_manifest = paths(backup_dir, first)
    second_object, second_manifest = paths(backup_dir, second)
    stolen = json.loads(second_manifest.read_bytes())
    shutil.copyfile(second_object, first_object)
    # Posing as a backup from before manifests were signed.
    sizes = {k: stolen[k] for k in ("sha256", "stored_bytes", "source_bytes")}
    edit(first_manifest, format_version=1, signature=None, **sizes)
    before = groups()

    with pytest.raises(IntegrityError, match="manifest was replaced"):
        restore_backup(first.backup_id)

    assert groups() == before


@OTHER
def test_a_signed_manifest_copied_under_another_name_is_refused(backup_dir: Path) -> None:
    first, second = two_backups()
    first_object, first_manifest = paths(backup_dir, first)
    second_object, second_manifest = paths(backup_dir, second)
    shutil.copyfile(second_object, first_object)
    shutil.copyfile(second_manifest, first_manifest)

    with pytest.raises(IntegrityError, match="copied from another backup"):
        find_backup(first.backup_id)


def test_an_object_decrypts_only_with_its_own_identity() -> None:
    import io

    from prodready_backup.pipeline import Counters, decode, encode

    key = crypto.parse_key(crypto.generate_key())
    mine = crypto.identity("20260101T000000Z-aaaaaa", "db-other", "sqlite", "2026-01-01")
    theirs = crypto.identity("20260101T000000Z-bbbbbb", "db-other", "sqlite", "2026-01-01")
    blob = b"".join(
        encode([b"data"], compression_name="zstd", key=key, counters=Counters(), identity=mine)
    )
    assert b"".join(decode(io.BytesIO(blob), keys=[key], sha256=None, identity=mine)) == b"data"
    with pytest.raises(IntegrityError, match="belongs to another backup"):
        b"".join(decode(io.BytesIO(blob), keys=[key], sha256=None, identity=theirs))


@OTHER
def test_a_backup_made_before_signatures_still_restores(
    backup_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Group.objects.using("other").bulk_create(Group(name=f"a{i}") for i in range(10))
    with monkeypatch.context() as patch:
        patch.setattr(crypto, "FORMAT_VERSION", 1)
        legacy = create_backup(get_target("db-other"))
    _object, manifest = paths(backup_dir, legacy)
    edit(manifest, format_version=1, signature=None)
    Group.objects.using("other").all().delete()

    restore_backup(legacy.backup_id)

    assert groups() == [f"a{i}" for i in range(10)]


@OTHER
@override_settings(PRODREADY_BACKUP_ENCRYPTION_KEYS=[], PRODREADY_BACKUP_ALLOW_PLAINTEXT=True)
def test_plaintext_backups_still_restore() -> None:
    Group.objects.using("other").bulk_create(Group(name=f"a{i}") for i in range(3))
    record = create_backup(get_target("db-other"))
    assert find_backup(record.backup_id).manifest.signature == ""
    Group.objects.using("other").all().delete()

    restore_backup(record.backup_id)

    assert groups() == ["a0", "a1", "a2"]


@OTHER
def test_a_restore_compares_the_row_counts_with_the_manifest(backup_dir: Path, key: str) -> None:
    _record, result = restore_with_a_row_lost("other", "db-other", backup_dir, key)

    assert result.warnings == [lost_row_warning(result)]


@OTHER
def test_an_exact_restore_has_no_warning() -> None:
    Group.objects.using("other").bulk_create(Group(name=f"a{i}") for i in range(10))
    record = create_backup(get_target("db-other"))
    assert restore_backup(record.backup_id).warnings == []
