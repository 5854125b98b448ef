from django.db import migrations


class Migration(migrations.Migration):
    """Fails while a lesson is titled 'poison': the third migration of a deploy."""

    dependencies = [("deploy_app", "0004_lesson_title_index")]

    operations = [
        migrations.RunSQL(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM deploy_app_lesson WHERE title = 'poison') "
            "THEN RAISE EXCEPTION 'the third migration failed'; END IF; END $$",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
