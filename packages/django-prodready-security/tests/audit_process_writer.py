"""A writer process for the concurrency test: importable before Django is set up."""

from __future__ import annotations

import os


def run(test_database: str, writer: int, count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.db import connections
    from django.test import override_settings

    from tests.audit_support import PG, write_events

    connections.settings[PG]["NAME"] = test_database
    with override_settings(PRODREADY_AUDIT_DATABASE=PG):
        write_events(writer, count)


def run_with_rollbacks(test_database: str, writer: int, count: int) -> None:
    """Like ``run``, one transaction per event, every third one rolled back."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.db import connections
    from django.test import override_settings

    from tests.audit_support import PG, write_events_with_rollbacks

    connections.settings[PG]["NAME"] = test_database
    with override_settings(PRODREADY_AUDIT_DATABASE=PG):
        write_events_with_rollbacks(writer, count)
