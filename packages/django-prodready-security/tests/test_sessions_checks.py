"""Session settings: system checks, readiness findings and the periodic cleanup task."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

from prodready import hooks
from prodready.schedule import PeriodicTask, beat_schedule
from tests.sessions_support import ACTIVITY

# Django 6.1 runs model checks against every database, and the audit log's JSONField
# asks SQLite whether it supports JSON: running all checks needs the test database.
pytestmark = pytest.mark.django_db

AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def session_check_ids(**overrides: Any) -> list[str]:
    with override_settings(**overrides):
        messages = checks.run_checks()
    return sorted(m.id for m in messages if m.id and m.id.startswith("prodready_security.E07"))


def with_activity() -> list[str]:
    return [*settings.MIDDLEWARE, ACTIVITY]


def test_the_defaults_pass() -> None:
    assert session_check_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"PRODREADY_SESSIONS_IDLE_TIMEOUT": 1800, "MIDDLEWARE": with_activity()}, []),
        ({"PRODREADY_SESSIONS_IDLE_TIMEOUT": 30, "MIDDLEWARE": with_activity()}, ["E070"]),
        ({"PRODREADY_SESSIONS_IDLE_TIMEOUT": 0}, ["E070"]),
        ({"PRODREADY_SESSIONS_IDLE_TIMEOUT": 1800}, ["E071"]),
        ({"MIDDLEWARE": [ACTIVITY, *settings.MIDDLEWARE]}, ["E072"]),
        ({"MIDDLEWARE": [m for m in with_activity() if m != AUTH]}, ["E072"]),
        ({"PRODREADY_SESSIONS_CLEANUP_SCHEDULE": "hourly"}, ["E073"]),
        ({"PRODREADY_SESSIONS_CLEANUP_SCHEDULE": ""}, []),
        ({"PRODREADY_SESSIONS_IDLE_WARNING": -1}, ["E074"]),
        ({"PRODREADY_SESSIONS_IDLE_WARNING": 0}, []),
        (
            {
                "PRODREADY_SESSIONS_IDLE_TIMEOUT": 120,
                "PRODREADY_SESSIONS_IDLE_WARNING": 120,
                "MIDDLEWARE": with_activity(),
            },
            ["E074"],
        ),
        (
            {
                "PRODREADY_SESSIONS_IDLE_TIMEOUT": 120,
                "PRODREADY_SESSIONS_IDLE_WARNING": 60,
                "MIDDLEWARE": with_activity(),
            },
            [],
        ),
    ],
)
def test_bad_settings(overrides: dict[str, Any], expected: list[str]) -> None:
    assert session_check_ids(**overrides) == [f"prodready_security.{e}" for e in expected]


def findings() -> dict[str, Any]:
    return {
        f.id: f for f in hooks.readiness_findings() if f.id.startswith("prodready_security.R07")
    }


def test_findings_fail_by_default_and_name_the_cause() -> None:
    found = findings()
    assert sorted(found) == ["prodready_security.R070", "prodready_security.R071"]
    assert not found["prodready_security.R070"].passed
    assert "PRODREADY_SESSIONS_IDLE_TIMEOUT is None" in found["prodready_security.R070"].detail
    assert found["prodready_security.R071"].passed  # the database backend


def test_findings_pass_when_configured() -> None:
    with override_settings(PRODREADY_SESSIONS_IDLE_TIMEOUT=1800, MIDDLEWARE=with_activity()):
        assert findings()["prodready_security.R070"].passed


def test_signed_cookie_sessions_cannot_be_revoked() -> None:
    engine = "django.contrib.sessions.backends.signed_cookies"
    with override_settings(SESSION_ENGINE=engine):
        finding = findings()["prodready_security.R071"]
    assert not finding.passed
    assert "signed_cookies" in finding.detail


def test_the_cleanup_is_a_periodic_task() -> None:
    expected = PeriodicTask(
        name="prodready_security.cleanup", task="prodready_security.cleanup", cron="23 * * * *"
    )
    assert expected in hooks.periodic_tasks()
    entry = beat_schedule()["prodready_security.cleanup"]
    assert entry["task"] == "prodready_security.cleanup"
    with override_settings(PRODREADY_SESSIONS_CLEANUP_SCHEDULE=""):
        assert all(task.name != "prodready_security.cleanup" for task in hooks.periodic_tasks())


def test_the_task_is_registered_with_celery() -> None:
    from celery import current_app

    import prodready_security.tasks  # noqa: F401  (Celery's autodiscover imports it)

    assert "prodready_security.cleanup" in current_app.tasks
