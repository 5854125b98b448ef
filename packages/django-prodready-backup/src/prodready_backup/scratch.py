"""The restore test's scratch database: where it is created and under which name.

A PostgreSQL restore test creates a database, restores into it and drops it. It is
created on the server of ``PRODREADY_BACKUP_VERIFY_DATABASE`` (an alias of DATABASES;
default: the target's own), named ``PRODREADY_BACKUP_VERIFY_PREFIX`` and a random
suffix, so it needs a role with CREATEDB there: a database check (in ``checks.py``)
says so before the weekly verify fails.
"""

from __future__ import annotations

import secrets

from prodready_backup.conf import conf


def scratch_alias(target_alias: str) -> str:
    """The alias of DATABASES on whose server ``target_alias``'s restore test runs."""
    return conf.BACKUP_VERIFY_DATABASE or target_alias


def scratch_name() -> str:
    return f"{conf.BACKUP_VERIFY_PREFIX}{secrets.token_hex(6)}"
