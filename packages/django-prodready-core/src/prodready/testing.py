"""pytest plugin shipped with core: temporary plugins for your own tests.

    def test_my_check(prodready_plugin):
        class Plugin:
            @hookimpl
            def prodready_health_checks(self):
                return [MyCheck()]

        prodready_plugin(Plugin())
        ...

Every plugin registered through the fixture is unregistered when the test ends.

Tests marked ``requires_postgres`` or ``requires_redis`` skip, saying what is
missing, when the service is not reachable; with ``PRODREADY_TEST_SERVICES=required``
(set it in CI) they fail instead, so a missing service cannot pass unnoticed.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def register_temporarily(plugin: object, name: str | None = None) -> Iterator[object]:
    """Register ``plugin`` with the plugin manager for the duration of the block."""
    from prodready.plugins import get_plugin_manager

    pm = get_plugin_manager()
    pm.register(plugin, name=name)
    _forget_cached_results()
    try:
        pm.check_pending()
        yield plugin
    finally:
        pm.unregister(plugin)
        _forget_cached_results()


@pytest.fixture
def prodready_plugin() -> Iterator[Callable[..., Any]]:
    """Register plugins for one test: ``prodready_plugin(plugin, name=None)``."""
    from prodready.plugins import get_plugin_manager

    registered: list[object] = []

    def register(plugin: object, name: str | None = None) -> object:
        pm = get_plugin_manager()
        pm.register(plugin, name=name)
        registered.append(plugin)
        _forget_cached_results()
        pm.check_pending()
        return plugin

    yield register
    pm = get_plugin_manager()
    for plugin in registered:
        if pm.is_registered(plugin):
            pm.unregister(plugin)
    _forget_cached_results()


@pytest.fixture
def audit_events(prodready_plugin: Callable[..., Any]) -> list[Any]:
    """Every ``prodready.audit(...)`` event sent during the test, in order."""
    from prodready.plugins import hookimpl

    events: list[Any] = []

    class Recorder:
        @hookimpl
        def prodready_audit(self, event: Any) -> None:
            events.append(event)

    prodready_plugin(Recorder())
    return events


def _forget_cached_results() -> None:
    """Health results are cached for a few seconds; a new plugin must be seen at once."""
    from prodready.health.runner import clear_cache

    clear_cache()


# Tests that need a real service are marked ``requires_postgres`` or
# ``requires_redis``. Without the service they skip, saying what was missing;
# with PRODREADY_TEST_SERVICES=required (CI) a missing service fails the test.

SERVICES = {
    "requires_postgres": ("PostgreSQL", "PRODREADY_TEST_POSTGRES", "127.0.0.1:5432"),
    "requires_redis": ("Redis", "PRODREADY_TEST_REDIS", "127.0.0.1:6379"),
}
_reachable: dict[str, str | None] = {}
_ran: dict[str, int] = {}


def pytest_configure(config: pytest.Config) -> None:
    for marker, (service, variable, default) in SERVICES.items():
        config.addinivalue_line(
            "markers",
            f"{marker}: needs {service} at ${variable} (default {default}); skipped "
            "without it unless PRODREADY_TEST_SERVICES=required",
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in SERVICES:
        if item.get_closest_marker(marker) is None:
            continue
        problem = _service_problem(marker)
        if problem is None:
            _ran[marker] = _ran.get(marker, 0) + 1
        elif os.environ.get("PRODREADY_TEST_SERVICES") == "required":
            pytest.fail(
                f"{problem}. PRODREADY_TEST_SERVICES=required: a missing service fails the run.",
                pytrace=False,
            )
        else:
            pytest.skip(problem)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _ran and not _reachable:
        return
    counts = ", ".join(
        f"{SERVICES[marker][0]} tests ran: {_ran.get(marker, 0)}"
        for marker in SERVICES
        if marker in _reachable
    )
    terminalreporter.write_line(f"prodready services: {counts}")


def admins(*addresses: str) -> list[Any]:
    """``ADMINS`` for ``override_settings`` in the form the running Django expects.

    Django 6.0 takes plain addresses and deprecates ``(name, address)`` pairs, which
    Django 5.2 still requires.
    """
    import django

    if django.VERSION >= (6, 0):
        return list(addresses)
    return [(address, address) for address in addresses]


def service_address(marker: str) -> tuple[str, int]:
    """Host and port of the service behind ``marker``, from the environment."""
    _service, variable, default = SERVICES[marker]
    host, _, port = os.environ.get(variable, default).rpartition(":")
    return host, int(port)


def _service_problem(marker: str) -> str | None:
    if marker not in _reachable:
        service, variable, _default = SERVICES[marker]
        host, port = service_address(marker)
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError as exc:
            _reachable[marker] = (
                f"{service} is not reachable at {host}:{port} ({exc.strerror or exc}); "
                f"start it or point ${variable} at one"
            )
        else:
            _reachable[marker] = None
    return _reachable[marker]
