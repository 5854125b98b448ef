"""System checks for django-prodready-backup's settings.

Ids are stable and never reused:

- ``prodready_backup.E001`` an encryption key is not 32 bytes of base64
- ``prodready_backup.E002`` PRODREADY_BACKUP_STORAGE names no storage in STORAGES
- ``prodready_backup.E003`` a schedule is not a five-field cron expression
- ``prodready_backup.E004`` PRODREADY_BACKUP_DATABASES names an unknown database alias
- ``prodready_backup.E005`` PRODREADY_BACKUP_MEDIA_STORAGE names no storage in STORAGES
- ``prodready_backup.E006`` the same encryption key is listed twice
- ``prodready_backup.E007`` the media target is on but its storage has no root (MEDIA_ROOT empty)
- ``prodready_backup.E008`` the media root is or holds the project, the settings, a
  database file or the backups
- ``prodready_backup.E009`` backups would be unencrypted with DEBUG off
- ``prodready_backup.E010`` PRODREADY_BACKUP_VERIFY_DATABASE is not a PostgreSQL alias
- ``prodready_backup.E011`` PRODREADY_BACKUP_VERIFY_PREFIX is not a usable database name
- ``prodready_backup.E012`` a backed-up PostgreSQL database's role cannot create the
  restore test's scratch database (a database check)
- ``prodready_backup.E013`` a MySQL/MariaDB database is backed up but its dump tool or
  client is not found
- ``prodready_backup.W001`` backups are not encrypted (deploy only)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.db import DatabaseError, connections

from prodready.checks import reads_settings
from prodready_backup.conf import conf
from prodready_backup.crypto import KeyError_, parse_key
from prodready_backup.errors import Problem
from prodready_backup.scratch import scratch_alias

# A cron field: "*", numbers, ranges and steps, comma-separated, or a name ("mon-fri").
_ITEM = r"(\*|\d+(-\d+)?|[a-zA-Z]{3}(-[a-zA-Z]{3})?)(/\d+)?"
_CRON_FIELD = re.compile(rf"^{_ITEM}(,{_ITEM})*$")
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
# A scratch database's prefix: what PostgreSQL takes unquoted, leaving room for the 12
# random characters (63 in all).
_SCRATCH_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,50}")
_SCHEDULES = ("BACKUP_SCHEDULE", "BACKUP_VERIFY_SCHEDULE", "BACKUP_PRUNE_SCHEDULE")


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple))  # wrong types are prodready.E002


@reads_settings
def check_keys(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    keys = conf.BACKUP_ENCRYPTION_KEYS
    if not _is_list(keys):
        return []
    messages: list[CheckMessage] = []
    seen: dict[str, int] = {}
    values: list[object] = list(keys)  # as set, which may not be what the type says
    for position, value in enumerate(values):
        if not isinstance(value, str):
            continue
        try:
            key = parse_key(value)
        except KeyError_ as exc:
            # Never echo the value: it is (meant to be) a secret.
            messages.append(
                Error(
                    f"PRODREADY_BACKUP_ENCRYPTION_KEYS[{position}] {exc}; expected 32 random "
                    "bytes encoded as base64.",
                    hint='Generate a key with `python -c "import base64, os; '
                    'print(base64.b64encode(os.urandom(32)).decode())"` and keep it in '
                    "the environment.",
                    id="prodready_backup.E001",
                )
            )
            continue
        if key.id in seen:
            messages.append(
                Error(
                    f"PRODREADY_BACKUP_ENCRYPTION_KEYS[{position}] repeats key "
                    f"[{seen[key.id]}] (key id {key.id}).",
                    hint="List each key once, newest first.",
                    id="prodready_backup.E006",
                )
            )
        seen.setdefault(key.id, position)
    return messages


@reads_settings
def check_storages(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    known = sorted(getattr(settings, "STORAGES", {}))
    alias = conf.BACKUP_STORAGE
    if isinstance(alias, str) and alias not in known:
        messages.append(
            Error(
                f"PRODREADY_BACKUP_STORAGE is {alias!r}, which is not an alias in STORAGES "
                f"({', '.join(known) or 'none'}).",
                hint="Add that alias to STORAGES, or set PRODREADY_BACKUP_STORAGE to None "
                "for a FileSystemStorage at PRODREADY_BACKUP_DIRECTORY.",
                id="prodready_backup.E002",
            )
        )
    media = conf.BACKUP_MEDIA_STORAGE
    if conf.BACKUP_MEDIA is not False and isinstance(media, str) and media not in known:
        messages.append(
            Error(
                f"PRODREADY_BACKUP_MEDIA_STORAGE is {media!r}, which is not an alias in "
                f"STORAGES ({', '.join(known) or 'none'}).",
                hint="Name the storage of your media files, or set PRODREADY_BACKUP_MEDIA "
                "to False.",
                id="prodready_backup.E005",
            )
        )
    return messages


@reads_settings
def check_schedules(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in _SCHEDULES:
        value = getattr(conf, name)
        if not isinstance(value, str) or value == "":
            continue
        if not valid_cron(value):
            messages.append(
                Error(
                    f"PRODREADY_{name} is {value!r}, which is not a cron expression of five "
                    "fields (minute hour day-of-month month day-of-week).",
                    hint=f'For example PRODREADY_{name} = "0 3 * * *" (every day at 03:00), '
                    'or "" to schedule nothing.',
                    id="prodready_backup.E003",
                )
            )
    return messages


@reads_settings
def check_databases(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    aliases = conf.BACKUP_DATABASES
    if aliases is None or not _is_list(aliases):
        return []
    unknown = [a for a in aliases if a not in settings.DATABASES]
    if not unknown:
        return []
    return [
        Error(
            f"PRODREADY_BACKUP_DATABASES names {', '.join(map(repr, unknown))}, not in "
            f"DATABASES ({', '.join(settings.DATABASES)}).",
            hint="List aliases of DATABASES, or set it to None to back up every database.",
            id="prodready_backup.E004",
        )
    ]


@reads_settings
def check_media_root(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from django.core.files.storage import storages

    from prodready_backup.targets.media_root import media_target_enabled, unsafe_root

    alias = conf.BACKUP_MEDIA_STORAGE
    if not isinstance(alias, str) or alias not in getattr(settings, "STORAGES", {}):
        return []  # prodready_backup.E005
    if not media_target_enabled():
        return []
    return _errors([unsafe_root(storages[alias], alias)])


@reads_settings
def check_plaintext(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    from prodready_backup.plaintext import plaintext_problem

    if not _is_list(conf.BACKUP_ENCRYPTION_KEYS):
        return []
    return _errors([plaintext_problem()])


@reads_settings
def check_mysql_tools(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from prodready_backup.targets.mysql_client import missing_tools

    aliases = conf.BACKUP_DATABASES
    if aliases is not None and not _is_list(aliases):
        return []
    backed_up = settings.DATABASES if aliases is None else aliases
    if not any(
        alias in settings.DATABASES and connections[alias].vendor == "mysql" for alias in backed_up
    ):
        return []
    return _errors([missing_tools()])


def _errors(problems: list[Problem | None]) -> list[CheckMessage]:
    return [Error(p.message, hint=p.hint, id=p.id) for p in problems if p is not None]


@reads_settings
def check_encryption_deploy(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from prodready_backup.plaintext import plaintext_problem

    if conf.BACKUP_ENCRYPTION_KEYS or plaintext_problem() is not None:
        return []  # encrypted, or already the error prodready_backup.E009
    return [
        Warning(
            "Backups are written unencrypted: PRODREADY_BACKUP_ENCRYPTION_KEYS is empty.",
            hint="Set PRODREADY_BACKUP_ENCRYPTION_KEYS to a list with one base64 key of 32 "
            "bytes, read from the environment.",
            id="prodready_backup.W001",
        )
    ]


def valid_cron(value: str) -> bool:
    fields = value.split()
    if len(fields) != 5:
        return False
    for field, (low, high) in zip(fields, _BOUNDS, strict=True):
        if not _CRON_FIELD.match(field):
            return False
        # Steps ("*/15") may be any positive number; values and ranges must be in bounds.
        values = re.findall(r"(?<![/\d])\d+", field)
        if any(not low <= int(number) <= high for number in values):
            return False
    return True


@reads_settings
def check_scratch_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    alias = conf.BACKUP_VERIFY_DATABASE
    if alias is not None and (
        alias not in settings.DATABASES or connections[alias].vendor != "postgresql"
    ):
        messages.append(
            Error(
                f"PRODREADY_BACKUP_VERIFY_DATABASE is {alias!r}, which is not a PostgreSQL "
                f"database of DATABASES ({', '.join(settings.DATABASES)}).",
                hint="Name a PostgreSQL alias whose role may create databases, or set it "
                "to None to run each restore test on its own database's server.",
                id="prodready_backup.E010",
            )
        )
    prefix = conf.BACKUP_VERIFY_PREFIX
    if not _SCRATCH_PREFIX.fullmatch(prefix):
        messages.append(
            Error(
                f"PRODREADY_BACKUP_VERIFY_PREFIX is {prefix!r}: a scratch database name must "
                "start with a lowercase letter or _ and hold only those and digits.",
                hint="Use lowercase letters, digits and _, at most 51 characters, such as "
                '"prodready_verify_".',
                id="prodready_backup.E011",
            )
        )
    return messages


def check_scratch_role(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """A database check (``check --database``, ``migrate``): the role may create the scratch."""
    backed_up = conf.BACKUP_DATABASES
    aliases = sorted(
        {
            scratch_alias(alias)
            for alias in (settings.DATABASES if backed_up is None else backed_up)
            if alias in settings.DATABASES and connections[alias].vendor == "postgresql"
        }
    )
    messages: list[CheckMessage] = []
    for alias in aliases:
        if databases is None or alias not in databases or alias not in settings.DATABASES:
            continue
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT current_user, rolcreatedb OR rolsuper FROM pg_roles "
                    "WHERE rolname = current_user"
                )
                role, allowed = cursor.fetchone()
        except DatabaseError:
            continue  # an unreachable database is the health checks' to report
        if not allowed:
            messages.append(
                Error(
                    f"The role {role!r} of DATABASES[{alias!r}] cannot create databases: "
                    "`backup verify` restores each backup into a scratch database and "
                    "would fail.",
                    hint=f'Run `ALTER ROLE "{role}" CREATEDB`, or set '
                    "PRODREADY_BACKUP_VERIFY_DATABASE to an alias whose role may.",
                    id="prodready_backup.E012",
                )
            )
    return messages
