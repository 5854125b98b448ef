"""``path("", include("prodready_observability.urls"))`` serves the metrics at /metrics."""

from django.urls import path

from prodready_observability.metrics.views import metrics_view

app_name = "prodready_observability"

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
]
