"""Readiness findings of the audit log: the application's database role, checkpoints."""

from __future__ import annotations

import os

import pytest
from django.db import connections
from django.test import override_settings

from prodready import hooks
from prodready_security.audit.checkpoints import generate_key
from prodready_security.audit.models import AuditEvent
from tests.audit_support import PG, audit_db, on_postgres

__all__ = ["audit_db"]

ROLE = f"prodready_app_{os.getpid()}"


def found() -> dict[str, object]:
    return {
        f.id: f for f in hooks.readiness_findings() if f.id.startswith("prodready_security.R04")
    }


def set_role(owner: bool) -> None:
    """Act as a fresh role for the rest of the test's transaction (rolled back after)."""
    with connections[PG].cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE}")
        if owner:
            cursor.execute(f"ALTER TABLE {AuditEvent._meta.db_table} OWNER TO {ROLE}")
        cursor.execute(f"SET LOCAL ROLE {ROLE}")


@on_postgres[0]
@on_postgres[1]
@pytest.mark.parametrize(
    ("role", "passed", "detail"),
    [
        ("superuser", False, "a superuser"),
        ("owner", False, "which owns the audit table"),
        ("application", True, ""),
    ],
)
def test_the_role_may_not_be_a_superuser_or_own_the_table(
    audit_db: str, role: str, passed: bool, detail: str
) -> None:
    if role != "superuser":  # the tests connect as a superuser
        set_role(owner=role == "owner")
    finding = found()["prodready_security.R040"]
    assert (finding.passed, finding.detail.endswith(detail)) == (passed, True)  # type: ignore[attr-defined]


def test_no_role_finding_on_sqlite() -> None:
    assert "prodready_security.R040" not in found()


def test_checkpoints_finding_follows_the_settings() -> None:
    assert not found()["prodready_security.R041"].passed  # type: ignore[attr-defined]
    with override_settings(
        PRODREADY_AUDIT_CHECKPOINT_STORAGE="default",
        PRODREADY_AUDIT_CHECKPOINT_KEYS=[generate_key("k")[0]],
    ):
        assert found()["prodready_security.R041"].passed  # type: ignore[attr-defined]
