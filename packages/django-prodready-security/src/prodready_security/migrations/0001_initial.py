"""The audit log's tables and, on PostgreSQL, the trigger that keeps the log append-only.

The trigger refuses every UPDATE and every DELETE on the audit events table. The one
exception is ``manage.py audit prune``: it sets the transaction-local setting
``prodready.audit_prune`` to ``on`` before its DELETE, and the trigger lets a DELETE
through only then. Other databases get no trigger; the hash chain still shows changes.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY_SQL = """
CREATE FUNCTION prodready_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('prodready.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Remove old events with manage.py audit prune --before DATE.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER prodready_audit_append_only
    BEFORE UPDATE OR DELETE ON prodready_security_auditevent
    FOR EACH ROW EXECUTE FUNCTION prodready_audit_append_only();
"""

DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS prodready_audit_append_only ON prodready_security_auditevent;
DROP FUNCTION IF EXISTS prodready_audit_append_only();
"""


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (the SQL is PL/pgSQL)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                (
                    "hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        max_length=64,
                    ),
                ),
                ("anchor_sequence", models.PositiveBigIntegerField(default=0)),
                (
                    "anchor_hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        max_length=64,
                    ),
                ),
            ],
            options={
                "verbose_name": "audit chain head",
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("occurred_at", models.DateTimeField(db_index=True)),
                ("action", models.CharField(db_index=True, max_length=100)),
                ("actor_snapshot", models.JSONField(blank=True, default=dict)),
                ("target_pk", models.CharField(blank=True, db_index=True, max_length=255)),
                ("target_repr", models.CharField(blank=True, max_length=255)),
                ("changes", models.JSONField(blank=True, default=dict)),
                ("data", models.JSONField(blank=True, default=dict)),
                ("client_address", models.CharField(blank=True, max_length=45)),
                ("user_agent", models.CharField(blank=True, max_length=512)),
                ("request_id", models.CharField(blank=True, max_length=128)),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "target_content_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-sequence"],
                "indexes": [
                    models.Index(
                        fields=["target_content_type", "target_pk"],
                        name="prodready_s_target__f5fb0e_idx",
                    )
                ],
            },
        ),
        RunSQLOnPostgreSQL(APPEND_ONLY_SQL, reverse_sql=DROP_APPEND_ONLY_SQL),
    ]
