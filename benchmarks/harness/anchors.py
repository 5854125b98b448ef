"""The "anchors": what teams install instead of prodready, doing the same jobs.

``stack_settings.py`` builds the ``anchors`` variant from Django's default middleware and

- django-prometheus: request metrics (its before and after middleware);
- django-structlog: a structured log line per request (JSON, through structlog);
- django-otp: the verified device on every request (``OTPMiddleware``), and the 2FA
  requirement below, as a site enforces it with django-otp alone;
- django-ratelimit: every request counted in Redis, by client address, at the rate
  ``stack_anchors.py`` gives prodready's own rule;
- django-auditlog: the actor of any change (``AuditlogMiddleware``).

They are installed in the benchmark environment only (the ``bench`` dependency group).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

RATE = "100000/m"  # the same as prodready's rule in the benchmark: never reached

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "harness.anchors.RateLimitEveryRequest",
    "django_otp.middleware.OTPMiddleware",
    "harness.anchors.RequireVerifiedStaff",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
APPS = ["django_prometheus", "django_structlog", "django_otp", "auditlog"]


class RateLimitEveryRequest:
    """django-ratelimit's counting on every request, as its decorator would on each view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from django_ratelimit.core import is_ratelimited

        if is_ratelimited(request, group="site", key="ip", rate=RATE, increment=True):
            return HttpResponse("Too many requests", status=429)
        return self.get_response(request)


class RequireVerifiedStaff:
    """Staff who have not passed 2FA in this session are sent to enter a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_verified():  # type: ignore[union-attr]
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)


def logging_config(level: str) -> dict[str, object]:
    """structlog's own JSON lines on stdout, for django-structlog's and every other record."""
    import structlog

    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processor": structlog.processors.JSONRenderer(),
                "foreign_pre_chain": shared,
            }
        },
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["stdout"], "level": level},
    }
