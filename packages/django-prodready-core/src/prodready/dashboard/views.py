"""The operations dashboard: every plugin's cards on one staff-only page."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from prodready import hooks
from prodready.dashboard.cards import DashboardCard
from prodready.plugins import PluginError
from prodready.time_range import RANGES, TimeRange, time_range_from

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedCard:
    """A card ready for the page: its HTML, or why it could not be shown."""

    card: DashboardCard
    html: SafeString | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        return "error" if self.error else self.card.status


@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    # Anonymous users are sent to log in; a logged-in non-staff user gets 403,
    # since logging in again as the same user would only loop.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(gettext("The operations dashboard is for staff only."))
    time_range = time_range_from(request)
    rendered, problem = _collect(request, time_range)
    counts = Counter(item.status for item in rendered)
    context = {
        "cards": rendered,
        "problem": problem,
        "counts": counts,
        "time_range": time_range,
        "ranges": RANGES,
    }
    return render(request, "prodready/dashboard/index.html", context)


def _collect(request: HttpRequest, time_range: TimeRange) -> tuple[list[RenderedCard], str | None]:
    """Render every card, isolating failures so one plugin cannot take the page down."""
    try:
        cards = hooks.dashboard_cards(request, time_range)
    except PluginError as exc:  # its message names the plugin and says what was wrong
        logger.exception("Collecting dashboard cards failed")
        return [], str(exc)
    except Exception as exc:
        logger.exception("Collecting dashboard cards failed")
        return [], gettext(
            "A plugin failed while listing its dashboard cards ({error}). "
            "The details are in the server log."
        ).format(error=type(exc).__name__)
    ordered = sorted(cards, key=lambda card: (card.order, card.title.lower()))
    return [_render(request, card, time_range) for card in ordered], None


def _render(request: HttpRequest, card: DashboardCard, time_range: TimeRange) -> RenderedCard:
    context = {**card.context, "card": card, "time_range": time_range}
    try:
        html = render_to_string(card.template, context, request=request)
    except Exception as exc:
        logger.exception(
            "Dashboard card %r (template %r) failed to render", card.title, card.template
        )
        # Exception messages can carry secrets; the type is enough to start from the log.
        return RenderedCard(
            card,
            error=gettext(
                "The card {title} ({template}) failed to render: {error}. "
                "The details are in the server log."
            ).format(
                title=repr(str(card.title)), template=card.template, error=type(exc).__name__
            ),
        )
    return RenderedCard(card, html=SafeString(html))
