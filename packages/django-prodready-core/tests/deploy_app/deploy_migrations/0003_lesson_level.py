from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deploy_app", "0002_lesson_room")]

    operations = [
        migrations.AddField("lesson", "level", models.IntegerField(db_default=1)),
    ]
