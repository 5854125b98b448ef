"""The ``audit:chain`` check gives up on a blackholed database within the probe's timeouts.

The audit database here is a socket that accepts connections and never answers. The
check's queries go over core's probe connection (connect and statement timeouts), so
its thread fails after about the check's timeout instead of hanging for minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from prodready.health.base import HealthCheckError
from prodready.health.probes import kept
from prodready.health.testing import silent_server
from prodready_security.audit.health import AuditChainHeadCheck

TIMEOUT = 1.0  # libpq rounds connect timeouts below 2 s up to 2 s
JOIN_BOUND = 15.0  # far above the 2 s the check should take, far below the hang (minutes)


@pytest.fixture
def blackholed_alias(monkeypatch: pytest.MonkeyPatch, django_db_blocker: Any) -> Iterator[str]:
    """A PostgreSQL alias ``blackholed`` whose server never answers; the log's database.

    Database access is allowed without a test transaction: the alias never answers.
    """
    pytest.importorskip("psycopg")
    with silent_server() as (host, port), django_db_blocker.unblock():
        settings_dict = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": host,
            "PORT": port,
            "NAME": "app",
        }
        configured = connections.configure_settings({"default": {}, "blackholed": settings_dict})
        monkeypatch.setitem(connections.settings, "blackholed", configured["blackholed"])
        with override_settings(
            PRODREADY_AUDIT_DATABASE="blackholed", PRODREADY_HEALTH_CHECK_TIMEOUT=TIMEOUT
        ):
            yield "blackholed"
        kept.forget()


def test_the_check_fails_within_its_timeout_on_a_blackholed_database(
    blackholed_alias: str,
) -> None:
    outcome: list[BaseException | str | None] = []

    def run() -> None:
        try:
            outcome.append(AuditChainHeadCheck().check())
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(JOIN_BOUND)

    assert not thread.is_alive(), "the check's thread still waits for the database"
    [error] = outcome
    assert isinstance(error, HealthCheckError)
    assert str(error) == (
        "the audit database 'blackholed' could not be read (OperationalError); see the server log"
    )
