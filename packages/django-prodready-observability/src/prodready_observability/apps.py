from django.apps import AppConfig


class ProdreadyObservabilityConfig(AppConfig):
    name = "prodready_observability"
    verbose_name = "django-prodready observability"
    default_auto_field = "django.db.models.BigAutoField"
