import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

import prodready
from prodready import checks, hooks
from prodready.health.base import HealthCheck
from prodready.plugins import PluginError, build_plugin_manager, hookimpl, plugin_infos


def test_core_is_discovered_through_its_entry_point():
    (core,) = [info for info in plugin_infos() if info.name == "prodready"]
    assert core.source == "entry point"
    assert core.version
    assert "prodready_health_checks" in core.hooks


@override_settings(PRODREADY_PLUGINS=["tests.plugins_for_tests.extra_settings"])
def test_setting_plugins_are_registered():
    (info,) = [i for i in plugin_infos() if i.name == "tests.plugins_for_tests.extra_settings"]
    assert info.source == "setting"
    assert info.hooks == ("prodready_settings",)


@override_settings(PRODREADY_PLUGINS=["tests.plugins_for_tests.misspelled"])
def test_misspelled_hook_fails_at_startup_naming_the_plugin():
    with pytest.raises(PluginError, match="prodready_helth_checks"):
        build_plugin_manager()
    [error] = checks.check_plugins()
    assert isinstance(error, Error)
    assert error.id == "prodready.E001"
    assert "tests.plugins_for_tests.misspelled" in error.msg


@override_settings(PRODREADY_PLUGINS=["tests.plugins_for_tests.not_there"])
def test_unknown_plugin_path_is_a_clear_error():
    [error] = checks.check_plugins()
    assert error.id == "prodready.E001"
    assert "PRODREADY_PLUGINS lists 'tests.plugins_for_tests.not_there'" in error.msg


@override_settings(PRODREADY_PLUGINS=["tests.plugins_for_tests.not_there"])
def test_plugins_command_reports_a_broken_plugin_without_traceback():
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command("prodready", "plugins")


def test_plugins_command_lists_plugins_and_hooks(capsys):
    call_command("prodready", "plugins")
    out = capsys.readouterr().out
    assert "prodready 0.1" in out
    assert "  prodready_readiness_findings" in out


def test_plugins_command_json(capsys):
    call_command("prodready", "plugins", "--format", "json")
    import json

    rows = json.loads(capsys.readouterr().out)
    assert {"name", "version", "source", "hooks"} <= rows[0].keys()


class Check(HealthCheck):
    name = "temporary"

    def check(self) -> None:
        return None


def test_collector_returns_plugin_items(prodready_plugin):
    check = Check()

    class Plugin:
        @hookimpl
        def prodready_health_checks(self):
            return [check]

    prodready_plugin(Plugin(), name="temporary-plugin")
    assert check in hooks.health_checks()


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("not-a-list", "returned str from prodready_health_checks(); expected an iterable"),
        ([object()], "expected prodready.health.base.HealthCheck instances"),
        (42, "returned int"),
    ],
)
def test_collector_names_the_plugin_that_broke_the_contract(prodready_plugin, returned, message):
    class Plugin:
        @hookimpl
        def prodready_health_checks(self):
            return returned

    prodready_plugin(Plugin(), name="sloppy-plugin")
    with pytest.raises(PluginError, match="sloppy-plugin") as excinfo:
        hooks.health_checks()
    assert message in str(excinfo.value)


def test_temporary_plugin_is_gone_after_the_test(prodready_plugin):
    class Plugin:
        @hookimpl
        def prodready_health_checks(self):
            return [Check()]

    plugin = prodready_plugin(Plugin())
    from prodready.plugins import get_plugin_manager

    assert get_plugin_manager().is_registered(plugin)


def test_no_temporary_plugin_leaks_between_tests():
    from prodready.plugins import get_plugin_manager

    assert {name for name, _ in get_plugin_manager().list_name_plugin()} == {"prodready"}


def test_a_failing_event_hook_does_not_stop_the_others(prodready_plugin, caplog):
    received = []

    class Broken:
        @hookimpl
        def prodready_audit(self, event):
            raise RuntimeError("boom")

    class Recorder:
        @hookimpl
        def prodready_audit(self, event):
            received.append(event.action)

    prodready_plugin(Recorder(), name="recorder")
    prodready_plugin(Broken(), name="broken")
    import prodready

    prodready.audit("backup.restored", target="db")
    assert received == ["backup.restored"]
    assert "Plugin 'broken' failed in prodready_audit()" in caplog.text


def test_a_hook_sees_plugins_registered_and_unregistered_after_its_first_call():
    from prodready.plugins import get_plugin_manager
    from prodready.testing import register_temporarily

    received = []

    class Recorder:
        @hookimpl
        def prodready_audit(self, event):
            received.append(event.action)

    prodready.audit("first")  # looks the implementations up, and keeps them
    with register_temporarily(Recorder()):
        prodready.audit("second")
    prodready.audit("third")
    get_plugin_manager().register(Recorder(), name="directly")  # not through our helpers
    try:
        prodready.audit("fourth")
    finally:
        get_plugin_manager().unregister(name="directly")
    assert received == ["second", "fourth"]


def test_app_with_prodready_hooks_module_takes_part():
    with override_settings(
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "prodready",
            "tests.app_with_hooks",
        ]
    ):
        names = [info.name for info in plugin_infos()]
        assert "tests.app_with_hooks" in names
    assert "tests.app_with_hooks" not in [info.name for info in plugin_infos()]
