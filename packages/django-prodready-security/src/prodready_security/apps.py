from django.apps import AppConfig
from django.core.signals import setting_changed


class ProdreadySecurityConfig(AppConfig):
    name = "prodready_security"
    verbose_name = "django-prodready security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready_security import checks
        from prodready_security.audit import setup as audit_setup
        from prodready_security.otp import device_cache
        from prodready_security.ratelimit import limiter, signals, store
        from prodready_security.sessions import tracking

        checks.register()
        audit_setup.connect()
        signals.connect()
        tracking.connect()
        device_cache.connect()
        setting_changed.connect(
            limiter.forget_rules, dispatch_uid="prodready-security-ratelimit-rules"
        )
        setting_changed.connect(
            store.forget_stores, dispatch_uid="prodready-security-ratelimit-stores"
        )
