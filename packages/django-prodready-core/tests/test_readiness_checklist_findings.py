"""Readiness rules R040-R045: what the deployment checklists ask for."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from prodready.readiness import support
from prodready.readiness.checklist_findings import (
    csrf_exempt_views,
    debug_propagate_exceptions,
    development_tools,
    secret_key_fallbacks,
    supported,
)


def page(request):
    return HttpResponse("ok")


@csrf_exempt
def webhook(request):
    return HttpResponse("ok")


@csrf_exempt
def report(request):  # stands in for a documented endpoint, made so by the test
    return HttpResponse("ok")


class Upload(View):
    @csrf_exempt
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


urlpatterns = [
    path("", page),
    path("hooks/", include([path("payments/", webhook), path("upload/", Upload.as_view())])),
    path("csp-report/", report),
]
safe_urlpatterns = [path("", page)]


@pytest.mark.urls(__name__)
def test_csrf_exempt_views_are_named_with_their_url_and_dotted_path(monkeypatch):
    monkeypatch.setattr(
        "prodready.readiness.checklist_findings.DOCUMENTED_EXEMPT", {f"{__name__}.report"}
    )
    found = csrf_exempt_views()
    assert (found.id, found.category, found.passed) == ("prodready.R040", "security", False)
    assert found.detail == (
        f"/hooks/payments/ ({__name__}.webhook); /hooks/upload/ ({__name__}.Upload)"
    )


@override_settings(ROOT_URLCONF="tests.urls")
def test_no_csrf_exempt_view_passes():
    assert csrf_exempt_views().passed


def test_a_project_without_a_urlconf_passes(settings):
    del settings.ROOT_URLCONF
    assert csrf_exempt_views().passed


TABLE = {(5, 2): datetime.date(2028, 4, 30), (4, 2): datetime.date(2026, 4, 30)}


@pytest.mark.parametrize(
    ("version", "today", "detail"),
    [
        ((5, 2), datetime.date(2026, 12, 3), ""),
        (
            (4, 2),
            datetime.date(2026, 12, 3),
            "Django 4.2 stopped receiving security fixes on 2026-04-30",
        ),
        (
            (5, 2),
            datetime.date(2028, 2, 15),
            "Django 5.2 stops receiving security fixes on 2028-04-30",
        ),
        ((6, 0), datetime.date(2026, 12, 3), ""),  # newer than the table
        (
            (3, 2),
            datetime.date(2026, 12, 3),
            "Django 3.2 stopped receiving security fixes on 2026-04-30",
        ),
    ],
)
def test_versions_past_or_near_their_end_of_support_fail(version, today, detail):
    found = supported("prodready.R041", "Django", TABLE, version, today)
    assert (found.passed, found.detail) == (not detail, detail)


def test_the_support_table_is_less_than_a_year_old():
    age = datetime.date.today() - support.UPDATED
    assert age < datetime.timedelta(days=365), (
        "Update prodready/readiness/support.py from the Django and Python release pages"
    )


def test_the_running_versions_are_in_the_table():
    import sys

    import django

    assert django.VERSION[:2] in support.DJANGO_END_OF_SUPPORT
    assert sys.version_info[:2] in support.PYTHON_END_OF_SUPPORT


def test_development_middleware_is_a_finding(settings):
    assert development_tools().passed
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "debug_toolbar.middleware.DebugToolbarMiddleware"]
    found = development_tools()
    assert (found.passed, found.detail) == (
        False,
        "installed: debug_toolbar.middleware.DebugToolbarMiddleware",
    )


def test_debug_propagate_exceptions_is_a_finding(settings):
    assert debug_propagate_exceptions().passed
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    assert not debug_propagate_exceptions().passed


@pytest.mark.parametrize(
    ("fallbacks", "problem"),
    [
        ([], ""),
        (["previous-key"], ""),
        (["tests-only-not-secret"], "SECRET_KEY is also one of SECRET_KEY_FALLBACKS"),
        (["k2", "k1", "k0"], "3 old keys are accepted; all but the last one replaced are older"),
    ],
)
def test_secret_key_fallbacks(settings, fallbacks, problem):
    settings.SECRET_KEY_FALLBACKS = fallbacks
    found = secret_key_fallbacks()
    assert found.passed is (not problem)
    assert found.detail.startswith(problem)
    assert "tests-only-not-secret" not in found.detail  # never a key in the report
