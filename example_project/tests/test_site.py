"""The pages the skeleton serves: home, login, health probes and the dashboard."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(user)
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


def test_dashboard_for_staff_shows_core_and_school_cards(staff):
    response = staff.get("/ops/")
    assert response.status_code == 200
    titles = [item.card.title for item in response.context["cards"]]
    assert titles[0] == "Health"
    assert "School site" in titles
    assert not [item.error for item in response.context["cards"] if item.error]


def test_dashboard_forbidden_to_other_users(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("student", password="x"))
    assert client.get("/ops/").status_code == 403
