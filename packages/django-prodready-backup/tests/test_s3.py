"""S3 through django-storages, against a local S3-compatible server (moto) over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from prodready_backup.backups import create_backup, find_backup, list_backups
from prodready_backup.errors import IntegrityError, TransientBackupError
from prodready_backup.models import BackupRecord
from prodready_backup.restore import restore_backup
from prodready_backup.targets import get_target
from prodready_backup.verify import verify_backup

boto3 = pytest.importorskip("boto3", reason="install django-prodready-backup[s3]")
pytest.importorskip("storages", reason="install django-prodready-backup[s3]")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other"]),
    pytest.mark.usefixtures("backup_dir"),  # for its key; the storage is S3 here
]

BUCKET = "site-backups"
CREDENTIALS = {"access_key": "testing-access", "secret_key": "testing-secret-key"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _storages(endpoint: str) -> dict[str, object]:
    return {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "backups": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                **CREDENTIALS,
            },
        },
    }


@pytest.fixture
def s3(endpoint: str) -> Iterator[object]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    with override_settings(
        STORAGES=_storages(endpoint),
        PRODREADY_BACKUP_STORAGE="backups",
        PRODREADY_BACKUP_DATABASES=["other"],
    ):
        yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_round_trip_through_s3(s3) -> None:  # type: ignore[no-untyped-def]
    Group.objects.using("other").bulk_create(Group(name=f"g{i}") for i in range(30))
    record = create_backup(get_target("db-other"))
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [f"db-other/{record.backup_id}.backup", f"db-other/{record.backup_id}.json"]
    assert [i.backup_id for i in list_backups()] == [record.backup_id]
    assert verify_backup(find_backup(record.backup_id), how="restore").ok

    Group.objects.using("other").all().delete()
    restore_backup(record.backup_id, confirm=lambda m: True)
    assert Group.objects.using("other").count() == 30


def test_object_altered_in_s3_is_refused(s3) -> None:  # type: ignore[no-untyped-def]
    record = create_backup(get_target("db-other"))
    key = f"db-other/{record.backup_id}.backup"
    blob = bytearray(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    blob[-10] ^= 0x01
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(blob))
    with pytest.raises(IntegrityError):
        restore_backup(record.backup_id, confirm=lambda m: True)


def test_unreachable_storage_is_a_transient_failure() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with (
        override_settings(
            STORAGES=_storages(f"http://127.0.0.1:{closed}"),
            PRODREADY_BACKUP_STORAGE="backups",
            PRODREADY_BACKUP_DATABASES=["other"],
        ),
        pytest.raises(TransientBackupError, match="backup storage failed"),
    ):
        create_backup(get_target("db-other"))
    record = BackupRecord.objects.get()
    assert record.status == "failed"
    assert record.failed_step == "upload"


LOCKED = "locked-backups"


@pytest.fixture
def locked_s3(endpoint: str) -> Iterator[object]:
    """A bucket with Object Lock, and backups retained in it for a day."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=LOCKED, ObjectLockEnabledForBucket=True)
    storages = _storages(endpoint)
    storages["backups"]["OPTIONS"]["bucket_name"] = LOCKED  # type: ignore[index]
    with override_settings(
        STORAGES=storages,
        PRODREADY_BACKUP_STORAGE="backups",
        PRODREADY_BACKUP_DATABASES=["other"],
        PRODREADY_BACKUP_OBJECT_LOCK_DAYS=1,
        PRODREADY_BACKUP_OBJECT_LOCK_MODE="COMPLIANCE",
    ):
        yield client
    # Retained versions cannot be deleted: the bucket goes with the server.


def test_retained_backups_cannot_be_deleted_or_overwritten(locked_s3) -> None:  # type: ignore[no-untyped-def]
    from botocore.exceptions import ClientError

    record = create_backup(get_target("db-other"))
    for key in (f"db-other/{record.backup_id}.backup", f"db-other/{record.backup_id}.json"):
        head = locked_s3.head_object(Bucket=LOCKED, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"] > timezone.now() + timedelta(hours=23)
        version = head["VersionId"]
        original = locked_s3.get_object(Bucket=LOCKED, Key=key)["Body"].read()
        with pytest.raises(ClientError, match="AccessDenied"):
            locked_s3.delete_object(Bucket=LOCKED, Key=key, VersionId=version)
        # An overwrite is a new version; the retained one stays as it was.
        locked_s3.put_object(Bucket=LOCKED, Key=key, Body=b"ransom note")
        kept = locked_s3.get_object(Bucket=LOCKED, Key=key, VersionId=version)["Body"].read()
        assert kept == original


def test_prune_keeps_what_is_still_retained(locked_s3) -> None:  # type: ignore[no-untyped-def]
    from prodready_backup.prune import prune

    records = [create_backup(get_target("db-other"), verify=False) for _ in range(3)]
    with override_settings(
        PRODREADY_BACKUP_KEEP_LAST=1,
        PRODREADY_BACKUP_KEEP_DAILY=0,
        PRODREADY_BACKUP_KEEP_WEEKLY=0,
        PRODREADY_BACKUP_KEEP_MONTHLY=0,
    ):
        (result,) = prune()
    assert result.plan.delete == []
    for record in records[:2]:
        (reason,) = result.plan.keep[record.backup_id]
        assert reason.startswith("retained until ")
    assert len(list_backups("db-other")) == 3


def test_object_lock_on_a_storage_without_it_fails_the_backup(s3) -> None:  # type: ignore[no-untyped-def]
    from prodready_backup.errors import BackupError

    with (
        override_settings(PRODREADY_BACKUP_OBJECT_LOCK_DAYS=1),
        pytest.raises(BackupError, match=r"Object Lock retention of .* failed"),
    ):
        create_backup(get_target("db-other"))
    assert BackupRecord.objects.get().failed_step == "upload"
