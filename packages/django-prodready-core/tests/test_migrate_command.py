"""Core's ``migrate``: the one override, through which plugins take part."""

import contextlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from prodready.plugins import hookimpl

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def deploy_app():
    with override_settings(INSTALLED_APPS=["prodready", "tests.deploy_app"]):
        yield
        call_command("migrate", "deploy_app", "zero", verbosity=0)


def tables() -> list[str]:
    return connection.introspection.table_names()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    @hookimpl
    def prodready_migrate_arguments(self, parser):
        parser.add_argument("--announce", action="store_true")

    @hookimpl
    def prodready_before_migrate(self, plan, database, options, stdout):
        names = [(m.app_label, m.name, backwards) for m, backwards in plan]
        self.calls.append({"plan": names, "database": database, "announce": options["announce"]})
        stdout.write("announced")


def test_before_migrate_receives_the_plan_and_the_plugins_options(prodready_plugin, capsys):
    recorder = prodready_plugin(Recorder())
    call_command("migrate", "deploy_app", "--announce", verbosity=0)
    assert recorder.calls == [
        {
            "plan": [
                ("deploy_app", "0001_initial", False),
                ("deploy_app", "0002_lesson_room", False),
            ],
            "database": "default",
            "announce": True,
        }
    ]
    assert "announced" in capsys.readouterr().out
    assert "deploy_app_lesson" in tables()


def test_going_back_is_a_backwards_plan(prodready_plugin):
    call_command("migrate", "deploy_app", verbosity=0)
    recorder = prodready_plugin(Recorder())
    call_command("migrate", "deploy_app", "0001", verbosity=0)
    assert recorder.calls[0]["plan"] == [("deploy_app", "0002_lesson_room", True)]


def test_a_veto_stops_the_migration_before_anything_changes(prodready_plugin):
    class Veto:
        @hookimpl
        def prodready_before_migrate(self, plan):
            raise CommandError("Not migrating: the change window is closed.")

    prodready_plugin(Veto())
    with pytest.raises(CommandError, match="change window is closed"):
        call_command("migrate", "deploy_app", verbosity=0)
    assert "deploy_app_lesson" not in tables()


@pytest.mark.parametrize("option", ["plan", "check_unapplied"])
def test_runs_that_change_nothing_call_no_hook(prodready_plugin, option):
    recorder = prodready_plugin(Recorder())
    with contextlib.suppress(SystemExit):  # --check exits 1 when migrations are unapplied
        call_command("migrate", "deploy_app", verbosity=0, **{option: True})
    assert recorder.calls == []


def test_a_mistaken_target_is_reported_by_django(prodready_plugin):
    recorder = prodready_plugin(Recorder())
    with pytest.raises(CommandError, match="Cannot find a migration matching 'nine'"):
        call_command("migrate", "deploy_app", "nine", verbosity=0)
    assert recorder.calls == []
