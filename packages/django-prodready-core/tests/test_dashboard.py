"""The operations dashboard: who may see it, what it shows, and failures kept to one card."""

import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from prodready.dashboard import DashboardCard
from prodready.dashboard.health_card import card_for
from prodready.health.base import CheckResult, HealthCheckError
from prodready.health.checks import BUILTIN_KINDS
from prodready.health.report import HealthReport
from prodready.health.runner import clear_cache, wait_until_idle
from prodready.health.testing import FakeCheck
from prodready.plugins import hookimpl

URL = "/ops/"

CARD_TEMPLATES = {
    "tests/queue_card.html": "<p class='queue'>{{ queued }} jobs queued</p>",
    "tests/first_card.html": "<p>first</p>",
    "tests/exploding_card.html": "<p>{{ boom.explode }}</p>",
}


class Exploding:
    def explode(self):
        raise RuntimeError("database password is hunter2")


@pytest.fixture(autouse=True)
def setup(settings):
    """Scripted health checks instead of the built-in ones, and card templates in memory."""
    settings.PRODREADY_HEALTH_DISABLED = list(BUILTIN_KINDS)
    engine = dict(settings.TEMPLATES[0], APP_DIRS=False)
    engine["OPTIONS"] = dict(
        engine["OPTIONS"],
        loaders=[
            ("django.template.loaders.locmem.Loader", CARD_TEMPLATES),
            "django.template.loaders.app_directories.Loader",
        ],
    )
    settings.TEMPLATES = [engine]
    clear_cache()
    yield
    clear_cache()
    assert wait_until_idle(5)


@pytest.fixture
def cards(prodready_plugin):
    """Register a plugin contributing the given cards and health checks."""

    def register(*dashboard_cards, checks=(), name="tests.cards"):
        class Plugin:
            @hookimpl
            def prodready_dashboard_cards(self, request):
                return list(dashboard_cards)

            @hookimpl
            def prodready_health_checks(self):
                return list(checks)

        prodready_plugin(Plugin(), name=name)
        clear_cache()

    return register


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="x", is_staff=True)
    client.force_login(user)
    return client


def test_url():
    assert reverse("prodready:dashboard") == URL


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client, settings):
    settings.LOGIN_URL = "/login/"
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/ops/"


@pytest.mark.django_db
def test_non_staff_is_forbidden(client, django_user_model, cards):
    cards(DashboardCard("Queue", "tests/queue_card.html", {"queued": 7}))
    client.force_login(django_user_model.objects.create_user("student", password="x"))
    response = client.get(URL)
    assert response.status_code == 403
    assert b"jobs queued" not in response.content


@pytest.mark.django_db
def test_inactive_staff_is_forbidden(client, django_user_model):
    user = django_user_model.objects.create_user("gone", password="x", is_staff=True)
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(URL).status_code in {302, 403}


@pytest.mark.django_db
def test_staff_sees_every_card_in_order(staff_client, cards):
    cards(
        DashboardCard("Queue", "tests/queue_card.html", {"queued": 7}, status="warning"),
        DashboardCard("First", "tests/first_card.html", order=-5, url="/first/"),
    )
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<p class='queue'>7 jobs queued</p>" in html
    assert '<a href="/first/">First</a>' in html
    titles = [t.title for t in (item.card for item in response.context["cards"])]
    assert titles == ["First", "Health", "Queue"]
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_card_shows_each_check(staff_client, cards):
    cards(
        checks=[
            FakeCheck("fake:db", detail="fine"),
            FakeCheck("fake:mail", critical=False, error=HealthCheckError("smtp refused")),
        ]
    )
    html = staff_client.get(URL).content.decode()
    assert "fake:db" in html
    assert "fake:mail" in html
    assert "smtp refused" in html
    assert "non-critical" in html
    assert " ms</td>" in html
    assert "Serving, but a non-critical check is failing." in html


@pytest.mark.django_db
def test_dashboard_speaks_polish(staff_client, cards):
    cards(checks=[FakeCheck("fake:db"), FakeCheck("fake:cache")])
    with translation.override("pl"):
        html = staff_client.get(URL).content.decode()
    assert '<html lang="pl">' in html
    assert "<h1>Panel operacyjny</h1>" in html
    assert "Wszystkie 2 sprawdzenia przechodzą." in html
    assert ">Stan zdrowia</a>" in html


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("tests/exploding_card.html", "RuntimeError"),
        ("tests/missing.html", "TemplateDoesNotExist"),
    ],
)
@pytest.mark.django_db
def test_broken_card_is_isolated(staff_client, cards, caplog, template, error):
    cards(
        DashboardCard("Broken", template, {"boom": Exploding()}),
        DashboardCard("Queue", "tests/queue_card.html", {"queued": 3}),
    )
    with caplog.at_level(logging.ERROR, logger="prodready.dashboard.views"):
        response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 jobs queued" in html
    assert f"The card &#x27;Broken&#x27; ({template}) failed to render: {error}" in html
    assert "hunter2" not in html
    assert any("'Broken'" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_plugin_that_cannot_list_its_cards(staff_client, prodready_plugin, caplog):
    class Plugin:
        @hookimpl
        def prodready_dashboard_cards(self, request):
            raise RuntimeError("secret detail")

    prodready_plugin(Plugin(), name="tests.broken")
    with caplog.at_level(logging.ERROR, logger="prodready.hooks"):
        response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The plugin tests.broken could not list its cards." in html
    assert "RuntimeError" in html
    assert "secret detail" not in html
    # the other plugins' cards are still there
    assert "Health" in html
    assert "Plugin 'tests.broken' failed in prodready_dashboard_cards()" in caplog.text


@pytest.mark.django_db
def test_plugin_returning_the_wrong_type_is_named(staff_client, prodready_plugin):
    class Plugin:
        @hookimpl
        def prodready_dashboard_cards(self, request):
            return ["not a card"]

    prodready_plugin(Plugin(), name="tests.wrong")
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plugin &#x27;tests.wrong&#x27; returned &#x27;not a card&#x27;" in html
    assert "Health" in html


def _report(*results):
    return HealthReport(results, datetime(2025, 1, 1, 12, 0, tzinfo=UTC), 12.0)


@pytest.mark.parametrize(
    ("results", "status"),
    [
        ((CheckResult("a", "ok", True, 1.0),), "ok"),
        ((CheckResult("a", "ok", True, 1.0), CheckResult("b", "failed", False, 2.0)), "warning"),
        ((CheckResult("a", "timeout", True, 2000.0),), "error"),
    ],
)
def test_health_card_status(results, status):
    card = card_for(_report(*results))
    assert card.status == status
    assert card.order == 0
    assert card.url == "/health/"
