"""URLs for the audit log's page, admin and dashboard tests."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("security/audit/", include("prodready_security.audit.urls")),
    path("", include("prodready.urls")),
]
