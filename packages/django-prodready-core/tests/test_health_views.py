"""The probe endpoints: status codes, who sees details, and what is never shown."""

import logging
import time

import pytest
from django.db import connections
from django.urls import reverse

from prodready.health.base import HealthCheckError
from prodready.health.checks import BUILTIN_KINDS
from prodready.health.testing import FakeCheck, silent_server

TOKEN = "health-token-for-tests"
SECRET = "hunter2-database-password"


@pytest.fixture(autouse=True)
def health_token(settings, fresh_health):
    settings.PRODREADY_HEALTH_TOKEN = TOKEN


@pytest.fixture
def failing(use_checks):
    use_checks(
        FakeCheck("fake:up", detail="fine"),
        FakeCheck("fake:down", error=HealthCheckError("refused")),
        FakeCheck("fake:optional", critical=False, error=HealthCheckError("slow")),
    )


def get(client, name, **headers):
    return client.get(reverse(f"prodready:{name}"), headers=headers)


def test_url_names_and_paths():
    assert reverse("prodready:health-live") == "/health/live"
    assert reverse("prodready:health-ready") == "/health/ready"
    assert reverse("prodready:health-detail") == "/health/"


@pytest.mark.parametrize("path", ["/health/live", "/health/live/", "/health/ready/"])
def test_a_trailing_slash_is_optional(client, use_checks, path):
    use_checks()

    assert client.get(path).status_code == 200


def test_live_answers_without_running_any_check(client, use_checks):
    check = FakeCheck("fake:counted", error=HealthCheckError("down"))
    use_checks(check)

    response = get(client, "health-live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert check.runs == 0


def test_ready_is_200_when_every_check_passes(client, use_checks):
    use_checks(FakeCheck("fake:up"), FakeCheck("fake:optional", critical=False))

    response = get(client, "health-ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_is_503_naming_failing_checks_without_details(client, failing):
    response = get(client, "health-ready")

    assert response.status_code == 503
    assert response.json() == {"status": "failed", "failing": ["fake:down", "fake:optional"]}


def test_a_failing_non_critical_check_degrades_but_stays_ready(client, use_checks):
    use_checks(
        FakeCheck("fake:up"),
        FakeCheck("fake:optional", critical=False, error=HealthCheckError("slow")),
    )

    response = get(client, "health-ready")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "failing": ["fake:optional"]}


@pytest.mark.parametrize("name", ["health-live", "health-ready", "health-detail"])
def test_responses_are_json_and_never_cached(client, use_checks, name):
    use_checks()

    response = get(client, name)

    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["health-live", "health-ready", "health-detail"])
def test_only_safe_methods_are_allowed(client, use_checks, name):
    use_checks()

    assert client.post(reverse(f"prodready:{name}")).status_code == 405
    assert client.head(reverse(f"prodready:{name}")).status_code == 200


