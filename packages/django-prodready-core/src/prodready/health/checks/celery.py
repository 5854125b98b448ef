"""Celery workers: at least one answers a ping through the broker."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

from prodready.health.base import HealthCheck, HealthCheckError

# The share of the check's timeout the ping may wait; the rest is kept back so the ping's
# own wait ends first and the check reports "no worker answered" rather than being cut
# off as hung. Brokers that poll, such as Redis, overshoot a wait by up to about a
# second, and more on a loaded host, so the margin grows with the timeout.
WAIT_SHARE = 0.5
MINIMUM_WAIT_SECONDS = 0.5


class CeleryWorkersCheck(HealthCheck):
    """Not critical: web requests are served without workers; tasks wait in the broker."""

    name = "celery"
    critical = False

    def __init__(self, app_path: str) -> None:
        self.app_path = app_path

    def check(self) -> str | None:
        app = load_celery_app(self.app_path)
        wait = max(MINIMUM_WAIT_SECONDS, self.effective_timeout() * WAIT_SHARE)
        with app.connection_for_write() as connection:
            try:
                # The retry at once: a pooled connection the broker dropped (a restart)
                # fails its first attempt, and kombu's default pause is 2 s.
                connection.ensure_connection(max_retries=1, interval_start=0, timeout=wait)
            except Exception as exc:
                # Broker URLs carry passwords: the log gets the error, the report its kind.
                raise HealthCheckError(
                    f"could not reach the broker ({type(exc).__name__}); see the server log"
                ) from exc
            # limit=1: one living worker is enough, so do not wait for more replies.
            replies = app.control.ping(timeout=wait, limit=1, connection=connection)
        if not replies:
            raise HealthCheckError(f"no worker answered within {wait:.1f} s")
        return f"worker {next(iter(replies[0]))} answered"


def load_celery_app(app_path: str) -> Any:
    """The Celery app at ``app_path`` (``"proj.celery.app"`` or ``"proj.celery:app"``)."""
    try:
        import celery
    except ImportError:
        raise HealthCheckError(
            "PRODREADY_HEALTH_CELERY_APP is set but Celery is not installed; "
            "install django-prodready-core[celery]"
        ) from None
    try:
        app = import_string(app_path.replace(":", "."))
    except ImportError as exc:
        raise HealthCheckError(
            f"PRODREADY_HEALTH_CELERY_APP = {app_path!r} cannot be imported: {exc}"
        ) from None
    if not isinstance(app, celery.Celery):
        raise HealthCheckError(
            f"PRODREADY_HEALTH_CELERY_APP = {app_path!r} is a {type(app).__name__}, "
            "not a Celery app"
        )
    return app
