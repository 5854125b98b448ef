from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.signals import setting_changed


class ProdreadyConfig(AppConfig):
    name = "prodready"
    verbose_name = "django-prodready"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready import channel_checks, login_checks
        from prodready import checks as prodready_checks

        checks.register(prodready_checks.check_plugins)
        checks.register(prodready_checks.check_settings)
        checks.register(prodready_checks.check_required_env)
        checks.register(prodready_checks.check_trusted_proxies)
        checks.register(prodready_checks.check_celery_app)
        checks.register(channel_checks.check_notify_webhook)
        checks.register(channel_checks.check_notify_timeout)
        checks.register(channel_checks.check_notify_recipients, deploy=True)
        checks.register(login_checks.check_login_url, checks.Tags.urls)
        setting_changed.connect(_reset_on_change, dispatch_uid="prodready-reset")


def _reset_on_change(*, setting: str, **kwargs: Any) -> None:
    if setting == "INSTALLED_APPS":
        from prodready.plugins import reset_plugin_manager

        reset_plugin_manager()
