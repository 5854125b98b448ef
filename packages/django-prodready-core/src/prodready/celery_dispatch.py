"""Whether a package's work goes to Celery or runs in the calling process.

Backup and security queue their jobs (``dispatch()``) when Celery is installed and its
current app has a broker, or runs tasks eagerly; otherwise, the embedded default, they
do the same work in-process. One rule for every package, kept here.
"""

from __future__ import annotations


def broker_configured() -> bool:
    """True when tasks sent now would reach Celery: installed, with a broker or eager."""
    try:
        from celery import current_app
    except ImportError:  # Celery is the optional extra `celery`
        return False
    app_conf = current_app.conf
    return bool(app_conf.broker_url or app_conf.task_always_eager)
