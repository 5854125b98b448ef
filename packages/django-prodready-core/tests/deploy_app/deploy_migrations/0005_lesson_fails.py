from django.db import migrations


class Migration(migrations.Migration):
    """Fails when PRODREADY_TEST_FAIL_MIGRATION is set: the third migration of a deploy."""

    dependencies = [("deploy_app", "0004_lesson_title_index")]

    operations = [
        migrations.RunSQL(
            "DO $$ BEGIN IF current_setting('prodready.fail', true) = 'on' THEN "
            "RAISE EXCEPTION 'the third migration failed'; END IF; END $$",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
