from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy


class ProdreadyObservabilityConfig(AppConfig):
    name = "prodready_observability"
    verbose_name = gettext_lazy("django-prodready observability")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready_observability.conf import conf
        from prodready_observability.history import queries
        from prodready_observability.history.checks import check_history_settings
        from prodready_observability.metrics.checks import check_metrics_settings
        from prodready_observability.sentry.checks import check_sentry_settings
        from prodready_observability.tasks import connect_celery_signals

        checks.register(check_sentry_settings)
        checks.register(check_metrics_settings)
        checks.register(check_history_settings)
        queries.install()
        from prodready_observability.metrics import cache_counting

        cache_counting.install_if_on()
        connect_celery_signals()
        if conf.SENTRY_DSN:  # without one, sentry_sdk is not even imported
            from prodready_observability.sentry.setup import init_on_startup

            # As early as Django allows: before the WSGI/ASGI handler or Celery worker.
            init_on_startup()
