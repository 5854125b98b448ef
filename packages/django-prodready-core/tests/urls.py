from django.urls import include, path

urlpatterns = [path("", include("prodready.urls"))]
