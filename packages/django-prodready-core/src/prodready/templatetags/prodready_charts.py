"""``{% chart chart %}``: one :class:`prodready.dashboard.charts.Chart`, or its empty state."""

from __future__ import annotations

from typing import Any

from django import template

from prodready.dashboard.charts import Chart

register = template.Library()


@register.inclusion_tag("prodready/dashboard/chart.html")
def chart(chart: Chart) -> dict[str, Any]:
    if not isinstance(chart, Chart):
        raise TypeError(f"{{% chart %}} takes a prodready Chart, not {type(chart).__name__}.")
    return {"chart": chart, "data": None if chart.is_empty else chart.data()}
