"""Helpers for the audit log's tests: the PostgreSQL alias, tampering, concurrent writers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import override_settings

import prodready
from prodready_security.audit import sealer_thread
from prodready_security.audit.models import AuditEvent
from prodready_security.audit.sealing import seal_pending

PG = "postgres"

# Tests that run the audit log on real PostgreSQL: the trigger, locks and jsonb.
on_postgres = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(databases=["default", PG]),
]
on_postgres_committed = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(databases=["default", PG], transaction=True),
]


# Runs a test once with the log on SQLite and once on PostgreSQL (``audit_db`` fixture).
on_both_databases = pytest.mark.parametrize(
    "audit_db",
    [
        pytest.param("default", marks=pytest.mark.django_db, id="sqlite"),
        pytest.param("postgres", marks=on_postgres, id="postgresql"),
    ],
    indirect=True,
)


@pytest.fixture
def audit_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """The alias holding the log: "postgres" for tests marked requires_postgres."""
    default = PG if request.node.get_closest_marker("requires_postgres") else "default"
    alias = getattr(request, "param", default)
    with override_settings(PRODREADY_AUDIT_DATABASE=alias):
        yield alias
    # Before the database is flushed or dropped: the sealer thread's last run and
    # its connection end here, not in the next test.
    sealer_thread.stop()


def events(alias: str) -> list[AuditEvent]:
    """Every event in chain order, sealed first: inside a test's transaction nothing
    commits, so the sealer thread that commits wake on PostgreSQL never would (and once
    it has run, it holds no lock that would make this seal give up)."""
    assert sealer_thread.flush(timeout=30)
    seal_pending(alias)
    return list(AuditEvent.objects.using(alias).order_by("sequence"))


def tamper(alias: str, sequence: int, **values: Any) -> None:
    """Change a stored event behind the application's back (on PostgreSQL, past the trigger)."""
    connection = connections[alias]
    table = AuditEvent._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser only: triggers do not fire for replication sessions.
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE sequence = %s",
                [*values.values(), sequence],
            )
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def write_events(writer: int, count: int) -> None:
    """One concurrent writer: ``count`` events through ``prodready.audit``, then disconnect."""
    try:
        for number in range(count):
            prodready.audit("test.concurrent", writer=writer, number=number)
    finally:
        connections.close_all()


class RolledBack(Exception):
    pass


def rolled_back(number: int) -> bool:
    return number % 3 == 2


def write_events_with_rollbacks(writer: int, count: int) -> None:
    """``count`` transactions of one event each; those ``rolled_back`` are rolled back."""
    try:
        for number in range(count):
            try:
                with transaction.atomic(using=PG):
                    prodready.audit("test.concurrent", writer=writer, number=number)
                    if rolled_back(number):
                        raise RolledBack
            except RolledBack:
                pass
    finally:
        connections.close_all()
