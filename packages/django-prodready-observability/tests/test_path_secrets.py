"""A secret in a URL path (``/reset/<uidb64>/<token>/``) is masked where the path is written."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client, override_settings

from prodready_observability.scrub import FILTERED, get_scrubber
from prodready_observability.scrub.values import path_masker, path_secrets
from tests import sentry_app
from tests.site import SETTINGS

TOKEN = "c9x2kq-6b1f0e5d4c3b2a1908f7"  # the shape of Django's password-reset tokens
KEY = "shr-Ab12Cd34"


def is_secret(name: str) -> bool:
    return get_scrubber().is_secret_key(name)


@override_settings(ROOT_URLCONF="tests.sentry_app")
def test_djangos_password_reset_url_yields_its_token_not_the_user_id() -> None:
    assert path_secrets(f"/accounts/reset/MQ/{TOKEN}/", is_secret) == (TOKEN,)


@override_settings(ROOT_URLCONF="tests.sentry_app")
@pytest.mark.parametrize("path", ["/orders/", "/nowhere/", "/accounts/reset/done/"])
def test_paths_without_a_secret_argument_yield_nothing(path: str) -> None:
    assert path_secrets(path, is_secret) == ()


def test_a_value_is_masked_where_it_stands_alone() -> None:
    mask = path_masker(("42",))
    assert mask("GET /files/42/ at 10:42:00.142") == f"GET /files/{FILTERED}/ at 10:42:00.142"


@pytest.mark.parametrize("as_json", [True, False])
def test_log_lines_of_a_request_mask_its_path_secret(
    configured: Any,
    capsys: pytest.CaptureFixture[str],
    as_json: bool,
) -> None:
    configured(json=as_json)
    with override_settings(**SETTINGS):
        assert Client().get(f"/files/{KEY}/?page=2").status_code == 404
    output = capsys.readouterr().out
    assert KEY not in output
    assert f"/files/{FILTERED}/" in output
    if as_json:
        names = {json.loads(line)["name"] for line in output.splitlines()}
        assert {"tests.site", "django.request", "prodready.requests"} <= names


@pytest.mark.django_db
def test_sentry_events_mask_the_path_secret_in_url_breadcrumbs_and_message(
    sentry_capture: Any,
) -> None:
    logging.getLogger("shop.payments").setLevel(logging.INFO)
    with override_settings(ROOT_URLCONF="tests.sentry_app"):
        assert sentry_app.get(f"/reset/MQ/{TOKEN}/") == 500
    [event] = sentry_capture.events()
    sent = sentry_capture.serialised()
    assert TOKEN.encode() not in sent
    assert event["request"]["url"] == f"http://testserver/reset/MQ/{FILTERED}/"
    assert any(
        f"/reset/MQ/{FILTERED}/" in str(crumb.get("message"))
        for crumb in event["breadcrumbs"]["values"]
    )
    assert sentry_app.ORDER_ERROR in event["exception"]["values"][-1]["value"]


@pytest.mark.django_db
def test_the_path_secret_reaches_sentry_when_nothing_masks_it() -> None:
    from tests.sentry_capture import captured_sentry

    def keep(item: dict[str, Any], hint: object) -> dict[str, Any]:
        return item

    with (
        override_settings(ROOT_URLCONF="tests.sentry_app"),
        captured_sentry(before_send=keep, before_breadcrumb=keep) as transport,
    ):
        assert sentry_app.get(f"/reset/MQ/{TOKEN}/") == 500
        assert TOKEN.encode() in transport.serialised()
