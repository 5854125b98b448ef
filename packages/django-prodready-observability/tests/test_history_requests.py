"""What requests add to the history: counts, slow requests, users and exceptions grouped
by class and place, and that none of it costs the request a query."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from prodready_observability.history import buffer
from prodready_observability.history.maintenance import maintain
from prodready_observability.history.models import (
    ExceptionGroup,
    RouteStat,
    SlowRequest,
    UserActivity,
)
from tests.history_support import ON_POSTGRES_SITE

pytestmark = ON_POSTGRES_SITE


def raising_client() -> Client:
    return Client(raise_request_exception=False)


def test_requests_are_counted_per_route_and_user() -> None:
    user = User.objects.create_user("ada", password="x")
    client = Client()
    client.force_login(user)
    for _ in range(3):
        assert client.get("/whoami/").status_code == 200
    assert client.get("/lessons/4/").status_code == 200  # never loads the user
    maintain()
    assert dict(RouteStat.objects.filter(resolution="m").values_list("route", "requests")) == {
        "whoami/": 3,
        "lessons/<int:pk>/": 1,
    }
    assert list(UserActivity.objects.values_list("user_id", "requests")) == [(str(user.pk), 3)]


@override_settings(PRODREADY_ANALYTICS_SLOW_REQUEST_MS=20)
def test_requests_over_the_threshold_are_kept() -> None:
    response = Client().get("/slow/")
    Client().get("/lessons/1/")
    maintain()
    slow = SlowRequest.objects.get()
    assert (slow.route, slow.method, slow.status) == ("slow/", "GET", 200)
    assert slow.duration_ms >= 50
    assert slow.request_id == response["X-Request-ID"]


def test_exceptions_are_grouped_by_class_and_place() -> None:
    client = raising_client()
    ids = [client.get("/broken/")["X-Request-ID"] for _ in range(2)]
    client.get("/refused/")
    maintain()
    groups = {group.exception: group for group in ExceptionGroup.objects.all()}
    assert set(groups) == {"builtins.ZeroDivisionError", "builtins.RuntimeError"}
    broken = groups["builtins.ZeroDivisionError"]
    assert broken.count == 2
    assert broken.location.startswith("tests/site.py:")
    assert broken.location.endswith("in broken")
    assert broken.route == "broken/"
    assert broken.latest_request_id == ids[-1]
    assert broken.first_seen <= broken.last_seen


def test_the_history_adds_no_query_to_a_request() -> None:
    user = User.objects.create_user("ada", password="x")
    client = Client()
    client.force_login(user)

    def queries(history: bool) -> int:
        with override_settings(PRODREADY_ANALYTICS_HISTORY=history):
            client.get("/whoami/")  # warm
            with (
                CaptureQueriesContext(connections["default"]) as default,
                CaptureQueriesContext(connections["postgres"]) as postgres,
            ):
                assert client.get("/whoami/").status_code == 200
        return len(default) + len(postgres)

    assert queries(history=True) == queries(history=False)
    assert buffer.take()  # and it was recorded
