"""gunicorn settings for the school site: ``gunicorn -c gunicorn.conf.py school_site.wsgi``.

Read from the environment:

- ``GUNICORN_BIND`` (default ``0.0.0.0:8000``)
- ``GUNICORN_WORKERS`` (default ``2 * cores + 1``)
- ``GUNICORN_THREADS`` (default 1), ``GUNICORN_TIMEOUT`` (default 30 s),
  ``GUNICORN_GRACEFUL_TIMEOUT`` (default 30 s), ``GUNICORN_KEEPALIVE`` (default 5 s)
- ``GUNICORN_MAX_REQUESTS`` (default 1000, 0 turns recycling off)
- ``LOG_LEVEL`` (default ``info``), shared with Django's logging; both logs are
  scrubbed of secrets (docs/operations.md, "Logs without secrets")
- ``PROMETHEUS_MULTIPROC_DIR``: when set, the metrics of every worker are added up
  (django-prodready-observability); it is emptied when gunicorn starts and a dead
  worker's files are marked so its gauges stop counting.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, staggered so they never restart all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10

# Logs to stdout/stderr, for the container runtime to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The method and path, not the request line (%(r)s): query strings stay out of the log.
access_log_format = (
    '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}i)s'
)
# Scrubs what the format writes and every line of both logs (secret path parts, a
# header or token a later format adds, the request in "Error handling request ...").
logger_class = "prodready_observability.gunicorn.ScrubbingLogger"

# Worker heartbeat files in memory, not on a possibly slow container filesystem.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None


def _multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def on_starting(server: Any) -> None:
    """Empty the metrics directory: files left from an earlier run would be added up."""
    directory = _multiprocess_directory()
    if directory is None:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Mark a dead worker's metric files, as prometheus-client's multiprocess mode needs."""
    if _multiprocess_directory() is None:
        return
    try:
        from prometheus_client import multiprocess
    except ImportError:  # metrics are not installed: nothing to mark
        return
    multiprocess.mark_process_dead(worker.pid)
