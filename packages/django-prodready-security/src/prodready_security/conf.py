"""Settings of django-prodready-security: one typed property per setting, read lazily.

Core type-checks every value against these annotations (``prodready.E002``); what
a type cannot say (a rate string, a rule's options) is checked in each feature's
``checks`` module (``ratelimit.checks``, ``otp.checks``, ...). docs/settings.md is
generated from the docstrings.
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
        """Rate-limit rules the middleware applies: each has a ``name``, a ``rate`` (``"5/m"``,
        ``"100/h"``, ``"5/15m"``), ``paths`` (prefixes) and/or ``url_names``, and optionally
        ``methods``, ``key`` (``"ip"``, ``"user"``, ``"user_or_ip"``, ``"header:<name>"`` or a
        dotted path), ``fail_open`` and ``api`` (always answer JSON).

        :type: list of dicts
        :default: ``[]``
        """
        return self._get("RATELIMIT_RULES", [])

    @property
    def RATELIMIT_CACHE(self) -> str:
        """The cache holding the counters; a Redis cache (django-redis) counts with at most one
        atomic round trip per rule and is shared by every process.

        :type: cache alias
        :default: ``"default"``
        """
        return self._get("RATELIMIT_CACHE", "default")

    @property
    def RATELIMIT_FAIL_OPEN(self) -> bool:
        """When that cache is down: ``True`` lets requests through (logged, counted in metrics),
        ``False`` answers 503. A rule's ``fail_open`` overrides it. The login lockout never fails
        open: while the cache is down every login answers 503.

        :type: boolean
        :default: ``True``
        """
        return self._get("RATELIMIT_FAIL_OPEN", True)

    @property
    def RATELIMIT_LEASE_MAX(self) -> int:
        """The most requests a process may reserve from a Redis counter in one round trip and
        then let through without asking again (a lease). A lease is at most 1/100 of what is
        left of the limit, so it shrinks to one request near the limit, and a rule below 200
        requests per window never leases; the limit is never exceeded across processes.
        Counts a process reserved but did not spend (it exited, or that client's requests
        went elsewhere) make the limit stricter in that window, never looser: at most one
        lease per thread of each process. ``1`` turns leases off. Caches other than Redis
        count every request.

        :type: integer, at least 1
        :default: ``100``
        """
        return self._get("RATELIMIT_LEASE_MAX", 100)

    @property
    def RATELIMIT_LOGIN_COMBINATION_RATE(self) -> str | None:
        """Failed logins allowed for one username from one client address before that pair is
        locked out (django-axes' combination mode); the same username from another address is not
        locked. ``None`` turns this off.

        :type: rate string or ``None``
        :default: ``"5/15m"``
        """
        return self._get("RATELIMIT_LOGIN_COMBINATION_RATE", "5/15m")

    @property
    def RATELIMIT_LOGIN_USERNAME_RATE(self) -> str | None:
        """Failed logins of one username from any address before it is slowed (never locked):
        from then on each address that fails must wait before its next attempt on it, 1 second
        doubling with each further failure. An address that has not failed is not held back.
        ``None`` turns this off.

        :type: rate string or ``None``
        :default: ``"10/15m"``
        """
        return self._get("RATELIMIT_LOGIN_USERNAME_RATE", "10/15m")

    @property
    def RATELIMIT_LOGIN_USERNAME_DELAY_MAX(self) -> float:
        """The longest wait, in seconds, between an address's attempts on a slowed username.

        :type: number
        :default: ``60.0``
        """
        return self._get("RATELIMIT_LOGIN_USERNAME_DELAY_MAX", 60.0)

    @property
    def RATELIMIT_LOGIN_ADDRESS_RATE(self) -> str | None:
        """Failed logins allowed per client address before it is locked out; ``None`` turns this
        off.

        :type: rate string or ``None``
        :default: ``"20/15m"``
        """
        return self._get("RATELIMIT_LOGIN_ADDRESS_RATE", "20/15m")

    @property
    def RATELIMIT_LOGIN_ALLOWLIST(self) -> list[str]:
        """Client addresses (``"192.0.2.10"``) or networks (``"10.0.0.0/8"``) whose logins are
        never counted, locked out or slowed: the office, the VPN. The address is the one
        ``PRODREADY_TRUSTED_PROXIES`` resolves.

        :type: list of addresses or networks
        :default: ``[]``
        """
        return self._get("RATELIMIT_LOGIN_ALLOWLIST", [])

    @property
    def RATELIMIT_LOGIN_LOCKOUT(self) -> float:
        """Seconds of the first lockout; each further lockout of the same username or address
        doubles it.

        :type: number
        :default: ``60.0``
        """
        return self._get("RATELIMIT_LOGIN_LOCKOUT", 60.0)

    @property
    def RATELIMIT_LOGIN_LOCKOUT_MAX(self) -> float:
        """The longest lockout in seconds; escalation is forgotten this long after the last lockout
        ends.

        :type: number
        :default: ``86400.0``
        """
        return self._get("RATELIMIT_LOGIN_LOCKOUT_MAX", 86400.0)

    # --- two-factor authentication (otp/) -----------------------------------------

    @property
    def OTP_ENCRYPTION_KEYS(self) -> list[str]:
        """Keys that encrypt TOTP secrets at rest, newest first: the first encrypts, every one
        decrypts. Make one with ``manage.py otp generate-key``, keep it in the environment;
        required when 2FA is enforced (``prodready_security.E020``).

        :type: list of Fernet keys
        :default: ``[]``
        """
        return self._get("OTP_ENCRYPTION_KEYS", [])

    @property
    def OTP_REQUIRED_FOR(self) -> list[Literal["superusers", "staff", "all"]]:
        """Who ``OTPEnforcementMiddleware`` makes set up and verify 2FA before any other page.

        :type: list of ``"superusers"``, ``"staff"``, ``"all"``
        :default: ``["superusers", "staff"]``
        """
        return self._get("OTP_REQUIRED_FOR", ["superusers", "staff"])

    @property
    def OTP_REQUIRED_GROUPS(self) -> list[str]:
        """Members of these groups must use 2FA too.

        :type: list of group names
        :default: ``[]``
        """
        return self._get("OTP_REQUIRED_GROUPS", [])

    @property
    def OTP_EXEMPT_PATHS(self) -> list[str]:
        """Paths reachable before 2FA is done, beyond logout, static and media files, health probes
        and the 2FA pages.

        :type: list of path prefixes
        :default: ``[]``
        """
        return self._get("OTP_EXEMPT_PATHS", [])

    @property
    def OTP_EXEMPT_URL_NAMES(self) -> list[str]:
        """URL names (``"namespace:name"``) reachable before 2FA is done.

        :type: list of URL names
        :default: ``[]``
        """
        return self._get("OTP_EXEMPT_URL_NAMES", [])

    @property
    def OTP_ISSUER(self) -> str | None:
        """The name authenticator apps show for the account; ``None`` uses the site's host name.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("OTP_ISSUER", None)

    @property
    def OTP_BACKUP_CODE_COUNT(self) -> int:
        """Single-use backup codes a user gets at a time (1 to 50).

        :type: integer
        :default: ``10``
        """
        return self._get("OTP_BACKUP_CODE_COUNT", 10)

    @property
    def OTP_DEVICE_CACHE_SECONDS(self) -> float:
        """With ``VerifiedDeviceMiddleware`` (a drop-in for django-otp's ``OTPMiddleware``): how
        long a loaded, confirmed 2FA device is trusted without asking the database; saving or
        deleting a device ends that at once. ``OTPEnforcementMiddleware`` remembers as long whether
        a user has enrolled at all, so a signed-in user without 2FA costs no database query per
        request (saving or deleting one of their devices forgets it). Needs a shared ``default``
        cache (Redis). With Redis, each process also keeps both answers until their entries
        expire, and drops them as soon as any process announces a change to the device on a
        Redis channel: a signed-in request then asks Redis nothing for 2FA. ``0`` loads the
        device, and asks whether the user enrolled, on every request, as django-otp does.

        :type: number
        :default: ``300``
        """
        return self._get("OTP_DEVICE_CACHE_SECONDS", 300)

    @property
    def OTP_TRUSTED_BROWSER_DAYS(self) -> int:
        """Days a browser may skip the code once its user ticks "Trust this browser" at
        verification; ``0`` turns the offer off. A signed, ``HttpOnly`` cookie and a row listed on
        the sessions page; it ends when the password or the user's 2FA devices change, from the
        sessions page, and with "sign out everywhere".

        :type: integer, 0 to 365
        :default: ``0``
        """
        return self._get("OTP_TRUSTED_BROWSER_DAYS", 0)

    @property
    def OTP_TRUSTED_BROWSER_SUPERUSERS(self) -> bool:
        """Whether superusers are offered it too; by default they enter a code at every sign-in.

        :type: boolean
        :default: ``False``
        """
        return self._get("OTP_TRUSTED_BROWSER_SUPERUSERS", False)

    @property
    def OTP_WEBAUTHN_RP_ID(self) -> str | None:
        """The relying party id of passkeys: the site's domain, such as ``"example.com"``
        (passkeys then work on it and its subdomains). ``None`` turns passkeys off. It must
        match ``ALLOWED_HOSTS`` (``prodready_security.E028``) and can never change without
        every passkey being registered again.

        :type: string (a domain, no scheme or port) or ``None``
        :default: ``None``
        """
        return self._get("OTP_WEBAUTHN_RP_ID", None)

    @property
    def OTP_WEBAUTHN_ORIGINS(self) -> list[str]:
        """Origins the browser may run a passkey ceremony on, each on the relying party's
        domain; ``[]`` means ``["https://<PRODREADY_OTP_WEBAUTHN_RP_ID>"]``.

        :type: list of origins (``"https://example.com"``, with a port when not the default)
        :default: ``[]``
        """
        return self._get("OTP_WEBAUTHN_ORIGINS", [])

    @property
    def OTP_PASSKEY_SIGN_IN(self) -> bool:
        """Whether the login page offers signing in with a passkey alone, no password: the
        passkey (something the user has, unlocked with their fingerprint, face or PIN) counts
        as both factors, so enforced 2FA is satisfied. Needs ``PRODREADY_OTP_WEBAUTHN_RP_ID``.

        :type: boolean
        :default: ``False``
        """
        return self._get("OTP_PASSKEY_SIGN_IN", False)

    @property
    def OTP_THROTTLE_FACTOR(self) -> float:
        """django-otp's back-off after a wrong code: waits of 1, 2, 4, 8... times this many
        seconds. Must be positive.

        :type: number
        :default: ``1.0``
        """
        return self._get("OTP_THROTTLE_FACTOR", 1.0)

    # --- audit log (audit/) ---------------------------------------------------------

    @property
    def AUDIT_TRACKED_MODELS(self) -> list[str]:
        """Models whose creates, updates (with field diffs) and deletes are audit events, including
        ``QuerySet.update``, ``bulk_create``, ``bulk_update`` and ``QuerySet.delete``, and whose
        many-to-many changes (add, remove, clear, set, from either side; ``auth.User``'s ``groups``
        and ``user_permissions`` too) are ``model.m2m_changed`` events with the sets before and
        after.

        :type: list of ``"app_label.ModelName"``
        :default: ``[]``
        """
        return self._get("AUDIT_TRACKED_MODELS", [])

    @property
    def AUDIT_MASKED_FIELDS(self) -> list[str]:
        """Fields whose values are logged as ``"********"``, beyond the built-in secrets
        (passwords, OTP keys and backup codes, fields named like ``*secret*``, ``*token*`` or
        ``*encrypted*``).

        :type: list of field names or ``"app_label.model.field"`` patterns
        :default: ``[]``
        """
        return self._get("AUDIT_MASKED_FIELDS", [])

    @property
    def AUDIT_DATABASE(self) -> str:
        """The database that holds the audit log.

        :type: database alias
        :default: ``"default"``
        """
        return self._get("AUDIT_DATABASE", "default")

    @property
    def AUDIT_SEAL_MAX_DELAY(self) -> float:
        """Seconds an event may stay unsealed (not yet linked into the hash chain) before
        ``manage.py audit verify`` and the ``audit:chain`` health check report that sealing is not
        running.

        :type: number
        :default: ``300``
        """
        return self._get("AUDIT_SEAL_MAX_DELAY", 300)

    @property
    def AUDIT_CHECKPOINT_STORAGE(self) -> str | None:
        """Where signed checkpoints of the chain are written
        (``audit-checkpoints/<sequence>.json``); use a storage the database's users cannot rewrite
        (S3 with Object Lock, another host). ``None``: no checkpoints.

        :type: storage alias or ``None``
        :default: ``None``
        """
        return self._get("AUDIT_CHECKPOINT_STORAGE", None)

    @property
    def AUDIT_CHECKPOINT_KEYS(self) -> list[str]:
        """Checkpoint signing keys, newest first: the first signs, every one's public key verifies.
        From the environment, never the database; make one with ``manage.py audit checkpoint-key
        ID``.

        :type: list of ``"<id>:<base64 Ed25519 private key>"``
        :default: ``[]``
        """
        return self._get("AUDIT_CHECKPOINT_KEYS", [])

    @property
    def AUDIT_CHECKPOINT_PUBLIC_KEYS(self) -> list[str]:
        """Public keys of retired signing keys, so their checkpoints still verify after rotation.

        :type: list of ``"<id>:<base64 Ed25519 public key>"``
        :default: ``[]``
        """
        return self._get("AUDIT_CHECKPOINT_PUBLIC_KEYS", [])

    @property
    def AUDIT_CHECKPOINT_EVERY_EVENTS(self) -> int:
        """The seal task writes a checkpoint once this many events were sealed since the last one.

        :type: integer
        :default: ``1000``
        """
        return self._get("AUDIT_CHECKPOINT_EVERY_EVENTS", 1000)

    @property
    def AUDIT_CHECKPOINT_NOTIFY(self) -> bool:
        """Also send each checkpoint written through ``prodready.notify`` (email to the admins,
        the webhook): a second copy outside the database, in other people's hands.

        :type: boolean
        :default: ``False``
        """
        return self._get("AUDIT_CHECKPOINT_NOTIFY", False)

    @property
    def AUDIT_CHECKPOINT_EVERY_MINUTES(self) -> float:
        """... or once this long has passed since the last one and events were sealed since.

        :type: number
        :default: ``60``
        """
        return self._get("AUDIT_CHECKPOINT_EVERY_MINUTES", 60)

    @property
    def AUDIT_SEAL_SCHEDULE(self) -> str:
        """When the periodic task ``prodready_security.audit_seal`` seals events that no
        process's sealer thread sealed (a process killed, or ended with ``os._exit``, right
        after committing); ``""`` schedules nothing.

        :type: cron string
        :default: ``"* * * * *"``
        """
        return self._get("AUDIT_SEAL_SCHEDULE", "* * * * *")

    # --- security headers and CSP reports (headers/) --------------------------------

    @property
    def HEADERS_PERMISSIONS_POLICY(self) -> dict[str, list[str]]:
        """The ``Permissions-Policy`` header ``SecurityHeadersMiddleware`` sends: each feature maps
        to its allowlist, ``[]`` (nobody), ``["self"]``, ``["*"]`` or origins such as
        ``"https://maps.example.com"``. ``{}`` sends no header.

        :type: dict of feature to list
        :default: camera, microphone, geolocation, payment, usb and the motion sensors all ``[]``
        """
        return self._get("HEADERS_PERMISSIONS_POLICY", dict(DEFAULT_PERMISSIONS_POLICY))

    @property
    def HEADERS_CROSS_ORIGIN_OPENER_POLICY(self) -> str | None:
        """``Cross-Origin-Opener-Policy`` when nothing else set one (Django's
        ``SecurityMiddleware`` sets its own from ``SECURE_CROSS_ORIGIN_OPENER_POLICY`` and wins);
        ``None`` sends none.

        :type: string or ``None``
        :default: ``"same-origin"``
        """
        return self._get("HEADERS_CROSS_ORIGIN_OPENER_POLICY", "same-origin")

    @property
    def HEADERS_CROSS_ORIGIN_RESOURCE_POLICY(self) -> str | None:
        """The ``Cross-Origin-Resource-Policy`` header; ``None`` sends none. A view's own header is
        always kept.

        :type: ``"same-origin"``, ``"same-site"``, ``"cross-origin"`` or ``None``
        :default: ``"same-origin"``
        """
        return self._get("HEADERS_CROSS_ORIGIN_RESOURCE_POLICY", "same-origin")

    @property
    def HEADERS_CSP_REPORT_MAX_BYTES(self) -> int:
        """Largest CSP violation report body accepted; larger ones get 413 before anything is
        parsed.

        :type: integer
        :default: ``16384``
        """
        return self._get("HEADERS_CSP_REPORT_MAX_BYTES", 16384)

    @property
    def HEADERS_CSP_REPORT_RATE(self) -> str:
        """CSP violation reports accepted per client address, counted in
        ``PRODREADY_RATELIMIT_CACHE``; more get 429.

        :type: rate string
        :default: ``"60/m"``
        """
        return self._get("HEADERS_CSP_REPORT_RATE", "60/m")

    @property
    def HEADERS_CSP_REPORT_MAX_PER_DAY(self) -> int:
        """CSP violation reports stored in any 24 hours, from every address together; beyond it the
        endpoint answers 429 and stores nothing, so a flood cannot fill the database.

        :type: integer
        :default: ``10000``
        """
        return self._get("HEADERS_CSP_REPORT_MAX_PER_DAY", 10_000)

    @property
    def HEADERS_CSP_REPORT_KEEP_DAYS(self) -> int:
        """Days CSP violation reports are kept; the cleanup task deletes older ones.

        :type: integer
        :default: ``30``
        """
        return self._get("HEADERS_CSP_REPORT_KEEP_DAYS", 30)

    # --- sessions (sessions/) -------------------------------------------------------

    @property
    def SESSIONS_IDLE_TIMEOUT(self) -> int | None:
        """``SessionActivityMiddleware`` logs out a session this long after its last request
        (measured to the minute); ``None`` never does.

        :type: integer (seconds, at least 60) or ``None``
        :default: ``None``
        """
        return self._get("SESSIONS_IDLE_TIMEOUT", None)

    @property
    def SESSIONS_IDLE_WARNING(self) -> int:
        """Seconds before the idle timeout at which pages that use ``{% idle_warning %}`` warn
        that the session is about to end, with a "Stay signed in" button; ``0`` never warns.

        :type: integer (seconds, less than ``PRODREADY_SESSIONS_IDLE_TIMEOUT``)
        :default: ``120``
        """
        return self._get("SESSIONS_IDLE_WARNING", 120)

    @property
    def SESSIONS_CLEANUP_SCHEDULE(self) -> str:
        """When the ``prodready_security.cleanup`` task removes expired sessions, the records of
        sessions that ended and old CSP reports (Celery beat); ``""`` schedules nothing.

        :type: cron expression
        :default: ``"23 * * * *"``
        """
        return self._get("SESSIONS_CLEANUP_SCHEDULE", "23 * * * *")


conf = Settings()
