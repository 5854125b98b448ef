from django.urls import include, path

urlpatterns = [
    path("", include("prodready.urls")),
    # LOGIN_URL's default, /accounts/login/, exists, as prodready.W020 asks.
    path("accounts/", include("django.contrib.auth.urls")),
]
