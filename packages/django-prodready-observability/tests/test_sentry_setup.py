"""Sentry is initialised from settings with sentry-sdk's current API; no DSN, no Sentry."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sentry_sdk
from django.apps import apps
from django.test import override_settings

from prodready_observability.sentry import before_send, init_sentry, sentry_options
from prodready_observability.sentry.setup import init_on_startup
from tests import sentry_app
from tests.sentry_capture import DSN, CaptureTransport, captured_sentry, reset_sentry


@pytest.fixture
def sentry_reset() -> Iterator[None]:
    """For tests that initialise Sentry in other ways than ``captured_sentry``."""
    yield
    reset_sentry()


@pytest.mark.parametrize("dsn", [None, ""])
def test_without_a_dsn_nothing_is_initialised_or_sent(dsn: str | None) -> None:
    transport = CaptureTransport()
    with override_settings(PRODREADY_SENTRY_DSN=dsn):
        assert init_sentry(transport=transport) is False
        init_on_startup()
    assert not sentry_sdk.get_client().is_active()
    sentry_sdk.capture_message("ORD-1042 failed")
    assert transport.envelopes == []


@override_settings(ROOT_URLCONF="tests.sentry_app")
@pytest.mark.django_db
def test_without_a_dsn_errors_are_handled_as_usual() -> None:
    assert sentry_app.post_payment() == 500


def test_data_collection_replaces_send_default_pii() -> None:
    options = sentry_options()
    assert "send_default_pii" not in options
    assert options["data_collection"] == {
        "user_info": False,
        "cookies": {"mode": "off"},
        "http_headers": {
            "request": {
                "mode": "allowlist",
                "terms": [
                    "accept",
                    "accept-encoding",
                    "accept-language",
                    "cache-control",
                    "content-length",
                    "content-type",
                    "host",
                    "origin",
                    "referer",
                    "user-agent",
                    "x-forwarded-proto",
                    "x-request-id",
                ],
            }
        },
        "http_bodies": ["incoming_request"],
        "url_query_params": {"mode": "denylist"},
        "database_query_data": False,
        "queues": True,
        "gen_ai": {"inputs": False, "outputs": False},
        "stack_frame_variables": True,
    }


def test_initialising_raises_no_deprecation_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with captured_sentry():
            options = sentry_sdk.get_client().options
            assert options["data_collection"]["provided_by_user"] is True
            assert options["send_default_pii"] is None
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []


@override_settings(PRODREADY_SENTRY_SEND_USER=True)
def test_send_user_turns_on_user_info() -> None:
    assert sentry_options()["data_collection"]["user_info"] is True


def test_django_logging_celery_and_redis_integrations() -> None:
    with captured_sentry():
        integrations = set(sentry_sdk.get_client().integrations)
    assert {"django", "logging", "celery", "redis"} <= integrations


@override_settings(
    PRODREADY_SENTRY_ENVIRONMENT="staging",
    PRODREADY_SENTRY_RELEASE="shop@1.4.2",
    PRODREADY_SENTRY_TRACES_SAMPLE_RATE=0.25,
    PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE=0.5,
)
def test_settings_become_options() -> None:
    with captured_sentry(traces_sample_rate=0.25):
        options = sentry_sdk.get_client().options
    assert (options["environment"], options["release"]) == ("staging", "shop@1.4.2")
    assert (options["traces_sample_rate"], options["profile_session_sample_rate"]) == (0.25, 0.5)
    assert options["profile_lifecycle"] == "trace"
    assert options["before_send"] is before_send


def test_overrides_replace_options() -> None:
    assert sentry_options(dsn=DSN, environment="ci")["environment"] == "ci"


@override_settings(PRODREADY_SENTRY_LOG_EVENT_LEVEL="WARNING")
def test_log_event_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="shop")
    with captured_sentry() as transport:
        logging.getLogger("shop").info("ORD-1 is slow")
        logging.getLogger("shop").warning("ORD-2 was retried")
        assert [event["logentry"]["message"] for event in transport.events()] == [
            "ORD-2 was retried"
        ]


@override_settings(PRODREADY_SENTRY_LOG_EVENT_LEVEL=None)
def test_no_log_event_level_sends_no_log_events(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="shop")
    with captured_sentry() as transport:
        logging.getLogger("shop").critical("ORD-3 failed")
        assert transport.events() == []


@override_settings(PRODREADY_SENTRY_DSN=DSN)
def test_django_start_up_initialises_sentry(sentry_reset: None) -> None:
    apps.get_app_config("prodready_observability").ready()
    client = sentry_sdk.get_client()
    assert client.is_active()
    assert client.options["before_send"] is before_send


@override_settings(PRODREADY_SENTRY_DSN=DSN, PRODREADY_SENTRY_TRACES_SAMPLE_RATE=5.0)
def test_start_up_leaves_sentry_off_while_settings_are_wrong(sentry_reset: None) -> None:
    init_on_startup()
    assert not sentry_sdk.get_client().is_active()


@override_settings(PRODREADY_SENTRY_DSN=DSN)
def test_start_up_leaves_a_project_s_own_sentry_alone(sentry_reset: None) -> None:
    sentry_sdk.init(dsn=DSN, transport=CaptureTransport(), environment="own")
    init_on_startup()
    assert sentry_sdk.get_client().options["environment"] == "own"
    assert sentry_sdk.get_client().options["before_send"] is None


@override_settings(PRODREADY_SENTRY_DSN=DSN, PRODREADY_SENTRY_LOG_LEVEL="LOUD")
def test_start_up_survives_a_setting_of_the_wrong_kind(
    sentry_reset: None, caplog: pytest.LogCaptureFixture
) -> None:
    init_on_startup()  # must not raise: Django would not start
    assert not sentry_sdk.get_client().is_active()
    assert "Sentry was not initialised" in caplog.text


def test_a_site_without_a_dsn_never_imports_sentry_sdk() -> None:
    # A fresh interpreter: start Django, run the checks, serve a request through the
    # middleware. sentry_sdk costs about a tenth of a second to import; without a DSN
    # no process should pay it.
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core import checks\n"
        "from django.test import Client, override_settings\n"
        "from tests.site import SETTINGS\n"
        "checks.run_checks()\n"
        "with override_settings(**SETTINGS):\n"
        "    assert Client().get('/lessons/1/').status_code == 200\n"
        "print('sentry_sdk' in sys.modules)\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    environment.pop("PRODREADY_SENTRY_DSN", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
