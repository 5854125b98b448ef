"""Audit events and notifications: what any package may send through core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone

if TYPE_CHECKING:
    from django.http import HttpRequest

Level = Literal["info", "warning", "error", "critical"]
LEVELS: tuple[Level, ...] = ("info", "warning", "error", "critical")


@dataclass(frozen=True)
class AuditEvent:
    """Something a person or the system did that must be on record.

    ``action`` is a dotted verb such as ``auth.login`` or ``backup.restored``.
    ``actor`` is a user instance or None for the system; ``target`` any object.
    """

    action: str
    actor: Any = None
    target: Any = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    request: HttpRequest | None = None
    occurred_at: datetime = field(default_factory=timezone.now)


@dataclass(frozen=True)
class Notification:
    """A message for the people who run the site."""

    subject: str
    message: str
    level: Level = "warning"
    source: str = "prodready"
    data: dict[str, Any] = field(default_factory=dict)
