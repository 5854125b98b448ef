"""No secret leaves in what Sentry sends, from a view, a Celery task or a logging call.

Each scenario runs against the real sentry-sdk, initialised by prodready, with a
transport that keeps envelopes in memory; the envelopes are serialised to the bytes
that would go over the wire and searched for every planted secret. The control
tests run the same scenarios with prodready's scrubbing turned off, to show that
each secret does reach Sentry when nothing masks it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import override_settings

from tests import sentry_app
from tests.sentry_capture import COLLECT_EVERYTHING, CaptureTransport, captured_sentry


def _keep(item: dict[str, object], hint: object) -> dict[str, object]:
    return item


SITE = override_settings(ROOT_URLCONF="tests.sentry_app")
UNSCRUBBED = {
    "before_send": _keep,
    "before_send_transaction": _keep,
    "before_breadcrumb": _keep,
    "data_collection": COLLECT_EVERYTHING,
}


def run_view() -> None:
    assert sentry_app.post_payment() == 500


SCENARIOS: dict[str, tuple[Callable[[], None], dict[str, str], list[str]]] = {
    "view": (run_view, sentry_app.VIEW_SECRETS, sentry_app.ORDINARY),
    "celery task": (sentry_app.run_charge_eagerly, sentry_app.TASK_SECRETS, ["ORD-1042"]),
    "logging call": (sentry_app.log_failure, sentry_app.LOG_SECRETS, ["ORD-1042"]),
}
CASES = [
    pytest.param(scenario, secret, id=f"{scenario}: {place}")
    for scenario, (_run, secrets, _ordinary) in SCENARIOS.items()
    for place, secret in secrets.items()
]


def sent_by(scenario: str, **options: object) -> bytes:
    run = SCENARIOS[scenario][0]
    with SITE, captured_sentry(**options) as transport:
        run()
        assert transport.events(), f"the {scenario} sent no Sentry event"
        return transport.serialised()


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("scenario", "secret"), CASES)
def test_no_secret_survives_in_the_envelope(scenario: str, secret: str) -> None:
    assert secret.encode() not in sent_by(scenario)


@pytest.mark.parametrize(("scenario", "secret"), CASES)
def test_control_the_secret_reaches_sentry_when_nothing_scrubs(scenario: str, secret: str) -> None:
    assert secret.encode() in sent_by(scenario, **UNSCRUBBED)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ordinary_text_survives(scenario: str) -> None:
    sent = sent_by(scenario)
    for text in SCENARIOS[scenario][2]:
        assert text.encode() in sent


@SITE
def test_the_view_error_keeps_its_message_type_and_chain(sentry_capture: CaptureTransport) -> None:
    sentry_app.post_payment()
    [event] = sentry_capture.events()
    chain = [(value["type"], value["value"]) for value in event["exception"]["values"]]
    assert chain == [
        ("ConnectionError", "redis://[Filtered]@cache:6379/0 refused the connection"),
        (
            "RuntimeError",
            f"{sentry_app.ORDER_ERROR} (ORD-1042) via "
            "postgresql://[Filtered]@db.internal:5432/shop",
        ),
    ]


def test_a_failing_task_is_one_sentry_issue(sentry_capture: CaptureTransport) -> None:
    sentry_app.run_charge_eagerly()
    events = sentry_capture.events()
    # Celery's integration reports the exception; the task-failure log line of
    # prodready.tasks (ERROR) must not become a second event.
    assert [event["exception"]["values"][-1]["type"] for event in events] == ["RuntimeError"]
    assert events[0]["extra"]["celery-job"]["task_name"] == "shop.charge"
