import pytest
from django.conf import settings
from django.test import override_settings

from prodready import checks


def ids(messages):
    return [message.id for message in messages]


def test_defaults_pass():
    assert checks.check_settings() == []
    assert checks.check_required_env() == []
    assert checks.check_plugins() == []


@override_settings(PRODREADY_HEALTH_CACHE_SECOND=3)
def test_misspelled_setting_suggests_the_closest_name():
    [warning] = checks.check_settings()
    assert warning.id == "prodready.W001"
    assert "PRODREADY_HEALTH_CACHE_SECOND is not a setting" in warning.msg
    assert warning.hint == "Did you mean PRODREADY_HEALTH_CACHE_SECONDS?"


@override_settings(PRODREADY_COMPLETELY_UNRELATED=True)
def test_unknown_setting_without_a_close_name():
    [warning] = checks.check_settings()
    assert warning.id == "prodready.W001"
    assert "add the package that defines it" in warning.hint


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PRODREADY_HEALTH_CACHE_SECONDS", "3", "must be a number; found str '3'"),
        ("PRODREADY_HEALTH_CACHE_SECONDS", True, "must be a number; found bool True"),
        ("PRODREADY_HEALTH_DISK_MIN_FREE_MB", 1.5, "must be an integer; found float 1.5"),
        # A setting that may hold a secret never has its value quoted.
        ("PRODREADY_HEALTH_TOKEN", 123, "must be a string or None; found int."),
        ("PRODREADY_HEALTH_DISABLED", "cache", "must be a list of a string; found str"),
        ("PRODREADY_NOTIFY_CHANNELS", ["sms"], "must be a list of one of 'email', 'webhook'"),
        ("PRODREADY_NOTIFY_MIN_LEVEL", "loud", "must be one of 'info', 'warning', 'error'"),
    ],
)
def test_wrong_type_is_an_error_naming_setting_expected_and_found(name, value, expected):
    with override_settings(**{name: value}):
        [error] = checks.check_settings()
    assert error.id == "prodready.E002"
    assert error.msg.startswith(f"{name} {expected}")
    assert error.hint.startswith(f"Set {name} to ")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRODREADY_HEALTH_CACHE_SECONDS", 0),
        ("PRODREADY_HEALTH_CACHE_SECONDS", 2.5),
        ("PRODREADY_HEALTH_TOKEN", None),
        ("PRODREADY_HEALTH_DISABLED", ("cache", "disk")),
        ("PRODREADY_NOTIFY_CHANNELS", ["email", "webhook"]),
    ],
)
def test_right_types_pass(name, value):
    with override_settings(**{name: value}):
        assert checks.check_settings() == []


def test_settings_of_every_plugin_are_known_and_typed():
    apps = [*settings.INSTALLED_APPS, "tests.app_with_settings"]
    with override_settings(INSTALLED_APPS=apps), override_settings(PRODREADY_EXAMPLE_RETRIES="x"):
        assert ids(checks.check_settings()) == ["prodready.E002"]


@override_settings(PRODREADY_REQUIRED_ENV=["PRODREADY_TEST_ONE", "PRODREADY_TEST_TWO", "HOME"])
def test_missing_environment_variables_are_one_error(monkeypatch):
    monkeypatch.delenv("PRODREADY_TEST_ONE", raising=False)
    monkeypatch.delenv("PRODREADY_TEST_TWO", raising=False)
    monkeypatch.setenv("HOME", "/tmp")
    [error] = checks.check_required_env()
    assert error.id == "prodready.E003"
    assert (
        error.msg
        == "Missing required environment variables: PRODREADY_TEST_ONE, PRODREADY_TEST_TWO."
    )


celery_app = None  # stands in for a project's Celery app in the test below


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        (None, None),
        ("tests.test_checks.celery_app", None),
        ("tests.not_a_module.app", "which cannot be imported"),
        ("tests.test_checks.no_such_app", "which cannot be imported"),
    ],
)
def test_celery_app_path_is_checked(path, problem):
    with override_settings(PRODREADY_HEALTH_CELERY_APP=path):
        messages = checks.check_celery_app()
    if problem is None:
        assert messages == []
    else:
        [error] = messages
        assert error.id == "prodready.E005"
        assert problem in error.msg
