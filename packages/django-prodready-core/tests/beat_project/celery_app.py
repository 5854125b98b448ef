"""The Celery app, created the way the core README tells projects to."""

import os

from celery import Celery

from prodready import schedule

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.beat_project.settings")

app = Celery("beat_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
schedule.connect(app)
