"""System checks of django-prodready-security, registered in ``AppConfig.ready()``.

Ids are stable and never reused. Each message names the setting (and the rule),
what was expected and what was found; the hint says how to fix it.

Rate limiting (``prodready_security.ratelimit.checks``):

- ``prodready_security.E001`` a rate-limit rule is not a dict, has no name, shares
  its name with another rule, or has a flag that is not True/False
- ``prodready_security.E002`` a rate string is malformed (a rule's ``rate``, or a
  ``PRODREADY_RATELIMIT_LOGIN_*_RATE``)
- ``prodready_security.E003`` a rule's ``key`` names no key or cannot be imported
- ``prodready_security.E004`` a rule matches nothing, or its ``paths``,
  ``url_names`` or ``methods`` are malformed
- ``prodready_security.E005`` a rule has an unknown option
- ``prodready_security.E006`` ``PRODREADY_RATELIMIT_CACHE`` is not an alias in CACHES
- ``prodready_security.E007`` login lockout is on but its backend comes after another
  in ``AUTHENTICATION_BACKENDS``
- ``prodready_security.W007`` login lockout is on but its backend is not in
  ``AUTHENTICATION_BACKENDS`` yet (a warning, so adding the app never stops ``migrate``)
- ``prodready_security.E008`` rules are declared but the middleware is not installed
- ``prodready_security.E009`` a rule counts by user but the middleware comes before
  ``AuthenticationMiddleware``
- ``prodready_security.E010`` the login lockout times are not positive and ordered

Two-factor authentication (``prodready_security.otp.checks``):

- ``prodready_security.E020`` 2FA is enforced but ``PRODREADY_OTP_ENCRYPTION_KEYS`` is empty
- ``prodready_security.E021`` an encryption key is not a Fernet key (named by position)
- ``prodready_security.E022`` the enforcement middleware is not after
  ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``
- ``prodready_security.E023`` an entry of ``PRODREADY_OTP_EXEMPT_PATHS`` does not start with /
- ``prodready_security.E024`` ``PRODREADY_OTP_BACKUP_CODE_COUNT`` is not between 1 and 50
- ``prodready_security.E025`` ``PRODREADY_OTP_THROTTLE_FACTOR`` is not positive
- ``prodready_security.E026`` ``PRODREADY_OTP_DEVICE_CACHE_SECONDS`` is negative

Audit log (``prodready_security.audit.checks``):

- ``prodready_security.E040`` ``PRODREADY_AUDIT_DATABASE`` is not an alias in DATABASES
- ``prodready_security.E041`` ``PRODREADY_AUDIT_TRACKED_MODELS`` names a model that
  is not installed
- ``prodready_security.E042`` ``PRODREADY_AUDIT_TRACKED_MODELS`` names the audit log itself

Security headers and CSP reports (``prodready_security.headers.checks``):

- ``prodready_security.E060`` an entry of ``PRODREADY_HEADERS_PERMISSIONS_POLICY`` is malformed
- ``prodready_security.E061`` ``PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY`` is not a
  known policy
- ``prodready_security.E062`` ``PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY`` is not a
  known policy
- ``prodready_security.E063`` ``PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES`` is not between
  1 and 1 MiB
- ``prodready_security.E064`` ``PRODREADY_HEADERS_CSP_REPORT_RATE`` is not a rate string
- ``prodready_security.E065`` ``PRODREADY_HEADERS_CSP_REPORT_KEEP_DAYS`` is not positive

Sessions (``prodready_security.sessions.checks``):

- ``prodready_security.E070`` ``PRODREADY_SESSIONS_IDLE_TIMEOUT`` is below 60 seconds
- ``prodready_security.E071`` an idle timeout is set but ``SessionActivityMiddleware``
  is not installed
- ``prodready_security.E072`` ``SessionActivityMiddleware`` is not after
  ``AuthenticationMiddleware``
- ``prodready_security.E073`` ``PRODREADY_SESSIONS_CLEANUP_SCHEDULE`` is not a
  five-field cron expression
"""

from __future__ import annotations

from django.core import checks


def register() -> None:
    from prodready_security.audit import checks as audit_checks
    from prodready_security.headers import checks as headers_checks
    from prodready_security.otp import checks as otp_checks
    from prodready_security.ratelimit import checks as ratelimit_checks
    from prodready_security.sessions import checks as sessions_checks

    for check in (
        *ratelimit_checks.ALL,
        *otp_checks.ALL,
        *audit_checks.ALL,
        *headers_checks.ALL,
        *sessions_checks.ALL,
    ):
        checks.register(check)
