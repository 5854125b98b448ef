"""2FA through core's hooks: the readiness rule and the dashboard card."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory, override_settings

from prodready import hooks
from tests.otp_support import enforcing_middleware, enrol, fresh_code, make_user

pytestmark = pytest.mark.django_db


def r020(**overrides: Any) -> Any:
    with override_settings(**overrides):
        found = [f for f in hooks.readiness_findings() if f.id == "prodready_security.R020"]
    assert len(found) == 1
    return found[0]


def test_readiness_passes_when_staff_must_use_2fa() -> None:
    assert r020(MIDDLEWARE=enforcing_middleware()).passed


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({}, "OTPEnforcementMiddleware is not in MIDDLEWARE"),
        ({"PRODREADY_OTP_REQUIRED_FOR": ["superusers"], "enforced": True}, "without 'staff'"),
    ],
)
def test_readiness_fails_when_staff_can_skip_2fa(overrides: dict[str, Any], detail: str) -> None:
    overrides = dict(overrides)
    if overrides.pop("enforced", False):
        overrides["MIDDLEWARE"] = enforcing_middleware()
    finding = r020(**overrides)
    assert not finding.passed
    assert detail in finding.detail
    assert finding.category == "security"


def adoption_card() -> Any:
    request = RequestFactory().get("/ops/")
    request.user = make_user("viewer", is_superuser=True)  # the dashboard is for staff
    cards = [c for c in hooks.dashboard_cards(request) if c.title == "2FA adoption among staff"]
    assert len(cards) == 1
    return cards[0]


def test_card_is_for_staff_allowed_to_view_devices() -> None:
    """It names staff without 2FA: what the devices' admin shows, to the same people."""
    request = RequestFactory().get("/ops/")
    request.user = make_user("viewer", is_staff=True)
    titles = [card.title for card in hooks.dashboard_cards(request)]
    assert "2FA adoption among staff" not in titles


def test_card_counts_active_staff_with_2fa() -> None:
    enrol(make_user("ada", is_staff=True))
    make_user("bob", is_staff=True)
    make_user("cy", is_staff=True, is_active=False)
    enrol(make_user("dee"))  # not staff
    card = adoption_card()
    assert card.status == "warning"
    assert (card.context["enrolled"], card.context["total"]) == (1, 2)
    assert card.context["percent"] == 50
    assert card.context["missing"] == ["bob"]


def test_card_is_ok_when_every_staff_user_has_2fa() -> None:
    enrol(make_user("ada", is_staff=True))
    assert adoption_card().status == "ok"


def test_card_without_staff() -> None:
    assert adoption_card().status == "info"


@pytest.mark.urls("tests.otp_support")
def test_card_renders_on_the_dashboard() -> None:
    user = make_user("ada", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_encryptedtotpdevice"))
    device, _ = enrol(user)
    make_user("bob", is_staff=True)
    client = Client()
    client.force_login(user)
    with override_settings(MIDDLEWARE=enforcing_middleware()):
        client.post("/account/2fa/verify/", {"code": fresh_code(device)})
        html = client.get("/ops/").content.decode()
    assert "2FA adoption among staff" in html
    assert "1 of 2 staff" in html
    assert "Without 2FA: bob." in html


def test_the_otp_encryption_keys_never_leave_in_an_error_report() -> None:
    key = "5fcKCZtEh7xF1u15WBvoikdJ2mOvWu7HAU3Cg27zTUY="  # tests/settings.py's key
    event = {
        "message": f"cannot decrypt with {key}",
        "extra": {"settings": [f"PRODREADY_OTP_ENCRYPTION_KEYS=['{key}']", 7]},
    }
    hooks.scrub_event(event, {})
    assert event == {
        "message": "cannot decrypt with [Filtered]",
        "extra": {"settings": ["PRODREADY_OTP_ENCRYPTION_KEYS=['[Filtered]']", 7]},
    }
