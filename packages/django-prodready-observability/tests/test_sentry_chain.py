"""One chain for everything Sentry sends: the built-in scrubber, then every plugin.

A plugin that raises, or a scrubber that cannot run, drops what it was scrubbing:
a half-scrubbed event must not leave the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import sentry_sdk
from django.test import override_settings

from prodready.plugins import get_plugin_manager, hookimpl
from prodready_observability.sentry import before_breadcrumb, before_send, before_send_log
from prodready_observability.sentry.chain import LOGGER_NAME
from tests.sentry_capture import CaptureTransport

Register = Callable[..., Any]


class MasksShopReferences:
    """A plugin that knows a secret the built-in scrubber cannot: the shop's references."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    @hookimpl
    def prodready_scrub_event(self, event: dict[str, Any], hint: Mapping[str, Any]) -> None:
        self.seen.append({"event": repr(event), "hint": dict(hint)})
        for crumb in event.get("breadcrumbs", {}).get("values", []):
            crumb["message"] = crumb["message"].replace("REF-7781", "REF-****")
        if "message" in event:
            event["message"] = event["message"].replace("REF-7781", "REF-****")
        event.setdefault("tags", {})["scrubbed_by"] = "shop"


class Raises:
    @hookimpl
    def prodready_scrub_event(self, event: dict[str, Any], hint: Mapping[str, Any]) -> None:
        raise KeyError("broken plugin")


@pytest.fixture(autouse=True)
def _info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="shop")


def test_a_plugin_scrubber_runs_after_the_built_in_one(
    sentry_capture: CaptureTransport, prodready_plugin: Register
) -> None:
    plugin = prodready_plugin(MasksShopReferences())
    logging.getLogger("shop").info("reference REF-7781 at redis://:pw-1@cache:6379")
    sentry_sdk.capture_message("refund of REF-7781 failed")

    [event] = sentry_capture.events()
    assert event["message"] == "refund of REF-**** failed"
    assert event["tags"]["scrubbed_by"] == "shop"
    assert b"REF-7781" not in sentry_capture.serialised()
    # The plugin saw the breadcrumb as it was recorded, already scrubbed by the built-in.
    first_seen = plugin.seen[0]["event"]
    assert "redis://[Filtered]@cache:6379" in first_seen
    assert "pw-1" not in first_seen


def test_errors_pass_their_hint_to_plugins(
    sentry_capture: CaptureTransport, prodready_plugin: Register
) -> None:
    plugin = prodready_plugin(MasksShopReferences())
    try:
        raise ValueError("REF-7781")
    except ValueError:
        sentry_sdk.capture_exception()
    assert plugin.seen[-1]["hint"]["exc_info"][0] is ValueError


def test_a_raising_plugin_drops_the_event_and_says_so(
    sentry_capture: CaptureTransport, prodready_plugin: Register, caplog: pytest.LogCaptureFixture
) -> None:
    prodready_plugin(Raises())
    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        sentry_sdk.capture_message("refund of REF-7781 failed")
    assert sentry_capture.events() == []
    assert b"REF-7781" not in sentry_capture.serialised()
    [record] = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert "prodready_scrub_event implementation raised" in record.getMessage()
    assert "the Sentry event was dropped" in record.getMessage()


def test_a_raising_plugin_drops_breadcrumbs_and_transactions_too(
    sentry_capture: CaptureTransport, prodready_plugin: Register
) -> None:
    plugin = prodready_plugin(Raises())
    with sentry_sdk.start_transaction(name="/orders/"):
        logging.getLogger("shop").info("reference REF-7781")
    assert sentry_capture.transactions() == []
    get_plugin_manager().unregister(plugin)
    sentry_sdk.capture_message("after the plugin was removed")
    [event] = sentry_capture.events()
    assert event["breadcrumbs"]["values"] == []


def test_without_plugins_the_built_in_scrubber_still_runs(
    sentry_capture: CaptureTransport,
) -> None:
    sentry_sdk.capture_message("connect to redis://:pw-2@cache:6379 failed")
    [event] = sentry_capture.events()
    assert event["message"] == "connect to redis://[Filtered]@cache:6379 failed"


@override_settings(PRODREADY_SENTRY_SCRUB_PATTERNS=["(unclosed"])
def test_a_scrubber_that_cannot_run_drops_the_event(
    sentry_capture: CaptureTransport, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        sentry_sdk.capture_message("password=hunter2")
    assert sentry_capture.events() == []
    assert any("built-in scrubber failed" in r.getMessage() for r in caplog.records)


def test_breadcrumbs_are_scrubbed_as_they_are_recorded() -> None:
    crumb = {"category": "query", "message": "SELECT 'x' WHERE token = 'abc'", "data": {}}
    assert before_breadcrumb(crumb, {}) == {
        "category": "query",
        "message": "SELECT ? WHERE token = ?",
        "data": {},
    }
    crumb = {"message": "token=abc123 for ORD-1042", "data": {"api_key": "k"}}
    assert before_breadcrumb(crumb, {}) == {
        "message": "token=[Filtered] for ORD-1042",
        "data": {"api_key": "[Filtered]"},
    }


def test_logs_are_scrubbed() -> None:
    log = {
        "body": "login with password=hunter2",
        "attributes": {"sentry.message.parameter.0": "x"},
    }
    assert before_send_log(log, {}) == {
        "body": "login with password=[Filtered]",
        "attributes": {"sentry.message.parameter.0": "x"},
    }


def test_a_changed_header_allowlist_is_seen_at_once() -> None:
    def sent_region() -> object:
        event = before_send({"request": {"headers": {"X-Shop-Region": "eu-west"}}}, {})
        assert event is not None
        return event["request"]["headers"]["X-Shop-Region"]

    assert sent_region() == "[Filtered]"
    with override_settings(PRODREADY_SENTRY_HEADER_ALLOWLIST=["X-Shop-Region"]):
        assert sent_region() == "eu-west"
    assert sent_region() == "[Filtered]"
