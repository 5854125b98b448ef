from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy


class ProdreadyBackupConfig(AppConfig):
    name = "prodready_backup"
    verbose_name = gettext_lazy("django-prodready backups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready_backup import checks as backup_checks

        checks.register(backup_checks.check_keys)
        checks.register(backup_checks.check_storages)
        checks.register(backup_checks.check_schedules)
        checks.register(backup_checks.check_databases)
        checks.register(backup_checks.check_media_root)
        checks.register(backup_checks.check_plaintext)
        checks.register(backup_checks.check_mysql_tools)
        checks.register(backup_checks.check_encryption_deploy, deploy=True)
        checks.register(backup_checks.check_scratch_settings)
        checks.register(backup_checks.check_scratch_role, checks.Tags.database)
