"""Which rules apply on MySQL/MariaDB and on SQLite, judged against real tables there.

MySQL builds secondary indexes online (InnoDB, ``ALGORITHM=INPLACE, LOCK=NONE``) and
cannot run DDL in a transaction, so the index and transaction rules do not apply; a type
change or a new NOT NULL copies the table. SQLite locks the whole database for any write:
the rules that break the code still running or the way back apply, and a data migration
in the transaction of a schema change.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from prodready.safe_migrate.checker import assess
from prodready.safe_migrate.rules import RULES
from tests.test_safe_migrate_rules import CASES, DEPLOY, ROWS, migration

APPLY = {
    "mysql": {
        "add-not-null-column",
        "type-change",
        "set-not-null",
        "rename",
        "remove",
        "irreversible",
    },
    # SQLite's DDL is transactional: a data migration beside it holds the database's lock.
    "sqlite": {"add-not-null-column", "rename", "remove", "irreversible", "data-with-schema"},
}
MYSQL = pytest.param(
    "mysql",
    marks=[
        pytest.mark.requires_mysql,
        pytest.mark.skipif(
            "mysql" not in settings.DATABASES, reason="run with --ds=tests.settings_mysql"
        ),
        pytest.mark.django_db(transaction=True, databases=["default", "mysql"]),
    ],
)
SQLITE = pytest.param("default", marks=pytest.mark.django_db(transaction=True))


@pytest.fixture(params=[MYSQL, SQLITE])
def alias(request):
    """deploy_app migrated on the alias, its lesson table holding ROWS rows, analysed."""
    database = request.param
    with override_settings(INSTALLED_APPS=["prodready", "tests.deploy_app"]):
        call_command("migrate", "deploy_app", "0002", database=database, verbosity=0)
        with connections[database].cursor() as cursor:
            cursor.executemany(
                "INSERT INTO deploy_app_lesson (title, room) VALUES (%s, 'A')",
                [(f"lesson {i}",) for i in range(ROWS)],
            )
            analyse = "ANALYZE" if connections[database].vendor == "sqlite" else "ANALYZE TABLE"
            cursor.execute(f"{analyse} deploy_app_lesson")
            if connections[database].vendor == "mysql":
                cursor.fetchall()
        yield database
        with override_settings(MIGRATION_MODULES=DEPLOY):
            call_command("migrate", "deploy_app", "zero", database=database, verbosity=0)


@pytest.mark.parametrize("vendor", sorted(APPLY))
def test_the_rules_that_apply_on_each_vendor(vendor):
    assert {rule.id for rule in RULES.values() if vendor in rule.vendors} == APPLY[vendor]


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_each_unsafe_operation_is_refused_where_its_rule_applies(alias):
    vendor = connections[alias].vendor
    found = {}
    for rule, (unsafe, _safe, _options) in CASES.items():
        risks = assess([(migration(*unsafe), False)], alias)
        found[rule] = sorted(risk.rule.id for risk in risks if risk.refused)
    assert found == {rule: [rule] if rule in APPLY[vendor] else [] for rule in CASES}


@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=100)
def test_the_refusal_names_the_table_size_read_from_the_catalogue(alias):
    unsafe, _safe, _options = CASES["type-change"]
    risks = assess([(migration(*unsafe), False)], alias)
    if connections[alias].vendor == "sqlite":
        assert risks == []
        return
    [risk] = risks
    assert risk.refused
    assert risk.size is not None
    assert risk.size.rows is not None
    assert risk.size.rows > 100  # InnoDB's estimate after ANALYZE TABLE, not a count
    assert RULES["type-change"].recipe in risk.describe()


def test_a_small_table_passes_the_lock_rules_on_every_vendor(alias):
    for rule in APPLY[connections[alias].vendor]:  # 500 rows, under the default of 10,000
        unsafe, _safe, _options = CASES[rule]
        risks = assess([(migration(*unsafe), False)], alias)
        refused = [risk.rule.id for risk in risks if risk.refused]
        assert refused == ([] if RULES[rule].by_size else [rule]), rule
