"""Every rule of the migration safety check, on a real PostgreSQL table.

For each rule: the unsafe operation is refused with its recipe, the safe variant passes,
and the reviewed marker is honoured. Table sizes come from the catalogue (ANALYZE).
"""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, migrations, models
from django.db.models.functions import Random
from django.test import override_settings

from prodready.safe_migrate.checker import InvalidMarker, assess
from prodready.safe_migrate.rules import RULES

pytestmark = [
    pytest.mark.requires_postgres,
    pytest.mark.django_db(transaction=True, databases=["default", "postgres"]),
]

ROWS = 500
DEPLOY = {"deploy_app": "tests.deploy_app.deploy_migrations"}


@pytest.fixture(autouse=True)
def lessons():
    """deploy_app migrated on PostgreSQL, its lesson table holding ROWS rows, analysed."""
    with override_settings(INSTALLED_APPS=["prodready", "tests.deploy_app"]):
        call_command("migrate", "deploy_app", database="postgres", verbosity=0)
        with connections["postgres"].cursor() as cursor:
            cursor.execute(
                "INSERT INTO deploy_app_lesson (title, room) "
                "SELECT 'lesson ' || i, 'A' FROM generate_series(1, %s) i",
                [ROWS],
            )
            cursor.execute("ANALYZE deploy_app_lesson")
        yield
        with override_settings(MIGRATION_MODULES=DEPLOY):  # every migration a test may apply
            call_command("migrate", "deploy_app", "zero", database="postgres", verbosity=0)


def migration(*operations, atomic=True, reviewed=None):
    attrs = {
        "operations": list(operations),
        "dependencies": [("deploy_app", "0002_lesson_room")],
        "atomic": atomic,
    }
    if reviewed is not None:
        attrs["prodready_reviewed"] = reviewed
    return type("Migration", (migrations.Migration,), attrs)("0003_change", "deploy_app")


def refused(*operations, **kwargs):
    return sorted(
        {
            risk.rule.id
            for risk in assess([(migration(*operations, **kwargs), False)], "postgres")
            if risk.refused
        }
    )


def check_not_null(sql):
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField("lesson", "room", models.CharField(max_length=20, default="A"))
        ],
        database_operations=[migrations.RunSQL(sql, reverse_sql=migrations.RunSQL.noop)],
    )


def noop(apps, schema_editor):
    pass


INDEX = models.Index(fields=["title"], name="lesson_title_idx")
CASES = {
    "add-index": (
        [migrations.AddIndex("lesson", INDEX)],
        [AddIndexConcurrently("lesson", INDEX)],
        {"atomic": False},
    ),
    "add-not-null-column": (
        [migrations.AddField("lesson", "level", models.IntegerField(default=1))],
        [migrations.AddField("lesson", "level", models.IntegerField(db_default=1))],
        {},
    ),
    "volatile-default": (
        [
            migrations.AddField(
                "lesson", "weight", models.FloatField(null=True, db_default=Random())
            )
        ],
        [migrations.AddField("lesson", "weight", models.FloatField(null=True))],
        {},
    ),
    "type-change": (
        [migrations.AlterField("lesson", "title", models.CharField(max_length=50))],
        [migrations.AlterField("lesson", "title", models.CharField(max_length=200))],
        {},
    ),
    "set-not-null": (
        [migrations.AlterField("lesson", "room", models.CharField(max_length=20, default="A"))],
        [
            check_not_null(
                "ALTER TABLE deploy_app_lesson ADD CONSTRAINT room_not_null "
                "CHECK (room IS NOT NULL) NOT VALID"
            )
        ],
        {},
    ),
    "add-foreign-key": (
        [
            migrations.AddField(
                "lesson",
                "tutor",
                models.ForeignKey("deploy_app.tutor", models.CASCADE, null=True, db_index=False),
            )
        ],
        [
            migrations.AddField(
                "lesson",
                "tutor",
                models.ForeignKey(
                    "deploy_app.tutor",
                    models.CASCADE,
                    null=True,
                    db_index=False,
                    db_constraint=False,
                ),
            )
        ],
        {},
    ),
    "add-check-constraint": (
        [
            migrations.AddConstraint(
                "lesson", models.CheckConstraint(condition=models.Q(title__gt=""), name="titled")
            )
        ],
        [
            migrations.SeparateDatabaseAndState(
                state_operations=[
                    migrations.AddConstraint(
                        "lesson",
                        models.CheckConstraint(condition=models.Q(title__gt=""), name="titled"),
                    )
                ],
                database_operations=[
                    migrations.RunSQL(
                        "ALTER TABLE deploy_app_lesson ADD CONSTRAINT titled "
                        "CHECK (title > '') NOT VALID",
                        reverse_sql="ALTER TABLE deploy_app_lesson DROP CONSTRAINT titled",
                    )
                ],
            )
        ],
        {},
    ),
    "rename": (
        [migrations.RenameField("lesson", "title", "name")],
        [
            migrations.AlterField(
                "lesson", "title", models.CharField(max_length=100, db_column="title")
            ),
            migrations.RenameField("lesson", "title", "name"),
        ],
        {},
    ),
    "remove": (
        [migrations.RemoveField("lesson", "room")],
        [
            migrations.SeparateDatabaseAndState(
                state_operations=[migrations.RemoveField("lesson", "room")]
            )
        ],
        {},
    ),
    "irreversible": ([migrations.RunPython(noop)], [migrations.RunPython(noop, noop)], {}),
    "data-with-schema": (
        [
            migrations.AddField("lesson", "note", models.TextField(null=True)),
            migrations.RunPython(noop, noop),
        ],
        [
            migrations.AddField("lesson", "note", models.TextField(null=True)),
            migrations.RunPython(noop, noop),
        ],
        {"atomic": False},
    ),
}


