"""The worker's Celery app and its tasks: one succeeds, one fails, one retries once."""

import os

from celery import Celery

from prodready import schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.celery_project.settings")

app = Celery("insight_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
schedule.connect(app)

# What a real failure carries: a URL with a password, which the card must not show.
FAILURE = "charging failed via postgresql://shop:pw-Insight42@db.internal/shop"


@app.task(name="insight.ok")
def succeed() -> str:
    return "done"


@app.task(name="insight.fail")
def fail() -> None:
    raise RuntimeError(FAILURE)


@app.task(name="insight.flaky", bind=True, max_retries=1)
def flaky(self) -> str:  # type: ignore[no-untyped-def]
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "done on the second try"
