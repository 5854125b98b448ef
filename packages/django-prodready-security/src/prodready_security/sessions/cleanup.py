"""The periodic cleanup: expired sessions, rows of sessions gone, old CSP reports.

Run by the ``prodready_security.cleanup`` Celery task (scheduled through
``prodready_periodic_tasks``), or in-process by ``tasks.dispatch()`` without a broker.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.utils import timezone

from prodready_security.conf import conf
from prodready_security.headers.models import CSPReport
from prodready_security.sessions import keys
from prodready_security.sessions.models import UserSession
from prodready_security.sessions.revoke import session_store


def cleanup() -> dict[str, int]:
    """Remove what expired; how many rows of each kind were removed."""
    store_class = type(session_store())
    # The database backends delete expired sessions here; others expire by themselves.
    with contextlib.suppress(NotImplementedError):
        store_class.clear_expired()
    probe = session_store()
    gone = [
        row.pk
        for row in UserSession.objects.only("pk", "encrypted_key").iterator()
        if (session_key := keys.decrypt(row.encrypted_key)) is None
        or not probe.exists(session_key)
    ]
    sessions, _ = UserSession.objects.filter(pk__in=gone).delete()
    cutoff = timezone.now() - timedelta(days=conf.HEADERS_CSP_REPORT_KEEP_DAYS)
    reports, _ = CSPReport.objects.filter(received_at__lt=cutoff).delete()
    return {"sessions": sessions, "csp_reports": reports}
