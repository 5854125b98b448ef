"""Who may read /metrics: a bearer token, or an address in the allowlist.

With neither set the endpoint does not exist (404), so a site never exposes its
metrics by accident; with one set, anyone else is refused (403). The address is
core's ``client_ip``, so an X-Forwarded-For header is believed only from a
trusted proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING, Literal

from prodready.client_ip import client_ip, split_networks
from prodready.conf import derived_from
from prodready_observability.conf import conf

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Decision = Literal["allowed", "forbidden", "not found"]


def decide(request: HttpRequest) -> Decision:
    token = conf.METRICS_TOKEN
    allowed = conf.METRICS_ALLOWED_ADDRESSES
    if not token and not allowed:
        return "not found"
    if token and _bearer_matches(request, token):
        return "allowed"
    if allowed and _address_allowed(client_ip(request)):
        return "allowed"
    return "forbidden"


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _, given = str(request.META.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _address_allowed(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in allowed_networks())


@derived_from("PRODREADY_METRICS_ALLOWED_ADDRESSES")
def allowed_networks() -> tuple[Network, ...]:
    """The allowlist's networks; entries that are not addresses (``prodready_observability.E010``)
    are left out, so a typo never widens access."""
    return split_networks(conf.METRICS_ALLOWED_ADDRESSES)[0]
