"""What a rule counts by: the client address, the user, a header or your own function.

A key function takes ``(group, request)`` like django-ratelimit's callable keys, so
one written for a ``@ratelimit`` decorator works in a rule too, and returns the
string to count under, or None when the rule does not apply to the request (an
anonymous request under a ``user`` key).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.utils.module_loading import import_string

from prodready.client_ip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

KeyFunction = Callable[[str, "HttpRequest"], "str | None"]
KEY_EXAMPLES = "'ip', 'user', 'user_or_ip', 'header:<name>' or the dotted path of a function"
# One IPv6 client usually holds a whole /64: counting single addresses would let it
# pick a fresh one per request. django-ratelimit masks the same way by default.
IPV6_PREFIX = 64


class UnknownKey(ValueError):
    """A key specification that names no key."""


def by_ip(group: str, request: HttpRequest) -> str:
    """The client address from core's trusted-proxy resolver; IPv6 by its /64."""
    address = client_ip(request)
    if ":" not in address:  # IPv4 (or garbage): as it is, without parsing it again
        return f"ip:{address}"
    try:
        network = ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False)
    except ValueError:
        return f"ip:{address}"
    return f"ip:{network.network_address}"


def by_user(group: str, request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return f"user:{user.pk}"


def by_user_or_ip(group: str, request: HttpRequest) -> str:
    return by_user(group, request) or by_ip(group, request)


def by_header(name: str) -> KeyFunction:
    meta_name = "HTTP_" + name.upper().replace("-", "_")

    def header_value(group: str, request: HttpRequest) -> str:
        # A missing header is a value too: requests without it share one counter.
        return f"header:{request.META.get(meta_name, '')}"

    return header_value


BUILT_IN: dict[str, KeyFunction] = {"ip": by_ip, "user": by_user, "user_or_ip": by_user_or_ip}


def key_function(spec: object) -> KeyFunction:
    """The key function a rule's ``key`` names; :class:`UnknownKey` if it names none."""
    if not isinstance(spec, str):
        raise UnknownKey(f"expected {KEY_EXAMPLES}; found {spec!r}")
    if spec in BUILT_IN:
        return BUILT_IN[spec]
    if spec.startswith("header:") and spec.removeprefix("header:"):
        return by_header(spec.removeprefix("header:"))
    if "." in spec:
        try:
            function = import_string(spec)
        except ImportError as exc:
            raise UnknownKey(f"cannot import {spec!r}: {exc}") from exc
        if not callable(function):
            raise UnknownKey(f"{spec!r} is not callable")
        return cast("KeyFunction", function)
    raise UnknownKey(f"expected {KEY_EXAMPLES}; found {spec!r}")
