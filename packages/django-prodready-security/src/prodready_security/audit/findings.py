"""Readiness findings of the audit log (``prodready_readiness_findings``).

- ``prodready_security.R040`` (security) the application's database role can neither
  disable the audit trigger nor rewrite the log: it is not a superuser and does not
  own the audit table (PostgreSQL only)
- ``prodready_security.R041`` (security) signed checkpoints are written outside the
  database (``PRODREADY_AUDIT_CHECKPOINT_STORAGE`` and ``..._KEYS``)
"""

from __future__ import annotations

from django.db import DatabaseError, connections

from prodready import Finding
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

# The table's owner is NULL before migrate: then only superuser matters.
ROLE_SQL = """
SELECT current_user, role.rolsuper, COALESCE(pg_has_role(current_user, (
    SELECT relowner FROM pg_class WHERE oid = to_regclass(%s)), 'MEMBER'), false)
FROM pg_roles AS role WHERE role.rolname = current_user
"""


def findings() -> list[Finding]:
    found = [checkpoints_outside()]
    if connections[conf.AUDIT_DATABASE].vendor == "postgresql":
        found.insert(0, database_role())
    return found


def database_role() -> Finding:
    try:
        with connections[conf.AUDIT_DATABASE].cursor() as cursor:
            cursor.execute(ROLE_SQL, [AuditEvent._meta.db_table])
            row = cursor.fetchone()
    except DatabaseError:
        row, detail = None, "the audit database could not be asked (is it up?)"
    else:
        detail = ""
    if row is not None:
        role, superuser, owner = row
        if superuser:
            detail = f"the application connects as {role!r}, a superuser"
        elif owner:
            detail = f"the application connects as {role!r}, which owns the audit table"
    return Finding(
        "prodready_security.R040",
        "security",
        "The application's database role cannot disable the audit log's trigger",
        row is not None and not detail,
        fix="Run migrations as the owner role and the application as a role that owns "
        "nothing and is not a superuser, granted only SELECT, INSERT, UPDATE, DELETE on the "
        "tables (see the security README, 'Database roles').",
        weight=2,
        detail=detail,
    )


def checkpoints_outside() -> Finding:
    passed = bool(conf.AUDIT_CHECKPOINT_STORAGE and conf.AUDIT_CHECKPOINT_KEYS)
    return Finding(
        "prodready_security.R041",
        "security",
        "Signed audit checkpoints are kept outside the database",
        passed,
        fix="Set PRODREADY_AUDIT_CHECKPOINT_STORAGE to a storage the database's users cannot "
        "rewrite and PRODREADY_AUDIT_CHECKPOINT_KEYS from the environment (make a key with "
        "`manage.py audit checkpoint-key ID`).",
        weight=1,
        detail=""
        if passed
        else "without them, whoever owns the database can rewrite the log undetected",
    )
