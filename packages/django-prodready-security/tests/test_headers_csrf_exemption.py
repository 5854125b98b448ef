"""The CSP report endpoint is csrf_exempt by design, and core's rule R040 knows it."""

from django.test import override_settings

from prodready.readiness.checklist_findings import DOCUMENTED_EXEMPT, csrf_exempt_views
from prodready_security.headers.views import report


def test_the_report_view_is_the_documented_exemption() -> None:
    assert getattr(report, "csrf_exempt", False)
    assert f"{report.__module__}.{report.__qualname__}" in DOCUMENTED_EXEMPT


@override_settings(ROOT_URLCONF="tests.headers_support")
def test_a_site_routing_the_report_endpoint_passes_r040() -> None:
    found = csrf_exempt_views()
    assert (found.id, found.passed, found.detail) == ("prodready.R040", True, "")
