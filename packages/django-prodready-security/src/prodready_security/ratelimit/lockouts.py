"""Who cannot sign in now, and letting them: for ``manage.py lockout``, the staff page
and the dashboard card.

The store names a lockout's entries by digests, so a username is never a key in clear
and cannot be read back from one. So when a lockout (or a username's slowdown) starts,
it is also noted in one register (by ``lockout.note_started``), with what it is about and
the entries that make it;
listing reads the register and keeps what the store still holds. Unlocking deletes those
entries, the escalation level included, and is an audit event.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import prodready
from prodready_security.ratelimit.store import get_store

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready_security.ratelimit.types import Store

REGISTER = "prodready:login:register"


@dataclass(frozen=True)
class Lockout:
    """One lockout or slowdown in force."""

    scope: str  # "combination", "address" or "username" (slowed, never locked)
    username: str | None
    address: str | None  # as the limiter keys it: "ip:192.0.2.1", an IPv6 /64
    until: float  # when it ends (epoch seconds)
    level: int  # lockouts in a row (0 for a slowdown)
    entries: tuple[str, ...]  # the store's entries that make it, deleted by unlocking
    gate: str  # the entry whose presence refuses a login

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.until - time.time())

    def matches(self, username: str | None, address: str | None) -> bool:
        return (username is None or self.username == username.strip().casefold()) and (
            address is None or self.address in (address, f"ip:{address}")
        )


def in_force() -> list[Lockout]:
    """Every lockout and slowdown still in force, the longest first.

    Raises ``StoreUnavailable`` when the rate-limit cache cannot be reached."""
    store = get_store()
    found, ended = [], []
    for gate, value in store.notes(REGISTER).items():
        lockout = _parse(value)
        if lockout is None or lockout.seconds_left <= 0 or not _still_held(store, lockout):
            ended.append(gate)
        else:
            found.append(lockout)
    store.unnote(REGISTER, ended)
    return sorted(found, key=lambda lockout: -lockout.until)


def unlock(
    username: str | None,
    address: str | None,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> list[Lockout]:
    """End the lockouts and slowdowns of ``username`` and/or ``address``; those ended."""
    if username is None and address is None:
        raise ValueError("Name a username, an address or both.")
    store = get_store()
    ended = [lockout for lockout in in_force() if lockout.matches(username, address)]
    for lockout in ended:
        store.clear(lockout.entries)
        prodready.audit(
            "auth.unlocked",
            actor=actor,
            request=request,
            scope=lockout.scope,
            username=lockout.username,
            address=lockout.address,
        )
    store.unnote(REGISTER, [lockout.gate for lockout in ended])
    return ended


def _still_held(store: Store, lockout: Lockout) -> bool:
    # A slowdown holds while its failures are counted; a lockout while its lock exists.
    if lockout.scope == "username":
        return True
    return store.locked_for([lockout.gate]) > 0


def _parse(value: str) -> Lockout | None:
    try:
        fields = json.loads(value)
        fields["entries"] = tuple(fields["entries"])
        return Lockout(**fields)
    except (ValueError, TypeError, KeyError):
        return None  # written by another version: forgotten, it ends on its own
