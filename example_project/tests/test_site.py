"""The pages the skeleton serves: home, login, health probes and the dashboard."""

import pytest

from prodready_security.testing import force_login_verified
from tests.roles import school_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", password="x")
    force_login_verified(client, user)
    return client


def test_home_and_login_pages(client):
    assert client.get("/").status_code == 200
    assert b"Log in" in client.get("/accounts/login/").content


def test_health_live(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ready_on_the_embedded_default(client):
    response = client.get("/health/ready")
    assert response.json()["status"] in {"ok", "degraded"}, response.json()
    assert response.status_code == 200


def test_dashboard_sends_anonymous_users_to_log_in(client):
    response = client.get("/ops/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/ops/"


def test_staff_are_made_to_set_up_2fa_first(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("new", password="x", is_staff=True))
    response = client.get("/ops/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/setup/")


def test_dashboard_for_admins_shows_cards_of_every_package(admin):
    response = admin.get("/ops/")
    assert response.status_code == 200
    titles = [item.card.title for item in response.context["cards"]]
    assert titles[0] == "Health"
    assert {"School site", "Backups", "Audit log", "2FA adoption among staff"} <= set(titles)
    assert not [item.error for item in response.context["cards"] if item.error]


def test_cards_are_shown_to_staff_allowed_to_see_what_they_sum_up(client, django_user_model):
    force_login_verified(client, django_user_model.objects.create_user("new", is_staff=True))
    titles = {item.card.title for item in client.get("/ops/").context["cards"]}
    assert "School site" in titles
    assert not titles & {"School today", "2FA adoption among staff", "Audit log"}

    force_login_verified(client, school_admin())
    titles = {item.card.title for item in client.get("/ops/").context["cards"]}
    assert "School today" in titles


def test_dashboard_forbidden_to_other_users(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("student", password="x"))
    assert client.get("/ops/").status_code == 403
