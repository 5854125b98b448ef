"""``path("security/lockouts/", include("prodready_security.ratelimit.urls"))``."""

from django.urls import path

from prodready_security.ratelimit import views

app_name = "prodready_lockouts"

urlpatterns = [
    path("", views.lockout_list, name="list"),
]
