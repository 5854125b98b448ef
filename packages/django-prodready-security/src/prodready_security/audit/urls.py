"""``path("security/audit/", include("prodready_security.audit.urls"))``."""

from django.urls import path

from prodready_security.audit import views

app_name = "prodready_security_audit"

urlpatterns = [
    path("", views.recent_events, name="recent"),
]
