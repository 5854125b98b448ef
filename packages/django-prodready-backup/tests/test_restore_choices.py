"""`backup restore --latest [--target T]` and `--into ALIAS`."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from prodready_backup.backups import create_backup
from prodready_backup.targets import get_target

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "other", "copy"]),
    pytest.mark.usefixtures("backup_dir"),
]

OTHER = override_settings(PRODREADY_BACKUP_DATABASES=["default", "other"])


def groups(alias: str) -> list[str]:
    return sorted(Group.objects.using(alias).values_list("name", flat=True))


@OTHER
def test_latest_restores_the_newest_backup_of_the_target() -> None:
    Group.objects.using("other").create(name="first")
    create_backup(get_target("db-other"))
    Group.objects.using("other").create(name="second")
    newest = create_backup(get_target("db-other"))
    Group.objects.using("other").all().delete()

    out = io.StringIO()
    call_command("backup", "restore", "--latest", "--target", "db-other", "--yes", stdout=out)

    assert f"The newest backup of db-other is {newest.backup_id}." in out.getvalue()
    assert groups("other") == ["first", "second"]


@OTHER
def test_into_restores_into_another_database_and_leaves_the_source() -> None:
    Group.objects.using("other").create(name="from other")
    record = create_backup(get_target("db-other"))
    Group.objects.using("other").create(name="later")
    Group.objects.using("copy").create(name="replaced")

    call_command(
        "backup", "restore", record.backup_id, "--into", "copy", "--yes", stdout=io.StringIO()
    )

    assert groups("copy") == ["from other"]
    assert groups("other") == ["from other", "later"]


@OTHER
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--latest"], "--latest needs --target: the targets are db-default, db-other."),
        (["--into", "nope", "x"], "There is no database 'nope' in DATABASES"),
        ([], "Name the backup to restore"),
        (["--latest", "x", "--target", "db-other"], "Give a backup id or --latest, not both."),
    ],
)
def test_restore_choices_bad_input(argv: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        call_command("backup", "restore", *argv, "--yes")
    assert caught.value.returncode == 2


@OTHER
def test_latest_of_a_target_without_backups_fails_clearly() -> None:
    with pytest.raises(CommandError, match="db-other has no complete backup to restore"):
        call_command("backup", "restore", "--latest", "--target", "db-other", "--yes")
