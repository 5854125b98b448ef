"""Observability's staff pages in the operations navigation (``prodready_operations_pages``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prodready import OperationsPage
from prodready_observability.conf import conf


def operations_pages() -> list[OperationsPage]:
    pages = [OperationsPage(_("Celery"), "prodready_observability:celery", order=35)]
    if conf.ANALYTICS_HISTORY:  # the pages answer 503 while the history is off
        pages += [
            OperationsPage(_("Slow requests"), "prodready_history:slow-requests", order=36),
            OperationsPage(_("Slow queries"), "prodready_history:slow-queries", order=37),
            OperationsPage(_("Exceptions"), "prodready_history:exceptions", order=38),
        ]
    return pages
