"""On PostgreSQL a tracked update stores its event with the UPDATE statement itself.

Each test also checks what the log holds, and the cases where the statement is not
the save's UPDATE check that the event is then stored the usual way, once.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connections, transaction
from django.db.models.signals import pre_save
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from prodready_security.audit import same_statement
from tests.audit_support import PG, audit_db, events, on_postgres

__all__ = ["audit_db"]

pytestmark = on_postgres


@pytest.fixture(autouse=True)
def tracked(audit_db: str) -> Iterator[None]:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.Group"]):
        yield


def stored(action: str = "model.updated") -> list[dict[str, list[object]]]:
    return [event.changes for event in events(PG) if event.action == action]


def first_words(save: Any) -> list[str]:
    with CaptureQueriesContext(connections[PG]) as captured:
        save()
    return [query["sql"].split()[0] for query in captured.captured_queries]


def loaded(name: str = "tutors") -> Group:
    pk = Group.objects.using(PG).create(name=name).pk
    return Group.objects.using(PG).get(pk=pk)


def test_other_plugins_get_the_event_once_and_the_log_stores_it_once(
    audit_events: list[Any],
) -> None:
    group = loaded()
    group.name = "senior tutors"

    assert first_words(group.save) == ["WITH"]
    assert [(e.action, e.changes) for e in audit_events if e.action == "model.updated"] == [
        ("model.updated", {"name": ("tutors", "senior tutors")})
    ]
    assert stored() == [{"name": ["tutors", "senior tutors"]}]
    assert not any(isinstance(w, same_statement.Armed) for w in connections[PG].execute_wrappers)


def test_an_update_that_fails_stores_no_event() -> None:
    loaded("taken")
    group = loaded()
    group.name = "taken"  # Group.name is unique

    with pytest.raises(IntegrityError), transaction.atomic(using=PG):
        group.save()

    assert stored() == []
    assert pickle.loads(pickle.dumps(group)).name == "taken"  # what the save left behind


def test_a_row_gone_behind_the_instance_is_inserted_and_recorded_as_created() -> None:
    group = loaded()
    Group.objects.using(PG).filter(pk=group.pk).delete()
    group.name = "back again"

    group.save()  # the UPDATE finds no row, so Django inserts it

    assert stored() == []
    assert stored("model.created")[-1] == {"id": [None, group.pk], "name": [None, "back again"]}


def test_a_query_before_the_update_leaves_the_event_to_its_own_insert() -> None:
    def look_around(sender: Any, using: str, **kwargs: Any) -> None:
        Group.objects.using(using).exists()

    group = loaded()
    group.name = "senior tutors"
    pre_save.connect(look_around, sender=Group)
    try:
        words = first_words(group.save)
    finally:
        pre_save.disconnect(look_around, sender=Group)

    assert words == ["SELECT", "UPDATE", "INSERT"]
    assert stored() == [{"name": ["tutors", "senior tutors"]}]


def test_a_save_that_failed_before_its_update_leaves_nothing_armed() -> None:
    def refuse(sender: Any, **kwargs: Any) -> None:
        raise ValueError("refused")

    group = loaded()
    same_row = Group.objects.using(PG).get(pk=group.pk)  # with a snapshot: saves unread
    group.name = "never saved"
    pre_save.connect(refuse, sender=Group)
    try:
        with pytest.raises(ValueError, match="refused"):
            group.save()
    finally:
        pre_save.disconnect(refuse, sender=Group)
    same_row.name = "renamed"

    same_row.save()  # armed anew: the failed save's capture is not reused

    assert stored() == [{"name": ["tutors", "renamed"]}]


def test_a_save_that_changes_nothing_sends_the_plain_update() -> None:
    group = loaded()

    assert first_words(group.save) == ["UPDATE"]
    assert stored() == []


@pytest.mark.django_db(databases=["default", PG], transaction=True)
def test_with_server_side_binding_too() -> None:
    connection = connections[PG]
    options = connection.settings_dict["OPTIONS"]
    connection.close()
    options["server_side_binding"] = True
    try:
        group = loaded()
        group.name = "senior tutors"
        # Logged as the UPDATE Django passed, whatever was sent: count the statements.
        assert len(first_words(group.save)) == 1
        assert stored() == [{"name": ["tutors", "senior tutors"]}]
    finally:
        connection.close()
        del options["server_side_binding"]
