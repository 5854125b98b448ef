"""The restore test's scratch database: where it is created, under which name, and
whether the database role may create it.

A PostgreSQL restore test creates a database, restores into it and drops it. It is
created on the server of ``PRODREADY_BACKUP_VERIFY_DATABASE`` (an alias of DATABASES;
default: the target's own), named ``PRODREADY_BACKUP_VERIFY_PREFIX`` and a random
suffix, so it needs a role with CREATEDB there: a database check says so before the
weekly verify fails.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.db import DatabaseError, connections

from prodready.checks import reads_settings
from prodready_backup.conf import conf

#: What PostgreSQL takes unquoted, leaving room for the 12 random characters (63 in all).
_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,50}")


def scratch_alias(target_alias: str) -> str:
    """The alias of DATABASES on whose server ``target_alias``'s restore test runs."""
    return conf.BACKUP_VERIFY_DATABASE or target_alias


def scratch_name() -> str:
    return f"{conf.BACKUP_VERIFY_PREFIX}{secrets.token_hex(6)}"


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
    if not _PREFIX.fullmatch(prefix):
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
