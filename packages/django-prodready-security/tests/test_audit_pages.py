"""The read-only admin with CSV export, the staff page, the dashboard card, the health check."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission, User
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.utils import timezone

import prodready
from prodready.health.base import HealthCheckError
from prodready_security.audit.health import AuditChainHeadCheck
from tests.audit_support import audit_db, events, on_both_databases, tamper

__all__ = ["audit_db"]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit_urls")]

ADMIN = "/admin/prodready_security/auditevent/"
PAGE = "/security/audit/"


@pytest.fixture(autouse=True)
def no_ratelimit_rules() -> Iterator[None]:
    with override_settings(PRODREADY_RATELIMIT_RULES=[]):
        yield


@pytest.fixture
def admin_client(audit_db: str) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


def csv_rows(response: StreamingHttpResponse) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    return list(csv.DictReader(io.StringIO(body)))


def test_admin_is_read_only(admin_client: Client) -> None:
    prodready.audit("test.listed", colour="blue")
    event = events("default")[-1]

    assert admin_client.get(ADMIN).status_code == 200
    assert admin_client.get(f"{ADMIN}add/").status_code == 403
    assert admin_client.post(f"{ADMIN}{event.pk}/delete/").status_code == 403
    detail = admin_client.post(f"{ADMIN}{event.pk}/change/", {"action": "test.rewritten"})
    assert detail.status_code == 403
    assert events("default")[-1].action == "test.listed"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=test.login", ["test.login"]),
        ("actor_id={ada}", ["test.login", "test.other"]),
        ("target_content_type_id={user_type}&target_pk={bob}", ["test.about_bob"]),
        ("occurred_at__year={year}", ["auth.login", "test.login", "test.other", "test.about_bob"]),
        ("occurred_at__year=2001", []),
        ("q=bob", ["test.about_bob"]),
    ],
)
def test_admin_filters_by_action_actor_object_and_date(
    admin_client: Client, query: str, expected: list[str]
) -> None:
    ada, bob = User.objects.create_user("ada"), User.objects.create_user("bob")
    prodready.audit("test.login", actor=ada)
    prodready.audit("test.other", actor=ada)
    prodready.audit("test.about_bob", target=bob, note="about")
    user_type = events("default")[-1].target_content_type_id
    year = timezone.now().year
    url = ADMIN + "?" + query.format(ada=ada.pk, bob=bob.pk, user_type=user_type, year=year)

    response = admin_client.get(url)

    assert response.status_code == 200
    shown = [event.action for event in response.context["cl"].result_list]
    assert sorted(shown) == sorted(expected)


def test_admin_exports_the_filtered_list_as_csv(admin_client: Client) -> None:
    prodready.audit("test.login", note="=HYPERLINK(1)")
    prodready.audit("test.other")

    response = admin_client.get(f"{ADMIN}export/?action=test.login")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    (row,) = csv_rows(response)
    assert (row["sequence"], row["action"], row["hash"]) == (
        "2",
        "test.login",
        events("default")[1].hash,
    )
    assert row["data"] == '{"note": "=HYPERLINK(1)"}'


def test_admin_action_exports_the_selected_events(admin_client: Client) -> None:
    prodready.audit("test.one")
    prodready.audit("test.two")
    second = events("default")[-1]

    response = admin_client.post(ADMIN, {"action": "export_csv", "_selected_action": [second.pk]})

    assert [row["action"] for row in csv_rows(response)] == ["test.two"]


def test_a_csv_cell_that_looks_like_a_formula_is_defused(admin_client: Client) -> None:
    ada = User.objects.create_user("=cmd|calc")
    prodready.audit("test.formula", actor=ada)
    (row,) = csv_rows(admin_client.get(f"{ADMIN}export/?action=test.formula"))
    assert row["actor"] == "'=cmd|calc"


def test_staff_page_lists_recent_events(admin_client: Client) -> None:
    prodready.audit("auth.login_failed", username="mallory")
    prodready.audit("test.other")

    response = admin_client.get(PAGE + "?action=auth.login_")

    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == ["auth.login_failed"]
    assert b"auth.login_failed" in response.content


@on_both_databases
@pytest.mark.parametrize("value", ["\x00", "auth.\x00login", "x" * 10_000, "\U0001f642"])
def test_staff_page_filters_take_any_text(admin_client: Client, audit_db: str, value: str) -> None:
    """PostgreSQL refuses a NUL in a query; no action or username holds one."""
    prodready.audit("auth.login_failed", username="mallory")
    response = admin_client.get(PAGE, {"action": value, "actor": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("make_user", "status"),
    [
        (None, 302),
        (lambda: User.objects.create_user("ada"), 403),
        (lambda: User.objects.create_user("ada", is_staff=True), 403),  # staff, no permission
        (lambda: _staff_with_view_permission(), 200),
    ],
)
def test_staff_page_needs_staff_and_the_view_permission(
    audit_db: str, make_user: object, status: int
) -> None:
    client = Client()
    if make_user is not None:
        client.force_login(make_user())  # type: ignore[operator]
    assert client.get(PAGE).status_code == status


def test_dashboard_shows_the_recent_events_card(admin_client: Client) -> None:
    prodready.audit("auth.login_failed", username="mallory")

    response = admin_client.get("/ops/")

    titles = [item.card.title for item in response.context["cards"]]
    assert "Audit log" in titles
    card = next(item for item in response.context["cards"] if item.card.title == "Audit log")
    assert (card.status, card.card.url) == ("warning", PAGE)
    assert "auth.login_failed" in card.html


def test_dashboard_card_is_left_out_without_the_view_permission(audit_db: str) -> None:
    client = Client()
    client.force_login(User.objects.create_user("ada", is_staff=True))
    cards = client.get("/ops/").context["cards"]
    assert "Audit log" not in [item.card.title for item in cards]


def test_health_check_passes_on_an_intact_head(audit_db: str) -> None:
    assert AuditChainHeadCheck().check() == "no events yet"
    prodready.audit("test.one")
    prodready.audit("test.two")
    assert AuditChainHeadCheck().check() == "head at event #2"


def test_health_check_fails_when_the_last_event_was_changed(audit_db: str) -> None:
    prodready.audit("test.one")
    tamper(audit_db, 1, action="test.changed")
    with pytest.raises(HealthCheckError, match=r"event #1 was changed.*audit verify"):
        AuditChainHeadCheck().check()


def test_health_check_fails_when_the_last_event_is_gone(audit_db: str) -> None:
    prodready.audit("test.one")
    prodready.audit("test.two")
    events(audit_db)[-1].delete()  # SQLite: no trigger
    with pytest.raises(HealthCheckError, match="records event #2, which is not the last"):
        AuditChainHeadCheck().check()


def _staff_with_view_permission() -> User:
    user = User.objects.create_user("ada", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    return user
