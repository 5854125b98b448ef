from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deploy_app", "0003_lesson_level")]

    operations = [
        migrations.AddIndex("lesson", models.Index(fields=["title"], name="lesson_title_idx")),
    ]
