"""A process spending leases for the cross-process test: importable before Django is set up."""

from __future__ import annotations

import os
from typing import Any


def run(location: str, prefix: str, name: str, limit: int, start: Any, results: Any) -> None:
    """Count requests on ``name`` until one is refused; put its counts and round trips."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.test import override_settings

    from prodready_security.ratelimit.store import get_store
    from tests.ratelimit_support import CountingConnection, redis_caches

    pool = {"connection_class": CountingConnection}
    with override_settings(CACHES=redis_caches(location, prefix, CONNECTION_POOL_KWARGS=pool)):
        store = get_store()
        store.hit(f"{name}:warm-up", 3600, limit, "warm-up")  # connected, like a warm worker
        start.wait()
        before = CountingConnection.sent
        counts = []
        while (count := store.hit(name, 3600, limit, "blocked:processes")) <= limit:
            counts.append(count)
        results.put((counts, CountingConnection.sent - before))
