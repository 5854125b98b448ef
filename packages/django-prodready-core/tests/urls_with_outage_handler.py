"""Core's URLs with the database outage handler, as a project's root URLconf sets it."""

from tests.urls import urlpatterns

__all__ = ["urlpatterns"]

handler500 = "prodready.database_outage.server_error"
