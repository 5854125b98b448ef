import importlib

import pytest
from django.conf import settings
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


def installed(*apps):
    return override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, *apps])


def test_an_apps_hooks_module_is_registered_under_the_apps_name():
    with installed("tests.app_with_settings"):
        (info,) = [i for i in plugin_infos() if i.name == "tests.app_with_settings"]
    assert info.source == "app"
    assert info.hooks == ("prodready_settings",)


def test_misspelled_hook_fails_at_startup_naming_the_plugin():
    with installed("tests.app_misspelled"):
        with pytest.raises(PluginError, match="prodready_helth_checks"):
            build_plugin_manager()
        [error] = checks.check_plugins()
    assert isinstance(error, Error)
    assert error.id == "prodready.E001"
    assert "tests.app_misspelled" in error.msg


def test_plugins_command_reports_a_broken_plugin_without_traceback():
    with installed("tests.app_misspelled"), pytest.raises(CommandError, match="helth"):
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
        ([object()], "expected prodready.contracts.HealthCheck instances"),
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

    prodready.audit("first")
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


def test_failing_event_implementations_are_each_logged_and_the_rest_still_run(
    prodready_plugin, caplog
):
    received = []

    def plugin(name, fails):
        class Plugin:
            @hookimpl
            def prodready_audit(self, event):
                received.append(name)
                if fails:
                    raise RuntimeError(f"{name} is broken")

        return prodready_plugin(Plugin(), name=name)

    # pluggy calls the last registered first: c, b (fails), a, first (fails), last
    plugin("last", fails=False)
    plugin("first", fails=True)
    plugin("a", fails=False)
    plugin("b", fails=True)
    plugin("c", fails=False)
    prodready.audit("user.login")
    assert received == ["c", "b", "a", "first", "last"]
    assert "Plugin 'b' failed in prodready_audit()" in caplog.text
    assert "Plugin 'first' failed in prodready_audit()" in caplog.text
    assert caplog.text.count("failed in prodready_audit()") == 2


def test_new_style_wrappers_wrap_collectors(prodready_plugin):
    check = Check()

    class Wrapper:
        @hookimpl(wrapper=True)
        def prodready_health_checks(self):
            results = yield
            return [*results, [check]]

    prodready_plugin(Wrapper(), name="wrapper")
    assert check in hooks.health_checks()


def test_old_style_hookwrappers_see_events(prodready_plugin):
    seen = []

    class Wrapper:
        @hookimpl(hookwrapper=True)
        def prodready_audit(self, event):
            seen.append(("before", event.action))
            yield
            seen.append(("after", event.action))

    prodready_plugin(Wrapper(), name="old-wrapper")
    prodready.audit("invoice.paid")
    assert seen == [("before", "invoice.paid"), ("after", "invoice.paid")]


def test_a_wrapper_that_adds_a_wrong_result_is_named(prodready_plugin):
    class Wrapper:
        @hookimpl(wrapper=True)
        def prodready_health_checks(self):
            results = yield
            return [*results, "not a list of checks"]

    prodready_plugin(Wrapper(), name="sloppy-wrapper")
    with pytest.raises(PluginError, match="A hook wrapper of 'sloppy-wrapper' returned str"):
        hooks.health_checks()


def test_a_failing_dashboard_plugin_gets_an_error_card_and_the_others_theirs(prodready_plugin, rf):
    from prodready import DashboardCard

    card = DashboardCard(title="Fine", template="prodready/dashboard/card.html")

    class Fine:
        @hookimpl
        def prodready_dashboard_cards(self, request):
            return [card]

    class Broken:
        @hookimpl
        def prodready_dashboard_cards(self, request):
            raise ConnectionError("redis://:secret@cache:6379 is down")

    prodready_plugin(Fine(), name="fine")
    prodready_plugin(Broken(), name="broken")
    cards = hooks.dashboard_cards(rf.get("/ops/"))
    assert card in cards
    [error] = [c for c in cards if c.title == "broken"]
    assert error.context == {"plugin": "broken", "reason": "ConnectionError"}


def test_plugin_authors_need_one_import():
    from prodready import (
        AuditEvent,
        BackupTarget,
        DashboardCard,
        Finding,
        HealthCheck,
        MetricsCollector,
        Notification,
        PeriodicTask,
        PluginError,
        hookimpl,
    )
    from prodready.dashboard.cards import DashboardCard as DefinedAt

    # The modules that used to define them still give the same objects.
    importlib.import_module("prodready.health.base")
    importlib.import_module("prodready.readiness.findings")
    importlib.import_module("prodready.schedule")
    assert DashboardCard is DefinedAt
    assert hookimpl is prodready.plugins.hookimpl
    assert AuditEvent is prodready.events.AuditEvent
    assert Notification is prodready.events.Notification
    assert Finding is prodready.readiness.findings.Finding
    assert HealthCheck is prodready.health.base.HealthCheck
    assert PeriodicTask is prodready.schedule.PeriodicTask
    assert PluginError is prodready.plugins.PluginError
    assert (BackupTarget, MetricsCollector) == (
        prodready.contracts.BackupTarget,
        prodready.contracts.MetricsCollector,
    )
    with pytest.raises(AttributeError, match="has no attribute 'Nonsense'"):
        prodready.Nonsense  # noqa: B018
