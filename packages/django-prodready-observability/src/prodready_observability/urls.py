"""``path("", include("prodready_observability.urls"))`` serves the metrics at /metrics and
the Celery page at /ops/celery/, beside core's dashboard at /ops/."""

from django.urls import path

from prodready_observability.celery_insight.views import celery_page
from prodready_observability.metrics.views import metrics_view

app_name = "prodready_observability"

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
    path("ops/celery/", celery_page, name="celery"),
]
