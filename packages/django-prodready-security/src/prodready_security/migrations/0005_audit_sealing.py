"""Events are inserted unsealed and linked by the sealer; the trigger lets only that through.

``sequence``, ``prev_hash`` and ``hash`` may now be empty (an event not sealed yet),
and ``sealed_at`` records when the sealer linked it (0005 adds the index of the
sealer's queue). Existing events are all sealed and keep verifying: what is hashed
did not change. On a live site: dropping NOT NULL and adding a nullable column
only change the catalogue, and the SQL replaces a function, touching no row.

On PostgreSQL the append-only trigger now lets one kind of UPDATE through: setting
the link of an unsealed event (``sequence``, ``prev_hash``, ``hash``, ``sealed_at``)
with every other column unchanged. A sealed event still cannot be changed, and no
event can be unsealed again.
"""

from typing import Any

from django.db import migrations, models

SEALABLE_SQL = """
CREATE OR REPLACE FUNCTION prodready_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('prodready.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.sequence IS NULL AND OLD.hash IS NULL
            AND NEW.sequence IS NOT NULL AND NEW.prev_hash IS NOT NULL
            AND NEW.hash IS NOT NULL AND NEW.sealed_at IS NOT NULL
            AND (NEW.id, NEW.occurred_at, NEW.action, NEW.actor_id, NEW.actor_snapshot,
                 NEW.target_content_type_id, NEW.target_pk, NEW.target_repr, NEW.changes,
                 NEW.data, NEW.client_address, NEW.user_agent, NEW.request_id)
            IS NOT DISTINCT FROM
                (OLD.id, OLD.occurred_at, OLD.action, OLD.actor_id, OLD.actor_snapshot,
                 OLD.target_content_type_id, OLD.target_pk, OLD.target_repr, OLD.changes,
                 OLD.data, OLD.client_address, OLD.user_agent, OLD.request_id) THEN
        RETURN NEW;  -- the sealer linking an event into the chain
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Remove old events with manage.py audit prune --before DATE.';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION prodready_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('prodready.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'Remove old events with manage.py audit prune --before DATE.';
END;
$$ LANGUAGE plpgsql;
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
    dependencies = [("prodready_security", "0004_otp_trusted_browsers")]

    prodready_reviewed = {
        "data-with-schema": "the SQL only replaces the trigger's function: no row is "
        "changed, and the schema changes only drop NOT NULL and add a nullable column",
    }

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sealed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        RunSQLOnPostgreSQL(SEALABLE_SQL, reverse_sql=APPEND_ONLY_SQL),
    ]
