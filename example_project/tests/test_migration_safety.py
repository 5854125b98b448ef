"""The school's own migrations pass core's migration safety check.

Each migration is judged as the deploy that ships it would be: its predecessors applied,
every table they made treated as large (a threshold of 0 rows).
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from prodready.safe_migrate.checker import assess

pytestmark = pytest.mark.django_db(transaction=True)

OWN_APPS = ["school"]


def own_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [key for key in sorted(loader.disk_migrations) if key[0] in OWN_APPS]


@pytest.mark.parametrize("key", own_migrations(), ids="{0[0]}.{0[1]}".format)
@override_settings(PRODREADY_MIGRATE_SMALL_TABLE_ROWS=0)
def test_each_own_migration_passes_the_checker(key):
    loader = MigrationLoader(connection)
    migration = loader.get_migration(*key)
    before = [name for app, name in migration.dependencies if app == key[0]]
    call_command("migrate", key[0], before[-1] if before else "zero", verbosity=0)
    try:
        refused = [
            risk.describe() for risk in assess([(migration, False)], "default") if risk.refused
        ]
    finally:
        call_command("migrate", verbosity=0)
    assert refused == []
