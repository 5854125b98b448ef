"""``manage.py audit verify`` and ``manage.py audit prune``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from prodready.events import AuditEvent as SentEvent
from prodready_security.audit import recorder
from prodready_security.audit.models import AuditChainHead
from prodready_security.audit.verify import verify_chain
from tests.audit_support import audit_db, events, on_both_databases, tamper

__all__ = ["audit_db"]

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def add(alias: str, action: str, occurred_at: datetime) -> None:
    recorder.chain.append(
        [recorder.build_row(SentEvent(action=action, occurred_at=occurred_at))], using=alias
    )


@on_both_databases
def test_verify_reports_an_intact_chain(audit_db: str) -> None:
    for day in range(3):
        add(audit_db, "test.kept", OLD + timedelta(days=day))
    assert run("verify") == "Audit chain intact: 3 events (#1 to #3) verified.\n"


@on_both_databases
def test_verify_fails_naming_the_first_broken_event(audit_db: str) -> None:
    for day in range(3):
        add(audit_db, "test.kept", OLD + timedelta(days=day))
    event_id = events(audit_db)[1].pk
    tamper(audit_db, 2, target_repr="someone else")

    with pytest.raises(CommandError, match=rf"broken at event #2 \(id {event_id}\).*1 events"):
        run("verify")


@pytest.mark.django_db
def test_verify_of_an_empty_log(audit_db: str) -> None:
    assert run("verify") == "Audit chain intact: no events.\n"


@on_both_databases
def test_prune_removes_older_events_on_record_and_re_anchors(audit_db: str) -> None:
    for day in range(4):
        add(audit_db, f"test.day{day}", OLD + timedelta(days=day))

    output = run("prune", "--before", "2020-01-03T00:00:00+00:00")

    assert "Pruned 2 audit events (#1 to #2)" in output
    kept = events(audit_db)
    assert [e.action for e in kept] == ["test.day2", "test.day3", "audit.pruned"]
    pruned = kept[-1]
    assert pruned.data["count"] == 2
    head = AuditChainHead.objects.using(audit_db).get()
    assert (head.anchor_sequence, head.anchor_hash) == (2, kept[0].prev_hash)
    assert (pruned.data["anchor_sequence"], pruned.data["anchor_hash"]) == (2, head.anchor_hash)
    assert run("verify") == "Audit chain intact: 3 events (#3 to #5) verified.\n"


@pytest.mark.django_db
def test_prune_stops_at_the_first_event_to_keep_so_the_chain_stays_whole(audit_db: str) -> None:
    # Written out of time order (clock skew between writers): #2 is newer than #3.
    add(audit_db, "test.a", OLD)
    add(audit_db, "test.b", OLD + timedelta(days=9))
    add(audit_db, "test.c", OLD + timedelta(days=1))

    run("prune", "--before", "2020-01-05")

    assert [e.action for e in events(audit_db)] == ["test.b", "test.c", "audit.pruned"]
    assert verify_chain(audit_db).ok


@pytest.mark.django_db
def test_prune_dry_run_changes_nothing(audit_db: str) -> None:
    add(audit_db, "test.a", OLD)
    assert run("prune", "--before", "2021-01-01", "--dry-run") == (
        "Would prune 1 audit events (#1 to #1).\n"
    )
    assert len(events(audit_db)) == 1


@pytest.mark.django_db
def test_prune_refuses_a_broken_chain(audit_db: str) -> None:
    add(audit_db, "test.a", OLD)
    add(audit_db, "test.b", OLD)
    tamper(audit_db, 1, action="test.hidden")

    with pytest.raises(CommandError, match=r"broken at event #1.*Nothing was pruned"):
        run("prune", "--before", "2021-01-01")
    assert len(events(audit_db)) == 2


@pytest.mark.django_db
def test_verify_finds_old_events_removed_outside_prune(audit_db: str) -> None:
    for day in range(3):
        add(audit_db, "test.a", OLD + timedelta(days=day))
    run("prune", "--before", "2020-01-02T00:00:00Z")
    head = AuditChainHead.objects.get()
    # Someone deletes event #2 and moves the anchor to hide it.
    second = events(audit_db)[0]
    second.delete()  # SQLite: no trigger
    head.anchor_sequence, head.anchor_hash = 2, second.hash
    head.save()

    with pytest.raises(CommandError, match=r"no audit\.pruned event records that anchor"):
        run("verify")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "is not a date; use YYYY-MM-DD"),
        ("2020-13-45", "is not a date"),
        ((timezone.now() + timedelta(days=2)).date().isoformat(), "is in the future"),
    ],
)
def test_prune_rejects_a_bad_date(audit_db: str, value: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("prune", "--before", value)


@pytest.mark.django_db
def test_an_unknown_database_alias_is_an_error(audit_db: str) -> None:
    with pytest.raises(CommandError, match="'nope' is not an alias in DATABASES"):
        run("verify", "--database", "nope")
