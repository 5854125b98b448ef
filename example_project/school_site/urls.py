from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from school import views

urlpatterns = [
    path("", views.home, name="home"),
    path("school/", include("school.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa/", include("prodready_security.otp.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switcher
    path("account/sessions/", include("prodready_security.sessions.urls")),
    path("security/audit/", include("prodready_security.audit.urls")),
    path("security/csp/", include("prodready_security.headers.urls")),
    path("security/lockouts/", include("prodready_security.ratelimit.urls")),
    path("backups/", include("prodready_backup.urls")),
    # The request history's staff pages (slow requests, slow queries, exceptions).
    path("ops/history/", include("prodready_observability.history.urls")),
    # /health/live, /health/ready and the operations dashboard at /ops/.
    path("", include("prodready.urls")),
    path("", include("prodready_observability.urls")),  # /metrics
]

# A database outage answers a short 503 page with Retry-After, not a 500.
handler500 = "prodready.database_outage.server_error"
