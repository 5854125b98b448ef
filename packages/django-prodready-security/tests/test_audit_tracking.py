"""Changes to tracked models become events, including bulk operations; secrets are masked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import override_settings

from prodready_security.audit.masking import MASK
from prodready_security.audit.verify import verify_chain
from tests.audit_support import audit_db, events, on_both_databases

__all__ = ["audit_db"]


@pytest.fixture(autouse=True)
def tracked(audit_db: str) -> Iterator[None]:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.Group", "auth.User"]):
        yield


def actions(alias: str) -> list[tuple[str, str, dict[str, list[object]]]]:
    return [(event.action, event.target_repr, event.changes) for event in events(alias)]


@on_both_databases
def test_create_update_and_delete_through_save(audit_db: str) -> None:
    group = Group.objects.using(audit_db).create(name="tutors")
    group.name = "senior tutors"
    group.save()
    group.save()  # nothing changed: no event
    pk = group.pk
    group.delete()

    assert actions(audit_db) == [
        ("model.created", "tutors", {"id": [None, pk], "name": [None, "tutors"]}),
        ("model.updated", "senior tutors", {"name": ["tutors", "senior tutors"]}),
        ("model.deleted", "senior tutors", {"id": [pk, None], "name": ["senior tutors", None]}),
    ]
    event = events(audit_db)[0]
    assert (event.target_content_type.model, event.target_pk) == ("group", str(pk))
    assert verify_chain(audit_db).ok


@on_both_databases
def test_queryset_update_records_each_changed_row(audit_db: str) -> None:
    users = User.objects.using(audit_db)
    users.bulk_create([User(username=name, first_name=name) for name in ("a", "b", "c")])
    first = len(events(audit_db))

    count = users.filter(username__in=["a", "b"]).update(first_name="z", is_staff=False)

    assert count == 2
    updated = events(audit_db)[first:]  # is_staff was already False: not a change
    assert sorted((e.action, e.target_repr, e.changes, e.data) for e in updated) == [
        ("model.updated", old, {"first_name": [old, "z"]}, {"bulk": "QuerySet.update"})
        for old in "ab"
    ]


@on_both_databases
def test_queryset_update_with_an_expression_records_the_values_written(audit_db: str) -> None:
    users = User.objects.using(audit_db)
    users.create(username="a", first_name="a")
    first = len(events(audit_db))

    users.update(first_name=Concat(F("first_name"), Value("!")))

    (event,) = events(audit_db)[first:]
    assert event.changes == {"first_name": ["a", "a!"]}


@on_both_databases
def test_bulk_create_records_each_row(audit_db: str) -> None:
    Group.objects.using(audit_db).bulk_create([Group(name="x"), Group(name="y")])

    assert [(e.action, e.target_repr, e.data) for e in events(audit_db)] == [
        ("model.created", name, {"bulk": "bulk_create"}) for name in "xy"
    ]


@on_both_databases
def test_bulk_update_records_each_row_once(audit_db: str) -> None:
    groups = Group.objects.using(audit_db)
    groups.bulk_create([Group(name="x"), Group(name="y")])
    first = len(events(audit_db))
    objs = list(groups.order_by("pk"))
    for obj in objs:
        obj.name += "2"

    groups.bulk_update(objs, ["name"], batch_size=1)

    # bulk_update runs QuerySet.update per batch: those must not be recorded again.
    assert [(e.action, e.changes, e.data) for e in events(audit_db)[first:]] == [
        ("model.updated", {"name": [old, old + "2"]}, {"bulk": "bulk_update"}) for old in "xy"
    ]


@on_both_databases
def test_queryset_delete_records_each_row(audit_db: str) -> None:
    groups = Group.objects.using(audit_db)
    groups.bulk_create([Group(name="x"), Group(name="y")])
    first = len(events(audit_db))

    groups.all().delete()

    deleted = events(audit_db)[first:]
    assert sorted((e.action, e.target_repr, e.data) for e in deleted) == [
        ("model.deleted", name, {"bulk": "QuerySet.delete"}) for name in "xy"
    ]


@pytest.mark.django_db
def test_untracked_models_are_not_recorded(audit_db: str) -> None:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=["auth.User"]):
        group = Group.objects.create(name="x")
        Group.objects.update(name="y")
        Group.objects.bulk_create([Group(name="z")])
        group.delete()
    assert events(audit_db) == []


@pytest.mark.django_db
def test_tracking_stops_when_the_setting_drops_a_model(audit_db: str) -> None:
    with override_settings(PRODREADY_AUDIT_TRACKED_MODELS=[]):
        Group.objects.create(name="x").delete()
    assert events(audit_db) == []


@pytest.mark.django_db
def test_password_hashes_are_masked(audit_db: str) -> None:
    user = User.objects.create_user("ada", password="first secret")
    user.set_password("second secret")
    user.save()

    created, updated = (event.changes for event in events(audit_db))
    assert created["password"] == [None, MASK]
    assert updated == {"password": [MASK, MASK]}
    assert "md5$" not in str([created, updated])  # the test settings' hasher


@pytest.mark.django_db
@override_settings(PRODREADY_AUDIT_MASKED_FIELDS=["auth.user.email"])
def test_fields_named_in_the_setting_are_masked(audit_db: str) -> None:
    User.objects.create_user("ada", email="ada@example.com")
    Group.objects.create(name="email")  # same pattern, other model: untouched

    user_changes, group_changes = (event.changes for event in events(audit_db))
    assert user_changes["email"] == [None, MASK]
    assert user_changes["username"] == [None, "ada"]
    assert group_changes["name"] == [None, "email"]
