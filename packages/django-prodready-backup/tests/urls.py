from django.urls import include, path

urlpatterns = [path("backups/", include("prodready_backup.urls"))]
