"""Charts that any package's dashboard card can declare.

A card puts :class:`Chart` objects in its context and renders each with
``{% load prodready_charts %}{% chart chart %}``. The data goes into the page as JSON
(``json_script``) and core's ``prodready/js/charts.js`` draws it with uPlot, shipped as
a static file, so the charts work under a Content-Security-Policy without
'unsafe-inline'. A chart with nothing to show renders its ``empty`` text instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext

Text = str | Promise


@dataclass(frozen=True)
class Series:
    """One line, or one set of bars, of a chart: one value per x, ``None`` for a gap."""

    label: Text
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart over time: x is Unix time in seconds, each series one value per x.

    ``y_label`` names the measure with its unit ("requests per minute", "ms");
    ``unit`` follows each value in the legend. ``empty`` says what will appear and what
    turns it on, shown instead of a chart with no value other than 0 or ``None``;
    ``note`` is a line under the chart (what the range lacks, for instance).
    """

    title: Text
    x: Sequence[float]
    series: Sequence[Series]
    y_label: Text
    empty: Text
    kind: Literal["line", "bars"] = "line"
    unit: Text = ""
    x_label: Text = ""  # default: "Time (UTC)"
    note: Text = ""

    def __post_init__(self) -> None:
        if self.kind not in ("line", "bars"):
            raise ValueError(
                f"Chart {str(self.title)!r}: kind is 'line' or 'bars', not {self.kind!r}."
            )
        for series in self.series:
            if len(series.values) != len(self.x):
                raise ValueError(
                    f"Chart {str(self.title)!r}: series {str(series.label)!r} has "
                    f"{len(series.values)} values for {len(self.x)} times; give one per time."
                )

    @property
    def is_empty(self) -> bool:
        return not any(value for series in self.series for value in series.values)

    def data(self) -> dict[str, Any]:
        """What ``charts.js`` draws, ready for ``json_script``."""
        return {
            "kind": self.kind,
            "xLabel": str(self.x_label or gettext("Time (UTC)")),
            "yLabel": str(self.y_label),
            "unit": str(self.unit),
            "x": list(self.x),
            "series": [
                {"label": str(series.label), "values": list(series.values)}
                for series in self.series
            ],
        }
