from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("deploy_app", "0001_initial")]

    operations = [
        migrations.AddField("lesson", "room", models.CharField(max_length=20, null=True)),
    ]
