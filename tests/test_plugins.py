"""Each plugin package takes part when it is in INSTALLED_APPS, and only then."""

import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from prodready import hooks
from prodready.plugins import get_plugin_manager, plugin_infos

PLUGINS = ("prodready_security", "prodready_backup", "prodready_observability")

PACKAGES = Path(__file__).resolve().parents[1] / "packages"
RUN_CHECKS = """
import json, django
django.setup()
from django.apps import apps
from django.core import checks
from prodready.plugins import get_plugin_manager
plugins = [app.name for app in apps.get_app_configs() if get_plugin_manager().get_plugin(app.name)]
print(json.dumps({"apps": plugins, "found": [str(found) for found in checks.run_checks()]}))
"""

pytestmark = pytest.mark.parametrize("name", PLUGINS)


def test_registered_under_its_app_name(name: str) -> None:
    assert get_plugin_manager().get_plugin(name) is import_module(f"{name}.prodready_hooks")


def test_listed_from_its_entry_point_with_its_version(name: str) -> None:
    info = next(info for info in plugin_infos() if info.name == name)
    assert info.source == "entry point"
    assert info.version == import_module(name).__version__
    assert "prodready_settings" in info.hooks


def test_contributes_its_settings(name: str) -> None:
    assert (name, import_module(f"{name}.conf").conf) in hooks.settings_objects()


def test_system_checks_pass_with_core_alone(name: str) -> None:
    """In the package's own test settings (core and the package), in a process of their own:
    system checks, once registered, stay registered whatever INSTALLED_APPS becomes."""
    directory = PACKAGES / name.replace("prodready_", "django-prodready-")
    done = subprocess.run(
        [sys.executable, "-c", RUN_CHECKS],
        cwd=directory,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": "."},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"apps": ["prodready", name], "found": []}


def test_inert_when_not_in_installed_apps(name: str) -> None:
    prodready_hooks = import_module(f"{name}.prodready_hooks")
    without = [app for app in settings.INSTALLED_APPS if app != name]
    with override_settings(INSTALLED_APPS=without):
        assert get_plugin_manager().get_plugin(name) is None
        assert all(plugin != name for plugin, _ in hooks.settings_objects())
    assert get_plugin_manager().get_plugin(name) is prodready_hooks
