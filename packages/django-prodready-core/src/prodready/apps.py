from django.apps import AppConfig
from django.core import checks


class ProdreadyConfig(AppConfig):
    name = "prodready"
    verbose_name = "django-prodready"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready import channel_checks, login_checks
        from prodready import checks as prodready_checks
        from prodready.anomalies import checks as anomaly_checks

        checks.register(prodready_checks.check_plugins)
        checks.register(prodready_checks.check_settings)
        checks.register(prodready_checks.check_required_env)
        checks.register(prodready_checks.check_trusted_proxies)
        checks.register(prodready_checks.check_celery_app)
        checks.register(channel_checks.check_notify_webhook)
        checks.register(channel_checks.check_notify_timeout)
        checks.register(channel_checks.check_admins_form)
        checks.register(channel_checks.check_notify_recipients, deploy=True)
        checks.register(login_checks.check_login_url, checks.Tags.urls)
        checks.register(anomaly_checks.check_anomaly_settings)
