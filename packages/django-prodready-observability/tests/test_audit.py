"""Audit events become a log line and a count by action."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import User

import prodready
from tests.test_metrics import scrape, site  # noqa: F401 (the fixture)


@pytest.mark.django_db
def test_an_audit_event_is_logged_with_its_actor_target_and_changed_fields(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = User.objects.create_user("marta")
    with caplog.at_level(logging.INFO, logger="prodready.audit"):
        prodready.audit(
            "user.updated",
            actor=user,
            target=user,
            changes={"email": ("old@example.com", "new@example.com")},
        )
    [record] = [r for r in caplog.records if r.name == "prodready.audit"]
    assert record.getMessage() == "user.updated by marta"
    assert record.audit_action == "user.updated"  # type: ignore[attr-defined]
    assert record.audit_target == f"User:{user.pk}"  # type: ignore[attr-defined]
    assert record.audit_changed == ["email"]  # type: ignore[attr-defined]
    assert "new@example.com" not in str(vars(record))  # values stay in the audit log


def test_events_are_counted_by_action() -> None:
    key = ("prodready_audit_events_total", (("action", "backup.restored"),))
    before = scrape().get(key, 0)
    prodready.audit("backup.restored")
    prodready.audit("backup.restored")
    assert scrape()[key] == before + 2
