from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy


class ProdreadySecurityConfig(AppConfig):
    name = "prodready_security"
    verbose_name = gettext_lazy("django-prodready security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from prodready_security import failed_logins
        from prodready_security.audit import checks as audit_checks
        from prodready_security.audit import setup as audit_setup
        from prodready_security.headers import checks as headers_checks
        from prodready_security.otp import checks as otp_checks
        from prodready_security.otp import device_cache
        from prodready_security.ratelimit import checks as ratelimit_checks
        from prodready_security.ratelimit import signals
        from prodready_security.sessions import checks as sessions_checks
        from prodready_security.sessions import tracking

        checks.register(ratelimit_checks.check_rules)
        checks.register(ratelimit_checks.check_login_protection)
        checks.register(ratelimit_checks.check_cache)
        checks.register(ratelimit_checks.check_leases)
        checks.register(otp_checks.check_encryption_keys)
        checks.register(otp_checks.check_middleware_order)
        checks.register(otp_checks.check_exempt_paths)
        checks.register(otp_checks.check_numbers)
        checks.register(otp_checks.check_relying_party)
        checks.register(otp_checks.check_origins)
        checks.register(audit_checks.check_audit_database)
        checks.register(audit_checks.check_tracked_models)
        checks.register(audit_checks.check_sealing)
        checks.register(audit_checks.check_checkpoints)
        checks.register(headers_checks.check_permissions_policy)
        checks.register(headers_checks.check_cross_origin)
        checks.register(headers_checks.check_reports)
        checks.register(sessions_checks.check_idle_timeout)
        checks.register(sessions_checks.check_idle_warning)
        checks.register(sessions_checks.check_middleware_order)
        checks.register(sessions_checks.check_schedule)
        audit_setup.connect()
        signals.connect()
        failed_logins.connect()
        tracking.connect()
        device_cache.connect()
