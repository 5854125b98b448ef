"""Staff pages and actions for backups: ``path("backups/", include("prodready_backup.urls"))``."""

from django.urls import path

from prodready_backup import views

app_name = "prodready_backup"
urlpatterns = [
    path("", views.backup_list, name="list"),
    path("run/", views.back_up_now, name="back-up-now"),
    path("verify/", views.verify_now, name="verify-now"),
]
