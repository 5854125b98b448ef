"""A tracked save diffs against the instance's snapshot, and reads the row when it cannot."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from typing import Any

import django
import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.db.models import F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from prodready_security.headers.models import CSPReport
from tests.audit_support import audit_db, events, on_both_databases

__all__ = ["audit_db"]


@pytest.fixture(autouse=True)
def tracked(audit_db: str) -> Iterator[None]:
    with override_settings(
        PRODREADY_AUDIT_TRACKED_MODELS=["auth.Group", "prodready_security.CSPReport"]
    ):
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any, audit_db: str) -> Callable[[], Any]:
    """Run what the block registers on commit at its end, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(using=audit_db, execute=True)


def statements(alias: str, save: Callable[[], None]) -> list[str]:
    """The first word of each query ``save`` sends (after the content type is cached)."""
    with CaptureQueriesContext(connections[alias]) as captured:
        save()
    return [query["sql"].split()[0] for query in captured.captured_queries]


def changes(alias: str) -> list[dict[str, list[object]]]:
    return [event.changes for event in events(alias) if event.action == "model.updated"]


def loaded_group(alias: str, name: str = "tutors") -> Group:
    pk = Group.objects.using(alias).create(name=name).pk
    return Group.objects.using(alias).get(pk=pk)


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_a_loaded_instance_saves_with_one_statement_that_stores_the_event(
    audit_db: str,
) -> None:
    group = loaded_group(audit_db)
    group.name = "senior tutors"

    assert statements(audit_db, group.save) == ["WITH"]  # UPDATE and event: audit.same_statement
    assert changes(audit_db) == [{"name": ["tutors", "senior tutors"]}]


def _hand_built(group: Group) -> Group:
    return Group(pk=group.pk, name="renamed")


def _deferred(group: Group) -> Group:
    partial = Group.objects.using(group._state.db).only("id").get(pk=group.pk)
    partial.name = "renamed"  # the save writes a field the load did not read
    return partial


def _other_pk(group: Group) -> Group:
    other = Group.objects.using(group._state.db).create(name="other")
    group.pk, group.name = other.pk, "renamed"
    return group


def _unpickled(group: Group) -> Group:
    copy: Group = pickle.loads(pickle.dumps(group))
    copy.name = "renamed"
    return copy


def _bulk_updated(group: Group) -> Group:
    group.name = "bulk"
    Group.objects.using(group._state.db).bulk_update([group], ["name"])
    group.name = "renamed"
    return group


def _changed_behind(group: Group) -> Group:
    """A save in a transaction that rolls back: its values never reached the row."""
    group.name = "never committed"
    with transaction.atomic(using=group._state.db):
        group.save()
        transaction.set_rollback(True, using=group._state.db)
    group.name = "renamed"
    return group


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
@pytest.mark.parametrize(
    "prepare",
    [_hand_built, _deferred, _other_pk, _unpickled, _bulk_updated, _changed_behind],
)
def test_without_a_snapshot_to_trust_the_row_is_read_first(
    audit_db: str, prepare: Callable[[Group], Group]
) -> None:
    group = prepare(loaded_group(audit_db))
    stored = Group.objects.using(audit_db).get(pk=group.pk).name

    assert statements(audit_db, lambda: group.save(using=audit_db))[0] == "SELECT"
    assert changes(audit_db)[-1] == {"name": [stored, "renamed"]}


@on_both_databases
def test_a_json_value_changed_in_place_is_recorded(audit_db: str) -> None:
    pk = CSPReport.objects.using(audit_db).create(body={"tags": ["a"]}).pk
    report = CSPReport.objects.using(audit_db).get(pk=pk)

    report.body["tags"].append("b")
    report.save()

    assert changes(audit_db) == [{"body": [{"tags": ["a"]}, {"tags": ["a", "b"]}]}]


@on_both_databases
def test_a_second_save_diffs_against_what_the_first_wrote(
    audit_db: str, committed: Callable[[], Any]
) -> None:
    group = loaded_group(audit_db)
    report = CSPReport.objects.using(audit_db).create(body={"n": 1})
    with committed():
        group.name = "first"
        group.save()
        report.body["n"] = 2
        report.save()
    with committed():
        group.name = "second"
        group.save()
        report.body["n"] = 3  # in place, after the save took its copy
        report.save()

    assert changes(audit_db) == [
        {"name": ["tutors", "first"]},
        {"body": [{"n": 1}, {"n": 2}]},
        {"name": ["first", "second"]},
        {"body": [{"n": 2}, {"n": 3}]},
    ]


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_saves_after_a_commit_need_no_read(audit_db: str, committed: Callable[[], Any]) -> None:
    group = Group.objects.using(audit_db).create(name="a")  # created: nothing to read
    with committed():
        group.save(update_fields=["name"])  # no snapshot yet inside this test's transaction
    for name in ("b", "c"):
        group.name = name
        with committed():
            assert statements(audit_db, group.save) == ["WITH"]

    assert changes(audit_db) == [{"name": ["a", "b"]}, {"name": ["b", "c"]}]


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_a_field_saved_as_an_expression_is_read_back_next_time(
    audit_db: str, committed: Callable[[], Any]
) -> None:
    pk = CSPReport.objects.using(audit_db).create(line_number=1).pk
    report = CSPReport.objects.using(audit_db).get(pk=pk)
    with committed():
        report.line_number = F("line_number") + 1  # the new value is in the row only
        report.save()
    report.line_number = 5
    # Django 6.0+ reads the new value back in the UPDATE (RETURNING); before it, the
    # instance still holds the expression, and the next save reads the row.
    expected = ["WITH"] if django.VERSION >= (6, 0) else ["SELECT", "WITH"]

    assert statements(audit_db, report.save) == expected
    assert changes(audit_db)[-1] == {"line_number": [2, 5]}


@on_both_databases
def test_refresh_from_db_renews_the_snapshot(audit_db: str) -> None:
    group = loaded_group(audit_db)
    Group.objects.using(audit_db).filter(pk=group.pk).update(name="changed elsewhere")

    group.refresh_from_db()
    group.save()  # nothing changed since the refresh: no event
    group.name = "renamed"
    group.save()

    assert changes(audit_db) == [
        {"name": ["tutors", "changed elsewhere"]},  # the QuerySet.update
        {"name": ["changed elsewhere", "renamed"]},
    ]


@pytest.mark.requires_postgres
@pytest.mark.django_db(databases=["default", "postgres"])
def test_a_deferred_field_read_later_joins_the_snapshot(audit_db: str) -> None:
    pk = loaded_group(audit_db).pk
    group = Group.objects.using(audit_db).only("id").get(pk=pk)

    assert group.name == "tutors"  # read now, by refresh_from_db
    group.name = "renamed"

    assert statements(audit_db, group.save) == ["WITH"]
    assert changes(audit_db) == [{"name": ["tutors", "renamed"]}]


def test_only_tracked_models_load_through_the_snapshot() -> None:
    from django.contrib.auth.models import Permission
    from django.db.models import Model

    assert "from_db" in vars(Group)  # wrapped on the tracked class itself
    assert "from_db" not in vars(Permission)  # any other model loads as Django does
    assert Permission.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["prodready_security.CSPReport"]):
        assert "from_db" not in vars(Group)
        assert "refresh_from_db" not in vars(Group)
    assert "from_db" in vars(Group)
