"""Health endpoints, mounted by ``prodready.urls`` under the ``prodready`` namespace:
``prodready:health-detail`` (``health/``), ``prodready:health-live`` (``health/live``)
and ``prodready:health-ready`` (``health/ready``)."""

from django.urls import re_path

from prodready.health import views

urlpatterns = [
    re_path(r"^$", views.detail, name="health-detail"),
    # A trailing slash is optional: probe configurations are written both ways.
    re_path(r"^live/?$", views.live, name="health-live"),
    re_path(r"^ready/?$", views.ready, name="health-ready"),
]
