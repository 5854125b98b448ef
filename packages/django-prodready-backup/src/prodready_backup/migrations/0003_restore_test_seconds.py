from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prodready_backup", "0002_permissions_and_requester"),
    ]

    operations = [
        migrations.AddField(
            model_name="backuprecord",
            name="restore_test_seconds",
            field=models.FloatField(blank=True, null=True),
        ),
    ]
