from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = "Tutoring school"
    default_auto_field = "django.db.models.BigAutoField"
