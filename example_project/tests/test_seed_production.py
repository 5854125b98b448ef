"""``manage.py seed_production``: reference data, and an admin with no default password."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from school.models import Level, Room, Subject

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_production", *args, stdout=out)
    return out.getvalue()


def test_creates_reference_data_and_an_admin_with_a_generated_password(
    monkeypatch, django_user_model
):
    monkeypatch.delenv("SCHOOL_ADMIN_PASSWORD", raising=False)
    output = seed()
    password = re.search(r"Password: (\S+)", output).group(1)
    admin = django_user_model.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert len(password) >= 20
    assert Subject.objects.count() == 6
    assert Level.objects.first().name == "Primary"
    assert Room.objects.get(is_virtual=True).name == "Online"


def test_generated_passwords_differ_between_sites(monkeypatch, django_user_model):
    monkeypatch.delenv("SCHOOL_ADMIN_PASSWORD", raising=False)
    first = re.search(r"Password: (\S+)", seed()).group(1)
    django_user_model.objects.all().delete()
    second = re.search(r"Password: (\S+)", seed()).group(1)
    assert first != second


def test_password_from_the_environment_is_never_printed(monkeypatch, django_user_model):
    monkeypatch.setenv("SCHOOL_ADMIN_PASSWORD", "violet-Harbour-lantern-42")
    output = seed("--admin-username", "head")
    assert "violet-Harbour-lantern-42" not in output
    assert "Password:" not in output
    assert django_user_model.objects.get(username="head").check_password(
        "violet-Harbour-lantern-42"
    )


def test_a_weak_password_from_the_environment_is_refused(monkeypatch, django_user_model):
    monkeypatch.setenv("SCHOOL_ADMIN_PASSWORD", "password")
    with pytest.raises(CommandError, match=r"SCHOOL_ADMIN_PASSWORD is not an acceptable"):
        seed()
    assert not django_user_model.objects.exists()
    assert not Subject.objects.exists()  # nothing half-done


def test_running_again_changes_nothing(monkeypatch, django_user_model):
    monkeypatch.delenv("SCHOOL_ADMIN_PASSWORD", raising=False)
    seed()
    admin_before = django_user_model.objects.get(username="admin").password
    output = seed()
    assert "exists already" in output
    assert "Password:" not in output
    assert "0 row(s) created" in output
    assert django_user_model.objects.get(username="admin").password == admin_before
