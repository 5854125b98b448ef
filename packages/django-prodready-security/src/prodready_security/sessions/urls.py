"""``path("account/sessions/", include("prodready_security.sessions.urls"))``."""

from django.urls import path

from prodready_security.sessions import idle, views

app_name = "prodready_sessions"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("keep-alive/", idle.keep_alive, name="keep_alive"),
    path("users/<int:user_id>/", views.user_sessions, name="user"),
]
