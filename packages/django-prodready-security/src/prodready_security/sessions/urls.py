"""``path("account/sessions/", include("prodready_security.sessions.urls"))``."""

from django.urls import path

from prodready_security.sessions import views

app_name = "prodready_sessions"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("users/<int:user_id>/", views.user_sessions, name="user"),
]
