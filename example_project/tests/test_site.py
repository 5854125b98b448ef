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


OPERATIONS_PAGES = [
    "prodready:dashboard",
    "prodready_backup:list",
    "prodready_security_audit:recent",
    "prodready_security_csp:recent",
    "prodready_lockouts:list",
    "prodready_sessions:manage",
    "prodready_otp:manage",
    "prodready_observability:celery",
    "prodready:health-detail",
]


def operations_nav(html):
    import re

    found = re.search(r'<nav class="pr-nav".*?</nav>', html, re.S)
    assert found, html
    return found.group()


@pytest.mark.parametrize("page", [name for name in OPERATIONS_PAGES if "health" not in name])
def test_every_operations_page_shares_the_navigation_of_every_package(admin, page):
    from django.urls import reverse

    html = admin.get(reverse(page)).content.decode()
    nav = operations_nav(html)
    for name in OPERATIONS_PAGES:
        assert f'href="{reverse(name)}"' in nav, name
    assert f'<a href="{reverse(page)}" aria-current="page">' in nav
    assert '<a class="pr-site-link" href="/">' in html


def test_the_navigation_leaves_out_pages_a_staff_member_may_not_open(client, django_user_model):
    from django.urls import reverse

    force_login_verified(client, django_user_model.objects.create_user("new", is_staff=True))
    nav = operations_nav(client.get("/ops/").content.decode())
    assert f'href="{reverse("prodready:dashboard")}"' in nav
    assert f'href="{reverse("prodready_sessions:manage")}"' in nav
    for name in (
        "prodready_backup:list",
        "prodready_security_audit:recent",
        "prodready_lockouts:list",
    ):
        assert reverse(name) not in nav, name


def test_the_dashboard_charts_sign_ups_per_day_as_bars(admin):
    import json
    import re

    html = admin.get("/ops/", {"range": "7d"}).content.decode()
    charts = [
        json.loads(found)
        for found in re.findall(r'<script type="application/json">(.+?)</script>', html, re.S)
    ]
    [sign_ups] = [chart for chart in charts if chart["kind"] == "bars"]
    assert (sign_ups["yLabel"], sign_ups["xLabel"]) == ("sign-ups per day", "Day")
    assert len(sign_ups["x"]) == 30
    assert sign_ups["x"][1] - sign_ups["x"][0] == 86400
    assert sign_ups["series"][0]["values"][-1] >= 1  # the admin joined today
    assert '<a href="?range=7d" aria-current="true">' in html
