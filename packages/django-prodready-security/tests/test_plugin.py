"""The package takes part as a plugin when it is in INSTALLED_APPS, and only then."""

import pytest
from django.conf import settings
from django.core import checks
from django.test import override_settings

import prodready_security
from prodready import hooks
from prodready.plugins import get_plugin_manager, plugin_infos
from prodready_security import prodready_hooks
from prodready_security.conf import conf

NAME = "prodready_security"


def test_registered_under_its_app_name() -> None:
    assert get_plugin_manager().get_plugin(NAME) is prodready_hooks


def test_listed_from_its_entry_point_with_its_version() -> None:
    info = next(info for info in plugin_infos() if info.name == NAME)
    assert info.source == "entry point"
    assert info.version == prodready_security.__version__
    assert "prodready_settings" in info.hooks


def test_contributes_its_settings() -> None:
    assert (NAME, conf) in hooks.settings_objects()


@pytest.mark.django_db  # Django 6.1 runs model checks against the test database
def test_system_checks_pass() -> None:
    assert checks.run_checks() == []


def test_inert_when_not_in_installed_apps() -> None:
    without = [app for app in settings.INSTALLED_APPS if app != NAME]
    with override_settings(INSTALLED_APPS=without):
        assert get_plugin_manager().get_plugin(NAME) is None
        assert all(name != NAME for name, _ in hooks.settings_objects())
    assert get_plugin_manager().get_plugin(NAME) is prodready_hooks
