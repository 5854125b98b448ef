"""Readiness rules R030-R032: unapplied migrations, model changes without one, unsafe ones."""

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from prodready.readiness.migration_findings import migration_findings
from prodready.testing import free_port

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]

DEPLOY = {"deploy_app": "tests.deploy_app.deploy_migrations"}


def findings() -> dict:
    return {f.id: f for f in migration_findings()}


def test_core_alone_passes_every_rule():
    assert {i: f.passed for i, f in findings().items()} == {
        "prodready.R030": True,
        "prodready.R031": True,
        "prodready.R032": True,
    }


@pytest.fixture
def deploy_app_at_0002():
    with override_settings(
        INSTALLED_APPS=["prodready", "tests.deploy_app"], MIGRATION_MODULES=DEPLOY
    ):
        for alias in ("default", "postgres"):
            call_command("migrate", "deploy_app", "0002", database=alias, verbosity=0)
        with connections["postgres"].cursor() as cursor:
            cursor.execute(
                "INSERT INTO deploy_app_lesson (title) "
                "SELECT 'l' || i FROM generate_series(1, 500) i"
            )
            cursor.execute("ANALYZE deploy_app_lesson")
        yield
        for alias in ("default", "postgres"):
            call_command("migrate", "deploy_app", "zero", database=alias, verbosity=0)


@pytest.mark.usefixtures("deploy_app_at_0002")
def test_unapplied_migrations_are_named_per_database():
    found = findings()["prodready.R030"]
    assert not found.passed
    assert found.detail == (
        "default: 3 unapplied, first deploy_app.0003_lesson_level; "
        "postgres: 3 unapplied, first deploy_app.0003_lesson_level"
    )
    assert "manage.py migrate" in found.fix


@pytest.mark.usefixtures("deploy_app_at_0002")
def test_models_without_their_migration_are_named():
    # deploy_app has migrations but no models: its models "changed" (were deleted).
    found = findings()["prodready.R031"]
    assert (found.passed, found.detail) == (
        False,
        "models changed without a migration in: deploy_app",
    )


@pytest.mark.usefixtures("deploy_app_at_0002")
def test_a_pending_unsafe_migration_is_a_finding():
    assert findings()["prodready.R032"].passed  # 500 rows: a small table
    with override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100):
        found = findings()["prodready.R032"]
    assert not found.passed
    assert found.detail == (
        "postgres: deploy_app.0004_lesson_title_index add-index on deploy_app_lesson"
    )
    assert "prodready migrations" in found.fix


def test_an_unreachable_database_fails_the_rules_that_need_it():
    connection = connections["postgres"]
    original = connection.settings_dict
    connection.close()
    connection.settings_dict = dict(
        original, PORT=str(free_port()), OPTIONS={"connect_timeout": 2}
    )
    try:
        found = findings()
    finally:
        connection.close()
        connection.settings_dict = original
    problem = "postgres: could not read its migrations (OperationalError)"
    assert (found["prodready.R030"].passed, found["prodready.R030"].detail) == (False, problem)
    assert not found["prodready.R032"].passed
    assert found["prodready.R031"].passed  # needs no database
