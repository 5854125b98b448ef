"""The operations pages' shared navigation, composed from every plugin's pages.

Plugins list their staff pages through ``prodready_operations_pages``;
``prodready/base.html`` shows the ones the signed-in staff user may open, with a way
back to the site.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from prodready import hooks
from prodready.contracts import OperationsPage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavLink:
    """An entry ready for the page: its label, URL and whether it is the current page."""

    label: str
    url: str
    current: bool = False


def core_pages() -> list[OperationsPage]:
    return [
        OperationsPage(_("Dashboard"), "prodready:dashboard", order=0),
        OperationsPage(_("Health (JSON)"), "prodready:health-detail", order=90),
    ]


def navigation_for(request: HttpRequest | None) -> list[NavLink]:
    """The entries ``request``'s user may open, in order; none for anyone but staff."""
    user = getattr(request, "user", None)
    if request is None or user is None or not (user.is_active and user.is_staff):
        return []
    try:
        pages = hooks.operations_pages()
    except Exception:  # the pages still render, without the navigation
        logger.exception("Listing the operations pages failed")
        return []
    found: list[tuple[OperationsPage, str]] = []
    for page in sorted(pages, key=lambda page: (page.order, str(page.label).lower())):
        if page.permission and not user.has_perm(page.permission):
            continue
        try:
            found.append((page, reverse(page.url_name)))
        except NoReverseMatch:  # the project did not mount that package's URLs
            continue
    # The current entry: the longest URL the path starts with (/backups/run/ is Backups).
    current = max(
        (url for _page, url in found if request.path.startswith(url)), key=len, default=None
    )
    return [NavLink(str(page.label), url, url == current) for page, url in found]
