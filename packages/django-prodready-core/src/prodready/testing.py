"""pytest plugin shipped with core: temporary plugins for your own tests.

    def test_my_check(prodready_plugin):
        class Plugin:
            @hookimpl
            def prodready_health_checks(self):
                return [MyCheck()]

        prodready_plugin(Plugin())
        ...

Every plugin registered through the fixture is unregistered when the test ends.
"""

from __future__ import annotations

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
    try:
        pm.check_pending()
        yield plugin
    finally:
        pm.unregister(plugin)


@pytest.fixture
def prodready_plugin() -> Iterator[Callable[..., Any]]:
    """Register plugins for one test: ``prodready_plugin(plugin, name=None)``."""
    from prodready.plugins import get_plugin_manager

    registered: list[object] = []

    def register(plugin: object, name: str | None = None) -> object:
        pm = get_plugin_manager()
        pm.register(plugin, name=name)
        registered.append(plugin)
        pm.check_pending()
        return plugin

    yield register
    pm = get_plugin_manager()
    for plugin in registered:
        if pm.is_registered(plugin):
            pm.unregister(plugin)
