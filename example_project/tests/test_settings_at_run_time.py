"""A mistyped setting fails where it is read with an error naming it, never a TypeError.

Generated from every package's settings: each ``PRODREADY_*`` setting in turn gets a value
of the wrong type, and the site's request paths (the probes, a staff page with every
package's dashboard card, the CSP report endpoint, the metrics) either answer as usual
(that path does not read it) or stop with ``InvalidSetting`` naming that very setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings

from prodready import hooks, setting_types
from prodready.conf import PREFIX, InvalidSetting
from prodready.health.runner import clear_cache
from prodready_security.testing import force_login_verified

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "settings-metrics-token"
# Values of every shape; the first one a setting's type refuses is the mistake made.
MISTAKES = ("5", 5, 5.5, True, None, ["x"], {"x": 1}, b"x", object())


def every_setting() -> list[tuple[str, Any]]:
    found = []
    for _plugin, app_settings in hooks.settings_objects():
        for name in app_settings.setting_names():
            prop = name.removeprefix(PREFIX)
            found.append((name, setting_types.declared_type(type(app_settings), prop)))
    return sorted(found, key=lambda pair: pair[0])


def mistake_for(expected: Any) -> Any:
    return next(value for value in MISTAKES if not setting_types.matches(value, expected))


@pytest.fixture
def admin_client() -> Iterator[Client]:
    client = Client()
    force_login_verified(client, User.objects.create_superuser("admin", password="x"))
    yield client
    clear_cache()


def visit(client: Client) -> None:
    """The request paths that read settings, answered or stopped."""
    clear_cache()  # the health report of an earlier setting must not answer for this one
    cache.clear()  # nor its rate-limit counters
    for response in (
        Client().get("/health/ready"),
        client.get("/ops/"),
        Client().post(
            "/security/csp/report/", b'{"csp-report": {}}', content_type="application/csp-report"
        ),
        Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}"),
    ):
        assert response.status_code in (200, 204, 503), response.content[:300]


@pytest.mark.parametrize(("name", "expected"), every_setting(), ids=lambda v: str(v)[:60])
def test_a_mistyped_setting_stops_with_an_error_naming_it(
    admin_client: Client, name: str, expected: Any
) -> None:
    value = mistake_for(expected)
    stopped: InvalidSetting | None = None
    try:
        with override_settings(**{"PRODREADY_METRICS_TOKEN": METRICS_TOKEN, name: value}):
            visit(admin_client)
    except InvalidSetting as error:
        stopped = error
    if stopped is not None:
        assert stopped.setting == name, f"{name}={value!r} was reported as {stopped.setting}"
        assert str(stopped).startswith(f"{name} must be ")
