"""``prodready migrations``: the plan, its risks, the way back; and ``rollback``."""

import io
import json
import shlex

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, migrations
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from prodready.safe_migrate.rollback import describe, rollback_plan

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]

DEPLOY = {"deploy_app": "tests.deploy_app.deploy_migrations"}


@pytest.fixture(autouse=True)
def deployed_to_0002():
    with override_settings(
        INSTALLED_APPS=["prodready", "tests.deploy_app"], MIGRATION_MODULES=DEPLOY
    ):
        call_command("migrate", "deploy_app", "0002", database="postgres", verbosity=0)
        with connections["postgres"].cursor() as cursor:
            cursor.execute(
                "INSERT INTO deploy_app_lesson (title, room) "
                "SELECT 'lesson ' || i, 'A' FROM generate_series(1, 500) i"
            )
            cursor.execute("ANALYZE deploy_app_lesson")
        yield
        call_command("migrate", "deploy_app", "zero", database="postgres", verbosity=0)


def report(*args):
    out = io.StringIO()
    call_command("prodready", "migrations", "--database", "postgres", *args, stdout=out)
    return out.getvalue()


def applied() -> list[str]:
    recorder = MigrationRecorder(connections["postgres"])
    return sorted(name for app, name in recorder.applied_migrations() if app == "deploy_app")


def columns() -> set[str]:
    with connections["postgres"].cursor() as cursor:
        found = connections["postgres"].introspection.get_table_description(
            cursor, "deploy_app_lesson"
        )
    return {column.name for column in found}


def test_text_lists_each_operation_its_risk_and_the_rollback_commands():
    text = report()
    assert "Database postgres: 3 migration(s) pending." in text
    assert "  deploy_app.0003_lesson_level\n    - Add field level to lesson\n" in text
    assert "passes add-index on deploy_app_lesson (~500 rows" in text
    assert "manage.py migrate deploy_app 0002_lesson_room --database postgres" in text


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_an_unsafe_pending_operation_fails_the_pipeline_with_its_recipe():
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"migrate would refuse 1 unsafe operation\(s\)"):
        call_command("prodready", "migrations", "--database", "postgres", stdout=out)
    assert "UNSAFE add-index (high) on deploy_app_lesson (~500 rows" in out.getvalue()
    assert "Recipe: build it with django.contrib.postgres.operations.AddIndexConcurrently" in (
        out.getvalue()
    )


def test_json_has_a_stable_shape():
    [database] = json.loads(report("--format", "json"))["databases"]
    assert database["database"] == "postgres"
    assert [m["migration"] for m in database["pending"]] == [
        "deploy_app.0003_lesson_level",
        "deploy_app.0004_lesson_title_index",
        "deploy_app.0005_lesson_fails",
    ]
    [index] = database["pending"][1]["operations"][0]["risks"]
    assert (index["rule"], index["level"], index["refused"], index["rows"]) == (
        "add-index",
        "low",
        False,
        500,
    )
    assert database["rollback"] == {
        "database": "postgres",
        "steps": [
            {
                "app": "deploy_app",
                "target": "0002_lesson_room",
                "command": "manage.py migrate deploy_app 0002_lesson_room --database postgres",
            }
        ],
        "irreversible": [],
    }


def fail_the_third_migration():
    with connections["postgres"].cursor() as cursor:
        cursor.execute("INSERT INTO deploy_app_lesson (title) VALUES ('poison')")


def deploy_that_fails_on_the_third() -> str:
    fail_the_third_migration()
    stderr = io.StringIO()
    with pytest.raises(Exception, match="the third migration failed"):
        call_command("migrate", database="postgres", verbosity=0, stderr=stderr)
    assert applied() == [
        "0001_initial",
        "0002_lesson_room",
        "0003_lesson_level",
        "0004_lesson_title_index",
    ]
    return stderr.getvalue()


def test_a_failed_deploy_is_rolled_back_by_the_plan_migrate_prints():
    printed = deploy_that_fails_on_the_third()
    assert "migrate stopped part-way. To go back to where it started:" in printed
    [line] = [line.strip() for line in printed.splitlines() if "manage.py migrate" in line]
    call_command(*shlex.split(line)[1:], verbosity=0)
    assert applied() == ["0001_initial", "0002_lesson_room"]
    assert "level" not in columns()


def test_a_failed_deploy_is_rolled_back_by_the_kept_plan(tmp_path):
    kept = tmp_path / "plan.json"
    kept.write_text(report("--format", "json"))
    deploy_that_fails_on_the_third()
    out = io.StringIO()
    call_command("prodready", "migrations", "rollback", str(kept), stdout=out, verbosity=0)
    assert "Running: manage.py migrate deploy_app 0002_lesson_room --database postgres" in (
        out.getvalue()
    )
    assert applied() == ["0001_initial", "0002_lesson_room"]
    assert "level" not in columns()
    constraints = connections["postgres"].introspection.get_constraints(
        connections["postgres"].cursor(), "deploy_app_lesson"
    )
    assert "lesson_title_idx" not in constraints


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "Cannot read the rollback plan"),
        ('{"checks": []}', "is not the output of `manage.py prodready migrations --format json`"),
        ('{"databases": [{"rollback": {"steps": []}}]}', "Not a rollback plan"),
    ],
)
def test_a_wrong_plan_file_is_refused_clearly(tmp_path, content, message):
    kept = tmp_path / "plan.json"
    kept.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("prodready", "migrations", "rollback", str(kept))


def test_an_irreversible_step_points_to_the_backup():
    irreversible = type(
        "Migration",
        (migrations.Migration,),
        {
            "operations": [migrations.RunPython(lambda apps, editor: None)],
            "dependencies": [("deploy_app", "0002_lesson_room")],
        },
    )("0003_lesson_data", "deploy_app")
    plan = rollback_plan([(irreversible, False)], "postgres")
    assert plan.irreversible == ["deploy_app.0003_lesson_data"]
    assert "restore the database from the backup taken before the deploy" in describe(plan)[-1]


def test_an_unknown_database_is_named():
    with pytest.raises(
        CommandError, match="Unknown database nope; DATABASES has default, postgres"
    ):
        call_command("prodready", "migrations", "--database", "nope")
