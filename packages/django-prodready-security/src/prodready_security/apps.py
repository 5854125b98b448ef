from django.apps import AppConfig


class ProdreadySecurityConfig(AppConfig):
    name = "prodready_security"
    verbose_name = "django-prodready security"
    default_auto_field = "django.db.models.BigAutoField"
