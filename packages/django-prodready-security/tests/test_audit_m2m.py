"""Many-to-many changes of tracked models: add, remove, clear and set, from both sides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import override_settings

from prodready_security.audit.verify import verify_chain
from tests.audit_support import audit_db, events, on_both_databases

__all__ = ["audit_db"]


@pytest.fixture
def people(audit_db: str) -> tuple[User, User, Group, Group, Group]:
    users = User.objects.using(audit_db)
    groups = Group.objects.using(audit_db)
    ann, bob = users.create(username="ann"), users.create(username="bob")
    return ann, bob, *(groups.create(name=name) for name in ("tutors", "admins", "finance"))


def relation_events(alias: str) -> list[tuple[str, dict[str, Any], str]]:
    """(target, changes, operation) of every many-to-many event."""
    return [
        (event.target_repr, event.changes, event.data["operation"])
        for event in events(alias)
        if event.action == "model.m2m_changed"
    ]


@pytest.fixture
def user_tracked(audit_db: str) -> Iterator[None]:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.User"]):
        yield


@on_both_databases
def test_add_remove_clear_and_set_from_the_user_side(
    audit_db: str, user_tracked: None, people: tuple[Any, ...]
) -> None:
    ann, _bob, tutors, admins, finance = people

    ann.groups.add(tutors, admins)
    ann.groups.add(tutors)  # already there: nothing changed, no event
    ann.groups.remove(admins)
    ann.groups.set([tutors, finance])
    ann.groups.clear()

    t, f = sorted([tutors.pk, admins.pk], key=str), finance.pk
    assert relation_events(audit_db) == [
        ("ann", {"groups": [[], t]}, "add"),
        ("ann", {"groups": [t, [tutors.pk]]}, "remove"),
        ("ann", {"groups": [[tutors.pk], sorted([tutors.pk, f], key=str)]}, "add"),
        ("ann", {"groups": [sorted([tutors.pk, f], key=str), []]}, "clear"),
    ]
    event = next(e for e in events(audit_db) if e.action == "model.m2m_changed")
    assert (event.target_content_type.model, event.target_pk) == ("user", str(ann.pk))
    assert event.data["relation"] == "auth.user.groups"
    assert verify_chain(audit_db).ok


@on_both_databases
def test_changes_from_the_group_side_are_recorded_on_each_user(
    audit_db: str, user_tracked: None, people: tuple[Any, ...]
) -> None:
    ann, bob, tutors, admins, _finance = people
    ann.groups.add(admins)
    first = len(relation_events(audit_db))

    tutors.user_set.add(ann, bob)
    tutors.user_set.remove(bob)
    tutors.user_set.set([bob])  # ann out, bob in
    tutors.user_set.clear()

    events = relation_events(audit_db)[first:]
    # One add of two users: the order of their two events is not defined.
    assert sorted(events[:2], key=lambda event: event[0]) == [
        ("ann", {"groups": [[admins.pk], sorted([admins.pk, tutors.pk], key=str)]}, "add"),
        ("bob", {"groups": [[], [tutors.pk]]}, "add"),
    ]
    assert events[2:] == [
        ("bob", {"groups": [[tutors.pk], []]}, "remove"),
        ("ann", {"groups": [sorted([admins.pk, tutors.pk], key=str), [admins.pk]]}, "remove"),
        ("bob", {"groups": [[], [tutors.pk]]}, "add"),
        ("bob", {"groups": [[tutors.pk], []]}, "clear"),
    ]


@on_both_databases
def test_both_sides_tracked_record_both_names(audit_db: str, people: tuple[Any, ...]) -> None:
    ann, _bob, tutors, _admins, _finance = people
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.User", "auth.Group"]):
        ann.groups.add(tutors)
        tutors.user_set.remove(ann)

    assert relation_events(audit_db) == [
        ("ann", {"groups": [[], [tutors.pk]]}, "add"),
        ("tutors", {"user_set": [[], [ann.pk]]}, "add"),
        ("tutors", {"user_set": [[ann.pk], []]}, "remove"),
        ("ann", {"groups": [[tutors.pk], []]}, "remove"),
    ]


@on_both_databases
def test_user_permissions_are_recorded(
    audit_db: str, user_tracked: None, people: tuple[Any, ...]
) -> None:
    ann = people[0]
    permission = Permission.objects.using(audit_db).get(codename="change_user")

    ann.user_permissions.add(permission)
    permission.user_set.remove(ann)

    assert relation_events(audit_db) == [
        ("ann", {"user_permissions": [[], [permission.pk]]}, "add"),
        ("ann", {"user_permissions": [[permission.pk], []]}, "remove"),
    ]


@on_both_databases
def test_relations_of_untracked_models_are_not_recorded(
    audit_db: str, user_tracked: None, people: tuple[Any, ...]
) -> None:
    tutors = people[2]
    permission = Permission.objects.using(audit_db).get(codename="change_user")
    tutors.permissions.add(permission)  # Group and Permission are not tracked
    assert relation_events(audit_db) == []


@on_both_databases
def test_tracking_stops_with_the_setting(audit_db: str, people: tuple[Any, ...]) -> None:
    ann, _bob, tutors, _admins, _finance = people
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.User"]):
        ann.groups.add(tutors)
    ann.groups.clear()
    assert [operation for *_rest, operation in relation_events(audit_db)] == ["add"]
