"""Transactions of health probes, metrics scrapes and static files are not sent."""

import pytest
from django.test import override_settings

from prodready_observability.sentry.transactions import is_ignored_path, transaction_path
from tests import sentry_app
from tests.sentry_capture import CaptureTransport

# Served through Django's WSGI handler, whose request signals touch the database.
SITE = override_settings(ROOT_URLCONF="tests.sentry_app")


def names(transport: CaptureTransport) -> list[str]:
    return [event["transaction"] for event in transport.transactions()]


@SITE
@pytest.mark.django_db
def test_health_and_metrics_transactions_are_dropped(sentry_capture: CaptureTransport) -> None:
    assert sentry_app.get("/health/ready") == 200
    assert sentry_app.get("/metrics") == 200
    assert sentry_app.get("/orders/") == 200
    assert names(sentry_capture) == ["/orders/"]


@SITE
@override_settings(PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS=["/orders"])
@pytest.mark.django_db
def test_the_setting_lists_the_ignored_paths(sentry_capture: CaptureTransport) -> None:
    assert sentry_app.get("/health/ready") == 200
    assert sentry_app.get("/orders/") == 200
    assert names(sentry_capture) == ["/health/ready"]


@SITE
@override_settings(PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS="/health")
@pytest.mark.django_db
def test_a_single_path_instead_of_a_list_drops_only_that_path(
    sentry_capture: CaptureTransport,
) -> None:
    assert sentry_app.get("/health/ready") == 200
    assert sentry_app.get("/orders/") == 200
    assert names(sentry_capture) == ["/orders/"]


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("/health", True),
        ("/health/", True),
        ("/health/ready", True),
        ("/healthy", False),
        ("/metrics", True),
        ("/static/css/site.css", True),
        ("/staticfiles/x", False),
        ("/orders/", False),
        ("/", False),
    ],
)
def test_ignored_paths_match_whole_segments(path: str, ignored: bool) -> None:
    assert is_ignored_path(path, ["/health/", "/metrics", "/static"]) is ignored


@pytest.mark.parametrize(
    ("event", "path"),
    [
        ({"request": {"url": "https://shop.example.com/health/ready?x=1"}}, "/health/ready"),
        ({"request": {"url": "https://shop.example.com"}}, "/"),
        ({"transaction": "/orders/{pk}/"}, "/orders/{pk}/"),
        ({"transaction": "shop.tasks.charge"}, None),
        ({}, None),
    ],
)
def test_transaction_path(event: dict[str, object], path: str | None) -> None:
    assert transaction_path(event) == path
