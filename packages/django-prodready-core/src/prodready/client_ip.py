"""The client's address, believing X-Forwarded-For only from trusted proxies.

Every package that keys or logs by address uses this one resolver, so a spoofed
header from an untrusted peer cannot change a rate-limit key or a log line.
"""

from __future__ import annotations

import functools
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

    Several layers ask for each request (the rate limiter, the log line, the audit
    context), so the answer is kept on the request for the headers it was read from.
    """
    meta = request.META
    peer = str(meta.get("REMOTE_ADDR", ""))
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR", ""))
    proxies = _trusted()
    asked = (peer, forwarded, proxies)
    kept = getattr(request, _KEPT, None)
    if kept is not None and kept[0] == asked:
        return kept[1]  # type: ignore[no-any-return]
    client = _resolve(peer, forwarded, proxies)
    setattr(request, _KEPT, (asked, client))
    return client


_KEPT = "_prodready_client_ip"


def _resolve(peer: str, forwarded: str, proxies: _Proxies) -> str:
    if not proxies.networks or not proxies.trust(peer):  # no proxies: nothing to parse
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        trusted = proxies.trust(hop)
        if trusted is None:
            break  # garbage from the client side: stop at the last good hop
        client = hop
        if not trusted:
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


class _Proxies:
    """The trusted networks, and which addresses are in them.

    The same few addresses (the proxies, the busiest clients) come back on every
    request; parsing one costs more than the rest of the lookup. The memo is keyed by
    the address alone (hashing the networks too cost as much as the lookup saved) and
    bounded, so a flood of forged X-Forwarded-For values only evicts entries.
    """

    def __init__(self, networks: tuple[Network, ...]) -> None:
        self.networks = networks
        self.trust = functools.lru_cache(maxsize=1024)(self._in_networks)

    def _in_networks(self, address: str) -> bool | None:
        """Whether ``address`` is in one of the networks; None when it is no address."""
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return None
        return any(parsed in network for network in self.networks)


# Reading an unset setting on every request costs more than the rest of resolving
# an address without proxies.
@derived_from("PRODREADY_TRUSTED_PROXIES")
def _trusted() -> _Proxies:
    return _Proxies(trusted_networks(tuple(conf.TRUSTED_PROXIES)))
