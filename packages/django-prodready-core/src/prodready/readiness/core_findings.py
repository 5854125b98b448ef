"""Core's readiness rules: what Django's deploy checks do not already cover.

Ids are stable and never reused:

- ``prodready.R001`` (security) ALLOWED_HOSTS has no ``"*"`` wildcard
- ``prodready.R002`` (performance) every cache is shared across processes
- ``prodready.R003`` (performance) database connections are reused (CONN_MAX_AGE or a pool)
- ``prodready.R004`` (monitoring) LOGGING is configured
- ``prodready.R005`` (monitoring) notifications reach someone (ADMINS or a webhook)
- ``prodready.R006`` (monitoring) PRODREADY_HEALTH_TOKEN is set and long enough
- ``prodready.R007`` (deployment) the default database is not SQLite
- ``prodready.R008`` (deployment) email is really sent: EMAIL_BACKEND or every mailer
  of MAILERS is not console, locmem, file or dummy (from Django 6.1, ``mail.E001``
  reports the default mailer)
- ``prodready.R009`` (deployment) STATIC_ROOT is set for collectstatic
- ``prodready.R010`` (deployment) a cache outage degrades pages (misses, sessions from
  the database) instead of turning them into errors (``prodready.cache_outage``)
- ``prodready.R011`` (deployment) a database outage answers 503, not 500: ``handler500``
  is ``prodready.database_outage.server_error``
- ``prodready.R020`` (deployment) a scheduler runs the periodic tasks: Celery beat's
  heartbeat is recent (``prodready.heartbeat``)

DEBUG, SECRET_KEY strength, an empty ALLOWED_HOSTS and the HTTPS settings are
reported under Django's own check ids (see ``prodready.readiness.django_findings``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import get_resolver
from django.utils.module_loading import import_string

from prodready import cache_outage
from prodready.conf import conf
from prodready.database_outage import server_error
from prodready.readiness.findings import Finding

HEALTH_TOKEN_MIN_LENGTH = 32

# Backends that keep their data inside one process (or one machine's disk), so
# rate limits, locks and cached health results differ between workers.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)
UNSENT_EMAIL_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # Django's default
SQLITE_ENGINE = "django.db.backends.sqlite3"


def core_findings() -> list[Finding]:
    """Evaluate every core rule, passed or not."""
    return [rule() for rule in RULES]


def allowed_hosts_wildcard() -> Finding:
    passed = "*" not in settings.ALLOWED_HOSTS
    return Finding(
        "prodready.R001",
        "security",
        "ALLOWED_HOSTS has no '*' wildcard",
        passed,
        fix="Replace '*' in ALLOWED_HOSTS with the domain names the site answers to "
        "(a leading dot such as '.example.com' matches subdomains).",
        weight=3,
        detail="" if passed else "ALLOWED_HOSTS contains '*', so any Host header is accepted.",
    )


def shared_cache() -> Finding:
    local = sorted(
        alias
        for alias, config in settings.CACHES.items()
        if config.get("BACKEND") in PER_PROCESS_CACHES
    )
    return Finding(
        "prodready.R002",
        "performance",
        "Caches are shared by every process",
        not local,
        fix=f"Set CACHES[{_first(local)!r}]['BACKEND'] to "
        "'django.core.cache.backends.redis.RedisCache' (or Memcached or the database "
        "cache) so every worker shares cached data, rate limits and locks.",
        weight=2,
        detail=f"Per-process cache backend for: {', '.join(local)}." if local else "",
    )


def database_connections_reused() -> Finding:
    # SQLite opens a file, not a network connection: nothing to reuse.
    databases: dict[str, dict[str, Any]] = settings.DATABASES
    fresh = sorted(
        alias
        for alias, config in databases.items()
        if config.get("ENGINE") != SQLITE_ENGINE
        and config.get("CONN_MAX_AGE", 0) == 0  # None means "keep forever"
        and not (config.get("OPTIONS") or {}).get("pool")
    )
    return Finding(
        "prodready.R003",
        "performance",
        "Database connections are reused between requests",
        not fresh,
        fix=f"Set DATABASES[{_first(fresh)!r}]['CONN_MAX_AGE'] to 60 or more with "
        "CONN_HEALTH_CHECKS = True (or enable the driver's connection pool in OPTIONS), so "
        "each request does not open a new connection.",
        weight=1,
        detail=f"A new connection per request for: {', '.join(fresh)}." if fresh else "",
    )


def logging_configured() -> Finding:
    # LOGGING_CONFIG = None means the project configures logging itself.
    passed = bool(settings.LOGGING) or settings.LOGGING_CONFIG is None
    return Finding(
        "prodready.R004",
        "monitoring",
        "LOGGING is configured",
        passed,
        fix="Set LOGGING to a dictConfig that sends warnings and errors of 'django' and of "
        "your apps to a handler your platform collects (for example stderr).",
        weight=2,
        detail="" if passed else "LOGGING is empty, so only Django's defaults apply.",
    )


def notifications_reach_someone() -> Finding:
    channels = conf.NOTIFY_CHANNELS
    email = "email" in channels and bool(settings.ADMINS)
    webhook = "webhook" in channels and bool(conf.NOTIFY_WEBHOOK_URL)
    passed = email or webhook
    return Finding(
        "prodready.R005",
        "monitoring",
        "Notifications reach someone",
        passed,
        fix="Set ADMINS to the people who run the site (with 'email' in "
        "PRODREADY_NOTIFY_CHANNELS), or add 'webhook' to PRODREADY_NOTIFY_CHANNELS and set "
        "PRODREADY_NOTIFY_WEBHOOK_URL.",
        weight=2,
        detail=""
        if passed
        else f"PRODREADY_NOTIFY_CHANNELS is {list(channels)!r} and none has a recipient.",
    )


def health_token_set() -> Finding:
    token = conf.HEALTH_TOKEN or ""
    passed = len(token) >= HEALTH_TOKEN_MIN_LENGTH
    return Finding(
        "prodready.R006",
        "monitoring",
        "Monitoring can read the detailed health view",
        passed,
        fix=f"Set PRODREADY_HEALTH_TOKEN from the environment to a random value of at least "
        f"{HEALTH_TOKEN_MIN_LENGTH} characters (python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))').",
        weight=1,
        # The token's length, never the token: the report ends up in CI logs.
        detail=""
        if passed
        else (
            f"PRODREADY_HEALTH_TOKEN has {len(token)} characters."
            if token
            else "PRODREADY_HEALTH_TOKEN is not set."
        ),
    )


def database_not_sqlite() -> Finding:
    databases: dict[str, dict[str, Any]] = settings.DATABASES
    engine = databases.get("default", {}).get("ENGINE", "")
    passed = engine != SQLITE_ENGINE
    return Finding(
        "prodready.R007",
        "deployment",
        "The default database is a server, not SQLite",
        passed,
        fix="Point DATABASES['default'] at PostgreSQL ('django.db.backends.postgresql') or "
        "another database server; SQLite allows one writer at a time on one machine's disk.",
        weight=2,
        detail="" if passed else "DATABASES['default'] uses SQLite.",
    )


def email_is_sent() -> Finding:
    unsent = sorted(
        name
        for name, backend in _email_backends().items()
        if not backend or backend in UNSENT_EMAIL_BACKENDS
    )
    return Finding(
        "prodready.R008",
        "deployment",
        "Email is delivered",
        not unsent,
        fix="Use an email backend that delivers, such as "
        "'django.core.mail.backends.smtp.EmailBackend', in "
        + ("MAILERS" if _uses_mailers() else "EMAIL_BACKEND")
        + ", so password resets and error emails reach people.",
        weight=2,
        detail=f"Email is not delivered by: {', '.join(unsent)}." if unsent else "",
    )


def static_root_set() -> Finding:
    passed = (
        bool(settings.STATIC_ROOT)
        or not apps.is_installed("django.contrib.staticfiles")
        or not _static_files_on_local_disk()
    )
    return Finding(
        "prodready.R009",
        "deployment",
        "STATIC_ROOT is set for collectstatic",
        passed,
        fix="Set STATIC_ROOT to the directory collectstatic copies static files into, and "
        "serve it from the web server (or WhiteNoise).",
        weight=2,
        detail="" if passed else "STATIC_ROOT is not set.",
    )


def periodic_tasks_run() -> Finding:
    from prodready import hooks
    from prodready.heartbeat import scheduler_status

    tasks = sorted({task.task for task in hooks.periodic_tasks()})
    status = scheduler_status() if tasks else None
    passed = status is None or status.running
    return Finding(
        "prodready.R020",
        "deployment",
        "A scheduler runs the periodic tasks",
        passed,
        fix='Install "django-prodready-core[celery]", call prodready.schedule.connect(app) '
        "where you create the Celery app, and run Celery beat (celery -A mysite beat) with a "
        "broker (CELERY_BROKER_URL) and a CACHES['default'] the web processes share (Redis).",
        weight=2,
        detail=""
        if passed or status is None
        else f"Not run: {', '.join(tasks)}; {status.message}.",
    )


def cache_outage_degrades() -> Finding:
    problems = cache_outage.problems()
    return Finding(
        "prodready.R010",
        "deployment",
        "A cache outage degrades pages instead of breaking them",
        not problems,
        fix="Give each Redis cache in CACHES the BACKEND 'django_redis.cache.RedisCache' "
        "with OPTIONS IGNORE_EXCEPTIONS True, SOCKET_CONNECT_TIMEOUT and SOCKET_TIMEOUT "
        "(0.5 s, say) and CONNECTION_POOL_CLASS "
        f"{cache_outage.BREAKER_POOL!r} (django-prodready-core[redis]); for Memcached set "
        "OPTIONS ignore_exc True (PyMemcacheCache); keep sessions in "
        "'django.contrib.sessions.backends.cached_db'. An outage then reads as cache "
        "misses, sessions come from the database, and a hung server costs one timeout "
        "per process every PRODREADY_BREAKER_SECONDS.",
        weight=2,
        detail="; ".join(problems) + "." if problems else "",
    )


def database_outage_answers_503() -> Finding:
    if getattr(settings, "ROOT_URLCONF", None):
        handler = get_resolver().resolve_error_handler(500)
        passed = handler is server_error
        name = f"{handler.__module__}.{handler.__qualname__}"
    else:  # no URLconf, no pages (a worker's or a test's settings)
        passed, name = True, ""
    return Finding(
        "prodready.R011",
        "deployment",
        "A database outage answers 503, not 500",
        passed,
        fix="In the ROOT_URLCONF module set handler500 = "
        "'prodready.database_outage.server_error', so pages answer a short 503 with "
        "Retry-After while the database cannot be reached (other errors keep the 500 page).",
        weight=1,
        detail="" if passed else f"handler500 is {name}.",
    )


def _first(aliases: list[str]) -> str:
    return aliases[0] if aliases else "default"


def _uses_mailers() -> bool:
    # Django 6.1 replaces EMAIL_BACKEND with MAILERS, and then refuses to read
    # EMAIL_BACKEND at all.
    return hasattr(settings, "MAILERS")


def _email_backends() -> dict[str, str]:
    """Email backend of every mailer, keyed by the name the fix should show."""
    if _uses_mailers():
        mailers: dict[str, dict[str, Any]] = getattr(settings, "MAILERS")  # noqa: B009
        if not mailers:
            return {"MAILERS": ""}  # no mailer: nothing can be sent
        backends = {
            f"MAILERS[{alias!r}]": str(config.get("BACKEND", SMTP_BACKEND))
            for alias, config in mailers.items()
            # Django 6.1's mail.E001 reports the default mailer itself.
            if not (alias == "default" and django.VERSION >= (6, 1))
        }
        return backends
    with warnings.catch_warnings():
        # Django 6.1 warns on every read of EMAIL_BACKEND; the project was
        # already warned when its settings loaded.
        warnings.filterwarnings("ignore", message="The EMAIL_BACKEND setting is deprecated")
        return {"EMAIL_BACKEND": str(settings.EMAIL_BACKEND)}


def _static_files_on_local_disk() -> bool:
    """Whether collectstatic writes to STATIC_ROOT (remote storages do not need it)."""
    storages: dict[str, dict[str, Any]] = settings.STORAGES
    backend = storages.get("staticfiles", {}).get("BACKEND", "")
    try:
        storage_class = import_string(backend)
    except ImportError:
        return True  # Django's own checks report a broken storage; assume the common case.
    return isinstance(storage_class, type) and issubclass(storage_class, FileSystemStorage)


RULES: tuple[Callable[[], Finding], ...] = (
    allowed_hosts_wildcard,
    shared_cache,
    database_connections_reused,
    logging_configured,
    notifications_reach_someone,
    health_token_set,
    database_not_sqlite,
    email_is_sent,
    static_root_set,
    cache_outage_degrades,
    database_outage_answers_503,
    periodic_tasks_run,
)
