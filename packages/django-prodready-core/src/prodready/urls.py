"""Core's URLs: ``path("", include("prodready.urls"))`` mounts health and the dashboard."""

from django.urls import include, path

app_name = "prodready"

urlpatterns = [
    path("health/", include("prodready.health.urls")),
    path("ops/", include("prodready.dashboard.urls")),
]
