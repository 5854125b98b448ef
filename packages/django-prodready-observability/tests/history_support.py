"""Shared by the request history's tests: its tables on PostgreSQL."""

from __future__ import annotations

import pytest

DATABASES = pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
# The history on, its tables on PostgreSQL, no counts left from an earlier test.
ON_POSTGRES = [pytest.mark.requires_postgres, DATABASES, pytest.mark.usefixtures("history")]
# ... and requests to tests.site through its middleware.
ON_POSTGRES_SITE = [*ON_POSTGRES, pytest.mark.usefixtures("history_site")]
