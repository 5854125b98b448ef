"""``manage.py demo_user``: a staff login printed once, never a default password."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def demo_user(*args):
    out = StringIO()
    call_command("demo_user", *args, stdout=out)
    output = out.getvalue()
    username = re.search(r"Username:\s+(\S+)", output).group(1)
    password = re.search(r"Password:\s+(\S+)", output).group(1)
    return username, password, output


def test_printed_credentials_log_in_then_lead_to_2fa_setup(client):
    username, password, output = demo_user()
    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert "http://127.0.0.1:8000/ops/" in output
    response = client.post(
        "/accounts/login/", {"username": username, "password": password, "next": "/ops/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ops/"
    # Staff must set up 2FA before any other page; the command says so.
    assert "two-factor" in output
    setup = client.get("/ops/")
    assert setup.status_code == 302
    assert setup["Location"].startswith("/account/2fa/setup/")


def test_running_again_resets_to_a_new_password(client, django_user_model):
    _, first, _ = demo_user()
    username, second, output = demo_user()
    assert "reset" in output
    assert first != second
    assert django_user_model.objects.filter(username=username).count() == 1
    assert not client.login(username=username, password=first)
    assert client.login(username=username, password=second)


def test_custom_username(django_user_model):
    username, _, _ = demo_user("--username", "ops")
    user = django_user_model.objects.get(username="ops")
    assert username == "ops"
    assert user.is_staff
    assert user.is_superuser


def test_refused_outside_development(settings, django_user_model):
    settings.SCHOOL_DEMO_USER_ALLOWED = False
    with pytest.raises(CommandError, match="only runs with development settings"):
        call_command("demo_user", stdout=StringIO())
    assert not django_user_model.objects.exists()