def test_detail_with_the_token_shows_every_check(client, failing):
    response = get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed"
    assert set(body) == {"status", "checked_at", "duration_ms", "checks"}
    assert [(c["name"], c["status"], c["critical"], c["message"]) for c in body["checks"]] == [
        ("fake:up", "ok", True, "fine"),
        ("fake:down", "failed", True, "refused"),
        ("fake:optional", "failed", False, "slow"),
    ]
    assert all(isinstance(c["latency_ms"], float) for c in body["checks"])


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_detail_without_the_right_token_gives_the_summary(client, failing, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = get(client, "health-detail", **headers)

    assert response.status_code == 503
    assert response.json() == {"status": "failed", "failing": ["fake:down", "fake:optional"]}


def test_no_token_configured_means_no_token_is_accepted(client, failing, settings):
    settings.PRODREADY_HEALTH_TOKEN = None

    response = get(client, "health-detail", Authorization="Bearer ")

    assert "checks" not in response.json()


def test_the_bearer_scheme_is_case_insensitive(client, failing):
    response = get(client, "health-detail", Authorization=f"bearer {TOKEN}")

    assert "checks" in response.json()


@pytest.mark.django_db
def test_detail_for_staff_shows_every_check(client, failing, django_user_model):
    staff = django_user_model.objects.create_user("ops", password="x", is_staff=True)
    client.force_login(staff)

    assert "checks" in get(client, "health-detail").json()


@pytest.mark.django_db
def test_detail_for_other_users_gives_the_summary(client, failing, django_user_model):
    client.force_login(django_user_model.objects.create_user("member", password="x"))

    assert "checks" not in get(client, "health-detail").json()


def test_a_503_is_not_logged_as_a_server_error(client, failing, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert get(client, "health-ready").status_code == 503

    assert caplog.records == []


def test_never_a_secret_or_a_traceback(client, use_checks):
    use_checks(FakeCheck("fake:buggy", error=RuntimeError(f"password={SECRET}")))

    response = get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    content = response.content.decode()
    assert SECRET not in content
    assert "Traceback" not in content
    assert response.json()["checks"][0]["message"] == "unexpected RuntimeError; see the server log"


@pytest.mark.parametrize("name", ["PRODREADY_HEALTH_DEADLINE", "PRODREADY_HEALTH_CACHE_SECONDS"])
def test_a_mistyped_setting_is_a_clear_503_not_a_type_error(client, use_checks, settings, name):
    use_checks(FakeCheck("fake:up"))
    setattr(settings, name, "5")

    ready = get(client, "health-ready")
    detail = get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    assert ready.status_code == detail.status_code == 503
    assert ready.json() == {"status": "failed", "failing": ["settings"]}
    [check] = detail.json()["checks"]
    assert check["name"] == "settings"
    assert check["message"].startswith(f"{name} must be a number; found str '5'.")


def test_a_mistyped_token_unlocks_nothing(client, failing, settings):
    settings.PRODREADY_HEALTH_TOKEN = 12345

    response = get(client, "health-detail", Authorization="Bearer 12345")

    assert response.status_code == 503
    assert "checks" not in response.json()


def test_probes_within_the_cache_window_run_the_checks_once(client, use_checks):
    check = FakeCheck("fake:counted")
    use_checks(check)

    for _ in range(5):
        get(client, "health-ready")
    get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    assert check.runs == 1


@pytest.fixture
def hung_database(settings, monkeypatch, django_db_blocker):
    """A database alias ``hung`` served by a socket that never answers; other checks off."""
    pytest.importorskip("psycopg")
    settings.PRODREADY_HEALTH_DISABLED = [k for k in BUILTIN_KINDS if k != "database"] + [
        "database:default",
        "database:postgres",
    ]
    settings.PRODREADY_HEALTH_CHECK_TIMEOUT = 0.5
    with silent_server() as (host, port), django_db_blocker.unblock():
        configured = connections.configure_settings(
            {
                "default": {},
                "hung": {
                    "ENGINE": "django.db.backends.postgresql",
                    "HOST": host,
                    "PORT": port,
                    "NAME": "app",
                },
            }
        )
        monkeypatch.setitem(connections.settings, "hung", configured["hung"])
        yield


def test_ready_names_a_hung_database_within_its_timeout(client, hung_database):
    started = time.monotonic()
    response = get(client, "health-ready")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "failed", "failing": ["database:hung"]}
    assert elapsed < 5


def test_detail_says_how_long_it_waited_for_a_hung_database(client, hung_database):
    response = get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    (check,) = response.json()["checks"]
    assert check["status"] == "timeout"
    assert check["message"] == "database:hung did not answer within 0.5 s"


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_ready_with_the_builtin_checks_on_real_services(client):
    response = get(client, "health-detail", Authorization=f"Bearer {TOKEN}")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert {c["name"] for c in body["checks"]} >= {
        "database:default",
        "database:postgres",
        "cache:default",
        "migrations:default",
        "storage:default",
    }
