"""Four indexes of the audit log that no query uses, dropped without blocking writers.

Every event's INSERT, and the sealer's UPDATE that links it (which changes indexed
columns, so it writes every index again), paid for 13 indexes on PostgreSQL. Four
served nothing:

- ``target_content_type_id`` alone: the (type, pk) index starts with it;
- ``target_pk`` and its ``varchar_pattern_ops`` twin: the log is looked up by type and
  pk together, and the admin's ``=target_pk`` search compares ``UPPER()`` values, which
  neither index holds;
- the ``varchar_pattern_ops`` twin of the unique ``hash`` (nothing searches hashes by
  prefix); the unique index stays.

The indexes are found by their columns (the plain, non-unique ones only). On PostgreSQL
they go ``CONCURRENTLY`` (outside a transaction: ``atomic = False``), as ``0006`` built
the sealer's queue. Going back builds them again with Django's own names.
"""

from typing import Any

from django.db import migrations, models

COLUMNS = ("target_content_type_id", "target_pk", "hash")
UNINDEXED_FIELDS = ("target_content_type", "target_pk")


def drop_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("prodready_security", "AuditEvent")
    concurrently = schema_editor.connection.vendor == "postgresql"
    for column in COLUMNS:
        for name in schema_editor._constraint_names(model, [column], unique=False, index=True):
            if concurrently:
                quoted = schema_editor.quote_name(name)
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quoted}")
            else:
                schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("prodready_security", "AuditEvent")
    for name in UNINDEXED_FIELDS:
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(name)])
        )
    if schema_editor.connection.vendor == "postgresql":
        for name in ("target_pk", "hash"):
            field = model._meta.get_field(name)
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("prodready_security", "0008_otp_passkeys")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="target_pk",
                    field=models.CharField(blank=True, max_length=255),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="target_content_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes, atomic=False)],
        ),
    ]
