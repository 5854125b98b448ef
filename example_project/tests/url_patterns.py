"""Every URL pattern of the site, walked from the root URLconf, for the generated tests.

The permission matrix and the public-endpoint tests take their list of views from here,
so a view added anywhere (the school, a package's URLconf, a model registered in the
admin) is a pattern those tests must be told about, or they fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The actions Django's admin generates for every registered model, by URL name suffix;
# its unnamed "<object_id>/" pattern (a redirect to the change page) is "redirect".
ADMIN_ACTIONS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route for the few patterns without a name
    route: str  # the whole route, regex anchors removed
    callback: Any
    named: bool

    @property
    def admin_model(self) -> tuple[str, str] | None:
        """(model label, action) when the admin generated this pattern for a model."""
        model_admin = getattr(self.callback, "model_admin", None)
        if model_admin is None:
            return None
        opts = model_admin.model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}_"
        action = self.key.removeprefix(prefix) if self.named else "redirect"
        if action not in (*ADMIN_ACTIONS, "redirect"):
            return None  # a ModelAdmin's own extra URL: listed like any other view
        return opts.label_lower, action

    def url(self, **kwargs: Any) -> str:
        if self.named:
            return reverse(self.key, kwargs=kwargs)
        return "/" + _fill(self.route, kwargs)


def every_pattern() -> list[Pattern]:
    return list(_walk(get_resolver(), "", ""))


def registered_admin_models() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Any:
    for entry in resolver.url_patterns:
        route = prefix + _plain(str(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Pattern(name or route, route, entry.callback, named=bool(entry.name))


def _plain(route: str) -> str:
    return route.removeprefix("^").removesuffix("$")


def _fill(route: str, kwargs: dict[str, Any]) -> str:
    """The route with its <converter:name> and (?P<name>...) parts replaced by kwargs."""
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
