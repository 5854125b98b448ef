"""Dashboard card: how many active staff users have 2FA, and who does not yet."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext

from prodready import DashboardCard
from prodready_security.otp.models import EncryptedTOTPDevice

LISTED = 8  # staff without 2FA named on the card; the rest are counted
VIEW_PERMISSION = "prodready_security.view_encryptedtotpdevice"


def cards(request: HttpRequest) -> list[DashboardCard]:
    """The card, for staff allowed to see who has 2FA (the devices' admin view permission)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        return []
    return [adoption_card()]


def adoption_card() -> DashboardCard:
    """How many active staff users have 2FA; the first few without it, by name."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    enrolled_ids = EncryptedTOTPDevice.objects.filter(confirmed=True).values("user_id")
    total = staff.count()
    missing = staff.exclude(pk__in=enrolled_ids).order_by(get_user_model().USERNAME_FIELD)
    missing_count = missing.count()
    enrolled = total - missing_count
    status: Literal["ok", "warning", "info"]
    if total == 0:
        status, summary = "info", gettext("No active staff users.")
    elif missing_count:
        status, summary = (
            "warning",
            ngettext(
                "{missing} of {total} staff user has no 2FA yet.",
                "{missing} of {total} staff users have no 2FA yet.",
                total,
            ).format(missing=missing_count, total=total),
        )
    else:
        status, summary = (
            "ok",
            ngettext(
                "The {total} staff user uses 2FA.", "All {total} staff users use 2FA.", total
            ).format(total=total),
        )
    context = {
        "enrolled": enrolled,
        "total": total,
        "percent": round(100 * enrolled / total) if total else None,
        "summary": summary,
        "missing": [user.get_username() for user in missing[:LISTED]],
        "more": max(missing_count - LISTED, 0),
    }
    return DashboardCard(
        title=gettext("2FA adoption among staff"),
        template="prodready_security/otp/dashboard_card.html",
        context=context,
        status=status,
        order=40,
    )
