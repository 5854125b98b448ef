"""Charts any card can declare: validated, rendered as JSON beside a plot element, or as
their empty state."""

import json
import re

import pytest
from django.template import Context, Template

from prodready import Chart, Series


def chart(**overrides):
    fields = {
        "title": "Requests",
        "x": [1_764_763_200, 1_764_763_260],
        "series": [Series("Requests", [3, None]), Series("Errors", [0, 1])],
        "y_label": "requests per minute",
        "empty": "Requests appear here once the middleware counts them.",
    }
    return Chart(**{**fields, **overrides})


def render(value):
    return Template("{% load prodready_charts %}{% chart value %}").render(
        Context({"value": value})
    )


def test_a_chart_renders_its_data_as_json_beside_the_plot() -> None:
    html = render(chart(unit="req"))
    assert "data-pr-chart" in html
    found = re.search(r'<script type="application/json">(.+?)</script>', html, re.S)
    assert found, html
    assert json.loads(found.group(1)) == {
        "kind": "line",
        "xLabel": "Time (UTC)",
        "yLabel": "requests per minute",
        "unit": "req",
        "x": [1_764_763_200, 1_764_763_260],
        "series": [
            {"label": "Requests", "values": [3, None]},
            {"label": "Errors", "values": [0, 1]},
        ],
    }
    assert "Requests" in html
    assert "(requests per minute)" in html


def test_text_in_the_data_cannot_close_the_script_element() -> None:
    html = render(chart(series=[Series("</script><b>x", [1, 2])]))
    assert "</script><b>" not in html


@pytest.mark.parametrize(
    "series", [[], [Series("Requests", [0, 0])], [Series("Requests", [None, None])]]
)
def test_a_chart_with_nothing_to_show_renders_its_empty_state(series) -> None:
    html = render(chart(series=series, note="Only the last hour is kept."))
    assert "data-pr-chart" not in html
    assert "application/json" not in html
    assert "Requests appear here once the middleware counts them." in html
    assert "Only the last hour is kept." in html


def test_a_series_of_the_wrong_length_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 times; give one per time"):
        chart(series=[Series("Requests", [1])])


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind is 'line' or 'bars'"):
        chart(kind="pie")


def test_the_tag_takes_only_a_chart() -> None:
    with pytest.raises(TypeError, match="takes a prodready Chart"):
        render({"title": "not a chart"})


def test_charts_are_exported_for_plugin_authors() -> None:
    import prodready
    from prodready import time_range
    from prodready.dashboard import charts

    assert prodready.Chart is charts.Chart
    assert prodready.Series is charts.Series
    assert prodready.TimeRange is time_range.TimeRange
    assert {"Chart", "Series", "TimeRange", "OperationsPage"} <= set(prodready.__all__)
