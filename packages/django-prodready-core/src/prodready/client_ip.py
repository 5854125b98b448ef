"""The client's address, believing X-Forwarded-For only from trusted proxies.

Every package that keys or logs by address uses this one resolver, so a spoofed
header from an untrusted peer cannot change a rate-limit key or a log line.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from prodready.conf import conf, derived_from

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that sent ``request``.

    The peer (``REMOTE_ADDR``) is the client unless it is a trusted proxy. Then
    ``X-Forwarded-For`` is read from the right, skipping trusted proxies: the
    first untrusted address is the client. Entries left of it are whatever the
    client claimed and are ignored.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    proxies = _trusted()
    if not proxies or not _is_trusted(peer, proxies):  # no proxies: nothing to parse
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    client = peer
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if _parse(hop) is None:
            break  # garbage from the client side: stop at the last good hop
        client = hop
        if not _is_trusted(hop, proxies):
            break
    return client


def split_networks(entries: Iterable[object]) -> tuple[tuple[Network, ...], tuple[object, ...]]:
    """The networks that allowlist-like setting entries name (``"10.0.0.0/8"``,
    ``"192.0.2.10"``), and the entries that name none, for a system check to report."""
    networks: list[Network] = []
    rejected: list[object] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            rejected.append(entry)
    return tuple(networks), tuple(rejected)


def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse ``PRODREADY_TRUSTED_PROXIES``; a bad entry raises ValueError naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"PRODREADY_TRUSTED_PROXIES entry {entry!r} is not an IP address or "
                "network (for example '10.0.0.0/8' or '127.0.0.1')."
            ) from exc
    return tuple(networks)


# Reading an unset setting on every request costs more than the rest of resolving
# an address without proxies.
@derived_from("PRODREADY_TRUSTED_PROXIES")
def _trusted() -> tuple[Network, ...]:
    return trusted_networks(tuple(conf.TRUSTED_PROXIES))


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in proxies)
