"""Settings of django-prodready-observability: one typed property per setting, read lazily.

Core type-checks every value against these annotations (``prodready.E002``); what a
type cannot say (a DSN's shape, a rate's range, a valid regular expression) is
checked in ``prodready_observability.checks``. Every setting is listed in
docs/settings.md.
"""

from __future__ import annotations

from typing import Literal

from prodready.conf import AppSettings

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Headers kept in Sentry events: what helps debugging and never carries a credential.
DEFAULT_HEADER_ALLOWLIST = [
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Cache-Control",
    "Content-Length",
    "Content-Type",
    "Host",
    "Origin",
    "Referer",
    "User-Agent",
    "X-Forwarded-Proto",
    "X-Request-ID",
]
DEFAULT_IGNORED_TRANSACTION_PATHS = ["/health", "/metrics", "/static"]
# Requests not logged, counted or timed: probes, scrapes and files.
DEFAULT_ANALYTICS_SKIP_PATHS = ["/health", "/metrics", "/static", "/media"]


class Settings(AppSettings):
    # --- Sentry ----------------------------------------------------------------------

    @property
    def SENTRY_DSN(self) -> str | None:
        """Where Sentry events go; empty or None sends nothing."""
        return self._get("SENTRY_DSN", None)

    @property
    def SENTRY_ENVIRONMENT(self) -> str | None:
        """Environment name on every event (None: $SENTRY_ENVIRONMENT, else "production")."""
        return self._get("SENTRY_ENVIRONMENT", None)

    @property
    def SENTRY_RELEASE(self) -> str | None:
        """Release on every event (None: sentry-sdk detects it from the environment or git)."""
        return self._get("SENTRY_RELEASE", None)

    @property
    def SENTRY_TRACES_SAMPLE_RATE(self) -> float | None:
        """Share of transactions traced, 0.0 to 1.0 (None: tracing off)."""
        return self._get("SENTRY_TRACES_SAMPLE_RATE", None)

    @property
    def SENTRY_PROFILE_SESSION_SAMPLE_RATE(self) -> float | None:
        """Share of processes profiled while they trace, 0.0 to 1.0 (None: profiling off)."""
        return self._get("SENTRY_PROFILE_SESSION_SAMPLE_RATE", None)

    @property
    def SENTRY_SEND_USER(self) -> bool:
        """Attach the signed-in user's id, username, email and address to events."""
        return self._get("SENTRY_SEND_USER", False)

    @property
    def SENTRY_LOG_LEVEL(self) -> LogLevel:
        """Log records from this level up become breadcrumbs."""
        return self._get("SENTRY_LOG_LEVEL", "INFO")

    @property
    def SENTRY_LOG_EVENT_LEVEL(self) -> LogLevel | None:
        """Log records from this level up become Sentry events (None: none do)."""
        return self._get("SENTRY_LOG_EVENT_LEVEL", "ERROR")

    @property
    def SENTRY_IGNORED_TRANSACTION_PATHS(self) -> list[str]:
        """Path prefixes whose transactions are never sent (probes, scrapes, files)."""
        return self._get("SENTRY_IGNORED_TRANSACTION_PATHS", DEFAULT_IGNORED_TRANSACTION_PATHS)

    @property
    def SENTRY_HEADER_ALLOWLIST(self) -> list[str]:
        """Request headers whose values are sent; every other header's value is masked."""
        return self._get("SENTRY_HEADER_ALLOWLIST", DEFAULT_HEADER_ALLOWLIST)

    @property
    def SENTRY_SCRUB_KEYS(self) -> list[str]:
        """Extra regular expressions: keys whose normalised name matches are masked."""
        return self._get("SENTRY_SCRUB_KEYS", [])

    @property
    def SENTRY_SCRUB_PATTERNS(self) -> list[str]:
        """Extra regular expressions: matching text is masked wherever it appears."""
        return self._get("SENTRY_SCRUB_PATTERNS", [])

    # --- Request analytics -----------------------------------------------------------

    @property
    def ANALYTICS_SLOW_REQUEST_MS(self) -> float:
        """Requests that take longer than this many milliseconds are logged as WARNING."""
        return self._get("ANALYTICS_SLOW_REQUEST_MS", 1000.0)

    @property
    def ANALYTICS_SKIP_PATHS(self) -> list[str]:
        """Path prefixes whose requests are not logged, counted or timed."""
        return self._get("ANALYTICS_SKIP_PATHS", DEFAULT_ANALYTICS_SKIP_PATHS)

    @property
    def ANALYTICS_REQUEST_ID_HEADER(self) -> str:
        """Header that carries the request id, in and out."""
        return self._get("ANALYTICS_REQUEST_ID_HEADER", "X-Request-ID")

    @property
    def ANALYTICS_TRUST_REQUEST_ID(self) -> bool:
        """Keep a well-formed request id sent by the client or proxy (else always make one)."""
        return self._get("ANALYTICS_TRUST_REQUEST_ID", True)

    @property
    def ANALYTICS_CACHE(self) -> str | None:
        """Cache alias that keeps per-minute request counts for the dashboard (None: off)."""
        return self._get("ANALYTICS_CACHE", "default")

    @property
    def ANALYTICS_MAX_ROUTES(self) -> int:
        """Routes kept apart per minute for the dashboard; the rest count as "<other>"."""
        return self._get("ANALYTICS_MAX_ROUTES", 50)

    # --- Metrics ---------------------------------------------------------------------

    @property
    def METRICS_TOKEN(self) -> str | None:
        """Bearer token that lets a scraper read /metrics."""
        return self._get("METRICS_TOKEN", None)

    @property
    def METRICS_ALLOWED_ADDRESSES(self) -> list[str]:
        """Addresses or networks that may read /metrics without the token."""
        return self._get("METRICS_ALLOWED_ADDRESSES", [])

    @property
    def METRICS_HEALTH(self) -> bool:
        """Export the health checks' results (run at most every HEALTH_CACHE_SECONDS)."""
        return self._get("METRICS_HEALTH", True)


conf = Settings()
