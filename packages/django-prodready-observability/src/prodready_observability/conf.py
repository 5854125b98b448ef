"""Settings of django-prodready-observability: one typed property per setting, read lazily.

Core type-checks every value against these annotations (``prodready.E002``); what a
type cannot say (a DSN's shape, a rate's range, a valid regular expression) is
checked by each feature's system checks (``sentry/checks.py``, ``metrics/checks.py``,
``history/checks.py``). Every setting is listed in docs/settings.md.
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
        """Where Sentry events go. Without it Sentry is not initialised: nothing is sent and
        nothing fails. Set it from the environment.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("SENTRY_DSN", None)

    @property
    def SENTRY_ENVIRONMENT(self) -> str | None:
        """Environment name on every event; ``None`` uses ``$SENTRY_ENVIRONMENT``, else
        ``"production"``.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("SENTRY_ENVIRONMENT", None)

    @property
    def SENTRY_RELEASE(self) -> str | None:
        """Release on every event; ``None`` lets sentry-sdk detect it (``$SENTRY_RELEASE``,
        platform variables, git).

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("SENTRY_RELEASE", None)

    @property
    def SENTRY_TRACES_SAMPLE_RATE(self) -> float | None:
        """Share of transactions traced; ``None`` turns tracing off.

        :type: number from 0.0 to 1.0, or ``None``
        :default: ``None``
        """
        return self._get("SENTRY_TRACES_SAMPLE_RATE", None)

    @property
    def SENTRY_PROFILE_SESSION_SAMPLE_RATE(self) -> float | None:
        """Share of processes that are profiled (sentry-sdk's continuous profiling, run while a
        transaction is traced); ``None`` turns profiling off.

        :type: number from 0.0 to 1.0, or ``None``
        :default: ``None``
        """
        return self._get("SENTRY_PROFILE_SESSION_SAMPLE_RATE", None)

    @property
    def SENTRY_SEND_USER(self) -> bool:
        """Attach the signed-in user's id, username, e-mail and address to events (sentry-sdk's
        ``data_collection["user_info"]``).

        :type: boolean
        :default: ``False``
        """
        return self._get("SENTRY_SEND_USER", False)

    @property
    def SENTRY_LOG_LEVEL(self) -> LogLevel:
        """Log records from this level up are kept as breadcrumbs.

        :type: ``"DEBUG"``, ``"INFO"``, ``"WARNING"``, ``"ERROR"`` or ``"CRITICAL"``
        :default: ``"INFO"``
        """
        return self._get("SENTRY_LOG_LEVEL", "INFO")

    @property
    def SENTRY_LOG_EVENT_LEVEL(self) -> LogLevel | None:
        """Log records from this level up are sent as events; ``None`` sends none.

        :type: a level as above, or ``None``
        :default: ``"ERROR"``
        """
        return self._get("SENTRY_LOG_EVENT_LEVEL", "ERROR")

    @property
    def SENTRY_IGNORED_TRANSACTION_PATHS(self) -> list[str]:
        """Transactions for these paths and everything below them are never sent.

        :type: list of paths
        :default: ``["/health", "/metrics", "/static"]``
        """
        return self._get("SENTRY_IGNORED_TRANSACTION_PATHS", DEFAULT_IGNORED_TRANSACTION_PATHS)

    @property
    def SENTRY_HEADER_ALLOWLIST(self) -> list[str]:
        """Request headers whose values are sent; every other header's value is masked.

        :type: list of header names
        :default: ``["Accept", "Accept-Encoding", "Accept-Language", "Cache-Control",
            "Content-Length", "Content-Type", "Host", "Origin", "Referer", "User-Agent",
            "X-Forwarded-Proto", "X-Request-ID"]``
        """
        return self._get("SENTRY_HEADER_ALLOWLIST", DEFAULT_HEADER_ALLOWLIST)

    @property
    def SENTRY_SCRUB_KEYS(self) -> list[str]:
        """Extra key patterns, on top of the built-in rule (secret words matched word by word, see
        the observability README): a dict key, variable, header or parameter whose name matches has
        its value masked. Case is ignored; names are also tried normalised (``X-Acme-Hmac`` as ``x
        acme hmac``).

        :type: list of regular expressions
        :default: ``[]``
        """
        return self._get("SENTRY_SCRUB_KEYS", [])

    @property
    def SENTRY_SCRUB_PATTERNS(self) -> list[str]:
        """Extra secret shapes (such as ``acme_[0-9a-f]{32}``): matching text is masked wherever it
        appears.

        :type: list of regular expressions
        :default: ``[]``
        """
        return self._get("SENTRY_SCRUB_PATTERNS", [])

    # --- Request analytics -----------------------------------------------------------

    @property
    def ANALYTICS_SLOW_REQUEST_MS(self) -> float:
        """A request that takes longer than this many milliseconds is logged as WARNING instead of
        INFO.

        :type: number above 0
        :default: ``1000.0``
        """
        return self._get("ANALYTICS_SLOW_REQUEST_MS", 1000.0)

    @property
    def ANALYTICS_SKIP_PATHS(self) -> list[str]:
        """Requests for these paths and everything below them are not logged, counted or timed, and
        ``prodready_request_finished`` is not called for them; they still get a request id.

        :type: list of paths
        :default: ``["/health", "/metrics", "/static", "/media"]``
        """
        return self._get("ANALYTICS_SKIP_PATHS", DEFAULT_ANALYTICS_SKIP_PATHS)

    @property
    def ANALYTICS_REQUEST_ID_HEADER(self) -> str:
        """Header that carries the request id: read from the request (if well-formed) and always
        set on the response.

        :type: header name
        :default: ``"X-Request-ID"``
        """
        return self._get("ANALYTICS_REQUEST_ID_HEADER", "X-Request-ID")

    @property
    def ANALYTICS_TRUST_REQUEST_ID(self) -> bool:
        """Keep a well-formed incoming request id (1-64 characters of letters, digits, ``.``,
        ``_``, ``-``), so a proxy's id follows the request; ``False`` always makes a new one. A
        malformed id is always replaced, never echoed.

        :type: boolean
        :default: ``True``
        """
        return self._get("ANALYTICS_TRUST_REQUEST_ID", True)

    @property
    def ANALYTICS_CACHE(self) -> str | None:
        """Cache in which every process adds its per-minute request counts (every 5 seconds, from
        a background thread, so no request waits for it) for the dashboard's requests card; use
        one all processes share (Redis). After a failed write the cache is skipped for
        ``PRODREADY_BREAKER_SECONDS``. Keys expire after 65 minutes. ``None`` turns the store and
        the card off.

        :type: cache alias or ``None``
        :default: ``"default"``
        """
        return self._get("ANALYTICS_CACHE", "default")

    @property
    def ANALYTICS_MAX_ROUTES(self) -> int:
        """Routes kept apart per minute for the dashboard's slowest routes; requests to further
        routes in that minute count as ``<other>``.

        :type: integer
        :default: ``50``
        """
        return self._get("ANALYTICS_MAX_ROUTES", 50)

    @property
    def ANALYTICS_HISTORY(self) -> bool:
        """Keep the request history in the database (run ``manage.py migrate``): requests, errors
        and latency per route per minute, rolled up into hours and days; slow requests, slow
        queries, exceptions by class and place, and the busiest users, for the operations pages.
        Requests only add to in-process counters; a background thread writes them every
        ``PRODREADY_ANALYTICS_FLUSH_SECONDS``.

        :type: boolean
        :default: ``False``
        """
        return self._get("ANALYTICS_HISTORY", False)

    @property
    def ANALYTICS_KEEP_DAYS(self) -> int:
        """Days the request history is kept; the periodic task deletes older rows (per-minute
        rows are kept at most two days, hours and days this long).

        :type: integer of at least 1
        :default: ``14``
        """
        return self._get("ANALYTICS_KEEP_DAYS", 14)

    @property
    def ANALYTICS_FLUSH_SECONDS(self) -> float:
        """How often each process's background thread writes its counts to the database; ``0``
        starts no thread, leaving the writing to the periodic task
        ``prodready_observability.history``. A process loses at most this many seconds of counts
        when it exits.

        :type: number of at least 0
        :default: ``60.0``
        """
        return self._get("ANALYTICS_FLUSH_SECONDS", 60.0)

    @property
    def ANALYTICS_SLOW_QUERY_MS(self) -> float | None:
        """A database query that takes longer than this many milliseconds is kept in the history
        (its SQL with literals replaced by ``?``, the project code that ran it, count and
        slowest); ``None`` keeps none.

        :type: number above 0, or ``None``
        :default: ``100.0``
        """
        return self._get("ANALYTICS_SLOW_QUERY_MS", 100.0)

    @property
    def ANALYTICS_QUERY_SAMPLE_RATE(self) -> float:
        """Share of slow queries that are inspected and kept (their SQL normalised, their caller
        found): lower it on a busy site to keep the cost flat.

        :type: number from 0.0 to 1.0
        :default: ``1.0``
        """
        return self._get("ANALYTICS_QUERY_SAMPLE_RATE", 1.0)

    # --- Metrics ---------------------------------------------------------------------

    @property
    def METRICS_TOKEN(self) -> str | None:
        """Bearer token a scraper sends (``Authorization: Bearer <token>``) to read ``/metrics``.
        Set it from the environment; at least 32 characters.

        :type: string or ``None``
        :default: ``None``
        """
        return self._get("METRICS_TOKEN", None)

    @property
    def METRICS_ALLOWED_ADDRESSES(self) -> list[str]:
        """Client addresses (as core's ``client_ip`` resolves them, so behind a proxy set
        ``PRODREADY_TRUSTED_PROXIES``) that may read ``/metrics`` without the token. With neither
        this nor the token set, ``/metrics`` answers 404.

        :type: list of addresses or networks
        :default: ``[]``
        """
        return self._get("METRICS_ALLOWED_ADDRESSES", [])

    @property
    def METRICS_HEALTH(self) -> bool:
        """Export the health checks' latest results (``prodready_health_check_up``,
        ``prodready_health_status``); the runner caches them for
        ``PRODREADY_HEALTH_CACHE_SECONDS``.

        :type: boolean
        :default: ``True``
        """
        return self._get("METRICS_HEALTH", True)

    @property
    def METRICS_DATABASE(self) -> bool:
        """Count every database query and its duration per database alias
        (``prodready_db_queries_total``, ``prodready_db_query_duration_seconds``).

        :type: boolean
        :default: ``True``
        """
        return self._get("METRICS_DATABASE", True)

    @property
    def METRICS_CACHE(self) -> bool:
        """Count every read of every cache in ``CACHES`` as a hit or a miss, per cache alias
        (``prodready_cache_gets_total``, and the dashboard's cache card). Read when the app
        starts: the ``get`` and ``get_many`` of each cache are wrapped then.

        :type: boolean
        :default: ``True``
        """
        return self._get("METRICS_CACHE", True)

    @property
    def METRICS_MAX_TASK_NAMES(self) -> int:
        """Celery task names each process keeps apart in ``prodready_celery_tasks_total``,
        ``prodready_celery_task_duration_seconds`` and the dashboard's Celery counts; tasks
        of further names count as ``<other>``, so a scrape stays bounded.

        :type: integer
        :default: ``100``
        """
        return self._get("METRICS_MAX_TASK_NAMES", 100)


conf = Settings()
