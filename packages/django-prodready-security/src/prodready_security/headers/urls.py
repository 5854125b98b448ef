"""``path("security/csp/", include("prodready_security.headers.urls"))``.

Point the policy's ``report-uri`` at ``/security/csp/report/`` (see README).
"""

from django.urls import path

from prodready_security.headers import views

app_name = "prodready_security_csp"

urlpatterns = [
    path("", views.recent_reports, name="recent"),
    path("report/", views.report, name="report"),
]
