"""The Celery app: ``celery -A school_site worker`` and ``celery -A school_site beat``.

Beat runs every package's periodic tasks (``prodready_periodic_tasks``) and the
school's own. Without ``REDIS_URL`` there is no broker and tasks run in-process.
"""

import os

from celery import Celery

from prodready import schedule

# Workers and beat run in production; set the variable to use other settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school_site.settings.production")
# Compose and Kubernetes set an empty PROMETHEUS_MULTIPROC_DIR for workers and beat (their
# metrics are not scraped). prometheus-client goes multi-process when the variable merely
# exists and writes its files into the working directory, which the image's user cannot.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

app = Celery("school_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
schedule.connect(app)
