"""The repository's own test conventions, loaded by its pytest configuration only
(``-p prodready._ci`` in the root pyproject.toml), never by a project's pytest.

Tests that need a real service are marked ``requires_postgres``, ``requires_redis`` or
``requires_mysql`` (MySQL/MariaDB, through mysqlclient): without the service (or its
driver) they skip, saying what was missing; with ``PRODREADY_TEST_SERVICES=required``
(CI) a missing service or tool fails the test, so it cannot pass unnoticed.
:func:`admins` spells ``ADMINS`` for the Django under test.
"""

from __future__ import annotations

import os
import socket
from typing import Any, NoReturn

import pytest

SERVICES = {
    "requires_postgres": ("PostgreSQL", "PRODREADY_TEST_POSTGRES", "127.0.0.1:5432"),
    "requires_redis": ("Redis", "PRODREADY_TEST_REDIS", "127.0.0.1:6379"),
    "requires_mysql": ("MySQL/MariaDB", "PRODREADY_TEST_MYSQL", "127.0.0.1:3306"),
}
#: The driver a marker's tests need besides the service: (module, distribution).
DRIVERS = {"requires_mysql": ("MySQLdb", "mysqlclient")}
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


def has_driver(marker: str) -> bool:
    """Whether the driver that ``marker``'s tests need is installed (test settings ask)."""
    import importlib.util

    module, _distribution = DRIVERS.get(marker, ("os", ""))
    return importlib.util.find_spec(module) is not None


def mysql_test_databases(test_name: str) -> dict[str, dict[str, Any]]:
    """``{"mysql": ...}`` for a test settings' DATABASES, or nothing without mysqlclient
    (Django loads every alias's backend when a test run closes the connections)."""
    if not has_driver("requires_mysql"):
        return {}
    host, port = service_address("requires_mysql")
    return {
        "mysql": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": host,
            "PORT": str(port),
            "USER": os.environ.get("PRODREADY_TEST_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("PRODREADY_TEST_MYSQL_PASSWORD", ""),
            "NAME": "test",
            "TEST": {"NAME": f"{test_name}_{os.getpid()}"},
        }
    }


def _service_problem(marker: str) -> str | None:
    if marker not in _reachable:
        service, variable, _default = SERVICES[marker]
        host, port = service_address(marker)
        if not has_driver(marker):
            _reachable[marker] = (
                f"{DRIVERS[marker][1]} is not installed (needs Debian's libmariadb-dev and "
                f"pkg-config to build), so the {service} tests cannot run"
            )
            return _reachable[marker]
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


def missing_tool(message: str) -> NoReturn:
    if os.environ.get("PRODREADY_TEST_SERVICES") == "required":
        pytest.fail(f"{message}. PRODREADY_TEST_SERVICES=required: a missing tool fails the run.")
    pytest.skip(message)
