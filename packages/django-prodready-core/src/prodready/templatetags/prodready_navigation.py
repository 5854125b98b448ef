"""``{% operations_navigation %}``: the operations pages' shared navigation."""

from __future__ import annotations

from typing import Any

from django import template

from prodready.dashboard.navigation import navigation_for

register = template.Library()


@register.inclusion_tag("prodready/navigation.html", takes_context=True)
def operations_navigation(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"links": navigation_for(request), "request": request}
