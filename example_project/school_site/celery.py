"""The Celery app: ``celery -A school_site worker`` and ``celery -A school_site beat``.

Beat runs every package's periodic tasks (``prodready_periodic_tasks``) and the
school's own. Without ``REDIS_URL`` there is no broker and tasks run in-process.
"""

import os

from celery import Celery

from prodready import schedule

# Workers and beat run in production; set the variable to use other settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_site.settings.production")

app = Celery("school_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
schedule.connect(app)
