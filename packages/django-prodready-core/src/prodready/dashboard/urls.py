from django.urls import path

from prodready.dashboard import views

# No app_name: these names live in the "prodready" namespace of prodready.urls.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
