"""The rate-limit tests' site and the lockout page (``@pytest.mark.urls``)."""

from django.urls import include, path

from tests.ratelimit_support import urlpatterns as site

urlpatterns = [
    *site,
    path("lockouts/", include("prodready_security.ratelimit.urls")),
]