def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_the_unsafe_operation_is_refused_with_its_recipe(rule):
    unsafe, _, _ = CASES[rule]
    [risk] = [r for r in assess([(migration(*unsafe), False)], "postgres") if r.refused]
    assert risk.rule.id == rule
    message = risk.describe()
    assert RULES[rule].recipe in message
    assert RULES[rule].lock in message
    assert "deploy_app.0003_change" in message
    if RULES[rule].by_size or rule != "irreversible":
        assert "deploy_app_lesson (~500 rows" in message


@pytest.mark.parametrize("rule", sorted(CASES))
@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_the_safe_variant_passes(rule):
    _, safe, options = CASES[rule]
    assert refused(*safe, **options) == []


@pytest.mark.parametrize("rule", sorted(CASES))
@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_the_reviewed_marker_is_honoured(rule):
    unsafe, _, _ = CASES[rule]
    risks = assess(
        [(migration(*unsafe, reviewed={rule: "the table is read once a day"}), False)], "postgres"
    )
    assert [(r.rule.id, r.refused, r.reviewed) for r in risks] == [
        (rule, False, "the table is read once a day")
    ]


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_a_marker_by_position_reviews_only_that_operation():
    second = models.Index(fields=["room"], name="lesson_room_idx")
    operations = (migrations.AddIndex("lesson", INDEX), migrations.AddIndex("lesson", second))
    marker = {"add-index": {1: "the room index was built by hand beforehand"}}
    risks = assess([(migration(*operations, reviewed=marker), False)], "postgres")
    assert [(r.operation, r.refused, r.reviewed) for r in risks] == [
        (operations[0].describe(), True, None),
        (operations[1].describe(), False, "the room index was built by hand beforehand"),
    ]


@pytest.mark.parametrize("rule", sorted(r for r in CASES if RULES[r].by_size))
def test_a_small_table_passes_the_lock_rules(rule):
    unsafe, _, _ = CASES[rule]  # 500 rows, under the default of 10,000
    risks = assess([(migration(*unsafe), False)], "postgres")
    assert [(r.rule.id, r.level, r.refused) for r in risks] == [(rule, "low", False)]


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=4)
def test_a_hundred_times_the_threshold_is_critical():
    [risk] = assess([(migration(migrations.AddIndex("lesson", INDEX)), False)], "postgres")
    assert (risk.level, risk.size.rows) == ("critical", ROWS)


def test_a_table_this_plan_creates_passes():
    create = migrations.CreateModel(
        "Room", [("id", models.BigAutoField(primary_key=True)), ("name", models.TextField())]
    )
    index = migrations.AddIndex("room", models.Index(fields=["name"], name="room_name_idx"))
    assert assess([(migration(create, index), False)], "postgres") == []


@pytest.mark.parametrize(
    "marker",
    [
        {"add-idx": "typo"},
        {"add-index": ""},
        ["add-index"],
        {"add-index": {1: "past the last operation"}},
        {"add-index": {"0": "a position as text"}},
        {"add-index": {0: ""}},
        {"add-index": {}},
    ],
    ids=["typo", "no-reason", "list", "position-out-of-range", "position-text", "empty", "none"],
)
def test_a_mistaken_marker_names_the_rule_ids(marker):
    with pytest.raises(InvalidMarker, match=r"prodready_reviewed must map rule ids .*add-index"):
        assess(
            [(migration(migrations.AddIndex("lesson", INDEX), reviewed=marker), False)], "postgres"
        )


def indexes() -> set[str]:
    with connections["postgres"].cursor() as cursor:
        constraints = connections["postgres"].introspection.get_constraints(
            cursor, "deploy_app_lesson"
        )
    return set(constraints)


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100, MIGRATION_MODULES=DEPLOY)
def test_migrate_refuses_naming_migration_operation_table_size_lock_and_recipe():
    with pytest.raises(CommandError) as refused:
        call_command("migrate", "deploy_app", "0004", database="postgres", verbosity=0)
    message = str(refused.value)
    assert message.startswith("Not migrating: 1 operation(s) are unsafe on a live site.")
    assert (
        "deploy_app.0004_lesson_title_index: Create index lesson_title_idx on field(s) title"
        in message
    )
    assert "on deploy_app_lesson (~500 rows" in message
    assert RULES["add-index"].lock in message
    assert RULES["add-index"].recipe in message
    # Nothing ran: not even the safe migration before it.
    assert "lesson_title_idx" not in indexes()
    with connections["postgres"].cursor() as cursor:
        columns = connections["postgres"].introspection.get_table_description(
            cursor, "deploy_app_lesson"
        )
    assert "level" not in {c.name for c in columns}


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100, MIGRATION_MODULES=DEPLOY)
def test_allow_unsafe_runs_it():
    call_command(
        "migrate", "deploy_app", "0004", "--allow-unsafe", database="postgres", verbosity=0
    )
    assert "lesson_title_idx" in indexes()


@override_settings(MIGRATION_MODULES=DEPLOY)
def test_migrate_runs_what_is_safe_here():
    call_command("migrate", "deploy_app", "0004", database="postgres", verbosity=0)  # 500 rows
    assert "lesson_title_idx" in indexes()
