"""Settings of django-prodready-security: one typed property per setting, read lazily.

Core type-checks every value against these annotations (``prodready.E002``); what
a type cannot say (a rate string, a rule's options) is checked in each feature's
``checks`` module (``ratelimit.checks``, ``otp.checks``, ...). Every setting is listed
in docs/settings.md.
"""

from __future__ import annotations

from typing import Any, Literal

from prodready.conf import AppSettings

# Powerful features nobody on the site needs by default: an empty allowlist turns them off.
DEFAULT_PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}


class Settings(AppSettings):
    # --- rate limiting -----------------------------------------------------------

    @property
    def RATELIMIT_RULES(self) -> list[dict[str, Any]]:
        """Rate-limit rules applied by the middleware (see README, "Rate limiting")."""
        return self._get("RATELIMIT_RULES", [])

    @property
    def RATELIMIT_CACHE(self) -> str:
        """Alias in CACHES of the cache holding the counters (Redis in production)."""
        return self._get("RATELIMIT_CACHE", "default")

    @property
    def RATELIMIT_FAIL_OPEN(self) -> bool:
        """When the cache is down: True lets requests through, False answers 503."""
        return self._get("RATELIMIT_FAIL_OPEN", True)

    @property
    def RATELIMIT_LOGIN_USERNAME_RATE(self) -> str | None:
        """Failed logins allowed per username before a lockout; None turns it off."""
        return self._get("RATELIMIT_LOGIN_USERNAME_RATE", "5/15m")

    @property
    def RATELIMIT_LOGIN_ADDRESS_RATE(self) -> str | None:
        """Failed logins allowed per client address before a lockout; None turns it off."""
        return self._get("RATELIMIT_LOGIN_ADDRESS_RATE", "20/15m")

    @property
    def RATELIMIT_LOGIN_LOCKOUT(self) -> float:
        """Seconds of the first lockout; each further lockout doubles it."""
        return self._get("RATELIMIT_LOGIN_LOCKOUT", 60.0)

    @property
    def RATELIMIT_LOGIN_LOCKOUT_MAX(self) -> float:
        """Longest lockout in seconds; also how long escalation is remembered after one."""
        return self._get("RATELIMIT_LOGIN_LOCKOUT_MAX", 86400.0)

    # --- two-factor authentication (otp/) -----------------------------------------

    @property
    def OTP_ENCRYPTION_KEYS(self) -> list[str]:
        """Fernet keys encrypting TOTP secrets, newest first (it encrypts; all decrypt)."""
        return self._get("OTP_ENCRYPTION_KEYS", [])

    @property
    def OTP_REQUIRED_FOR(self) -> list[Literal["superusers", "staff", "all"]]:
        """Who must use 2FA: "superusers", "staff" and/or "all" authenticated users."""
        return self._get("OTP_REQUIRED_FOR", ["superusers", "staff"])

    @property
    def OTP_REQUIRED_GROUPS(self) -> list[str]:
        """Names of groups whose members must use 2FA, beyond OTP_REQUIRED_FOR."""
        return self._get("OTP_REQUIRED_GROUPS", [])

    @property
    def OTP_EXEMPT_PATHS(self) -> list[str]:
        """Path prefixes reachable before 2FA, beyond static, media, health and logout."""
        return self._get("OTP_EXEMPT_PATHS", [])

    @property
    def OTP_EXEMPT_URL_NAMES(self) -> list[str]:
        """URL names ("namespace:name") reachable before 2FA, beyond the built-in ones."""
        return self._get("OTP_EXEMPT_URL_NAMES", [])

    @property
    def OTP_ISSUER(self) -> str | None:
        """Name authenticator apps show next to the account (None: the site's host)."""
        return self._get("OTP_ISSUER", None)

    @property
    def OTP_BACKUP_CODE_COUNT(self) -> int:
        """How many single-use backup codes a user gets at a time."""
        return self._get("OTP_BACKUP_CODE_COUNT", 10)

    @property
    def OTP_DEVICE_CACHE_SECONDS(self) -> float:
        """How long VerifiedDeviceMiddleware trusts a loaded device (0: load every request)."""
        return self._get("OTP_DEVICE_CACHE_SECONDS", 300)

    @property
    def OTP_THROTTLE_FACTOR(self) -> float:
        """Seconds of django-otp's back-off after a wrong code, doubling per failure."""
        return self._get("OTP_THROTTLE_FACTOR", 1.0)

    # --- audit log (audit/) ---------------------------------------------------------

    @property
    def AUDIT_TRACKED_MODELS(self) -> list[str]:
        """Models ("app_label.ModelName") whose creates, updates and deletes are logged."""
        return self._get("AUDIT_TRACKED_MODELS", [])

    @property
    def AUDIT_MASKED_FIELDS(self) -> list[str]:
        """Field names or "app_label.model.field" patterns logged masked, beyond secrets."""
        return self._get("AUDIT_MASKED_FIELDS", [])

    @property
    def AUDIT_DATABASE(self) -> str:
        """Alias in DATABASES holding the audit log."""
        return self._get("AUDIT_DATABASE", "default")

    @property
    def AUDIT_SEAL_MAX_DELAY(self) -> float:
        """Seconds an event may stay unsealed before verify and health report it."""
        return self._get("AUDIT_SEAL_MAX_DELAY", 300)

    @property
    def AUDIT_CHECKPOINT_STORAGE(self) -> str | None:
        """Alias in STORAGES receiving signed checkpoints (None: no checkpoints)."""
        return self._get("AUDIT_CHECKPOINT_STORAGE", None)

    @property
    def AUDIT_CHECKPOINT_KEYS(self) -> list[str]:
        """Ed25519 signing keys "<id>:<base64 private key>", newest first: the first signs."""
        return self._get("AUDIT_CHECKPOINT_KEYS", [])

    @property
    def AUDIT_CHECKPOINT_PUBLIC_KEYS(self) -> list[str]:
        """Public keys "<id>:<base64>" of retired signing keys, so old checkpoints verify."""
        return self._get("AUDIT_CHECKPOINT_PUBLIC_KEYS", [])

    @property
    def AUDIT_CHECKPOINT_EVERY_EVENTS(self) -> int:
        """A checkpoint is due once this many events were sealed since the last one."""
        return self._get("AUDIT_CHECKPOINT_EVERY_EVENTS", 1000)

    @property
    def AUDIT_CHECKPOINT_EVERY_MINUTES(self) -> float:
        """A checkpoint is due this long after the last one, if events were sealed since."""
        return self._get("AUDIT_CHECKPOINT_EVERY_MINUTES", 60)

    @property
    def AUDIT_SEAL_SCHEDULE(self) -> str:
        """Cron of the task sealing events a crashed process left unsealed ("": none)."""
        return self._get("AUDIT_SEAL_SCHEDULE", "* * * * *")

    # --- security headers and CSP reports (headers/) --------------------------------

    @property
    def HEADERS_PERMISSIONS_POLICY(self) -> dict[str, list[str]]:
        """Permissions-Policy: feature -> allowlist ("self", "*" or origins; [] = nobody)."""
        return self._get("HEADERS_PERMISSIONS_POLICY", dict(DEFAULT_PERMISSIONS_POLICY))

    @property
    def HEADERS_CROSS_ORIGIN_OPENER_POLICY(self) -> str | None:
        """Cross-Origin-Opener-Policy sent when Django's SecurityMiddleware did not (None: off)."""
        return self._get("HEADERS_CROSS_ORIGIN_OPENER_POLICY", "same-origin")

    @property
    def HEADERS_CROSS_ORIGIN_RESOURCE_POLICY(self) -> str | None:
        """Cross-Origin-Resource-Policy of every response (None: not sent)."""
        return self._get("HEADERS_CROSS_ORIGIN_RESOURCE_POLICY", "same-origin")

    @property
    def HEADERS_CSP_REPORT_MAX_BYTES(self) -> int:
        """Largest CSP violation report body accepted; larger ones get 413."""
        return self._get("HEADERS_CSP_REPORT_MAX_BYTES", 16384)

    @property
    def HEADERS_CSP_REPORT_RATE(self) -> str:
        """CSP violation reports accepted per client address (a rate string)."""
        return self._get("HEADERS_CSP_REPORT_RATE", "60/m")

    @property
    def HEADERS_CSP_REPORT_MAX_PER_DAY(self) -> int:
        """CSP violation reports stored in any 24 hours, from all addresses together."""
        return self._get("HEADERS_CSP_REPORT_MAX_PER_DAY", 10_000)

    @property
    def HEADERS_CSP_REPORT_KEEP_DAYS(self) -> int:
        """Days CSP violation reports are kept before the cleanup task deletes them."""
        return self._get("HEADERS_CSP_REPORT_KEEP_DAYS", 30)

    # --- sessions (sessions/) -------------------------------------------------------

    @property
    def SESSIONS_IDLE_TIMEOUT(self) -> int | None:
        """Seconds without a request after which a session is logged out (None: never)."""
        return self._get("SESSIONS_IDLE_TIMEOUT", None)

    @property
    def SESSIONS_CLEANUP_SCHEDULE(self) -> str:
        """Cron of the task removing expired sessions and old CSP reports ("": none)."""
        return self._get("SESSIONS_CLEANUP_SCHEDULE", "23 * * * *")


conf = Settings()
