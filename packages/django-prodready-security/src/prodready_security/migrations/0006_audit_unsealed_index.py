"""The index of the sealer's queue (unsealed events), built without blocking writers.

On PostgreSQL it is built ``CONCURRENTLY`` (so outside a transaction: ``atomic =
False``): a plain ``CREATE INDEX`` would block every audited write for as long as
it reads the whole log. Databases without partial indexes (MySQL) go without; the
queue is small there anyway, as events are sealed as they are inserted.
"""

from typing import Any

from django.db import migrations, models

NAME = "prodready_audit_unsealed"
TABLE = "prodready_security_auditevent"


def create_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {TABLE} (id) "
            "WHERE sequence IS NULL"
        )
    elif connection.features.supports_partial_indexes:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} (id) WHERE sequence IS NULL"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    elif connection.features.supports_partial_indexes:
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("prodready_security", "0005_audit_sealing")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(
                        condition=models.Q(("sequence__isnull", True)),
                        fields=["id"],
                        name=NAME,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index, atomic=False)],
        ),
    ]
