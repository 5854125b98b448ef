from django.apps import AppConfig


class ProdreadyBackupConfig(AppConfig):
    name = "prodready_backup"
    verbose_name = "django-prodready backups"
    default_auto_field = "django.db.models.BigAutoField"
