"""django-prodready core: plugins, settings, health checks and the readiness report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from prodready.events import Level

__version__ = "0.1.0.dev0"
__all__ = ["__version__", "audit", "notify"]


def audit(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    request: HttpRequest | None = None,
    **data: Any,
) -> None:
    """Record that something happened, through every plugin's ``prodready_audit``.

    ``prodready.audit("backup.restored", actor=user, target=record)``. Never raises
    because of a plugin: failures are logged.
    """
    from prodready import hooks
    from prodready.events import AuditEvent

    hooks.audit(
        AuditEvent(
            action=action,
            actor=actor,
            target=target,
            changes=changes or {},
            data=data,
            request=request,
        )
    )


def notify(
    subject: str, message: str, *, level: Level = "warning", source: str = "prodready", **data: Any
) -> None:
    """Tell the people who run the site, through every plugin's ``prodready_notify``.

    Core delivers by email to ``ADMINS`` and/or a webhook (``PRODREADY_NOTIFY_CHANNELS``).
    Never raises because of a channel: failures are logged.
    """
    from prodready import hooks
    from prodready.events import Notification

    hooks.notify(
        Notification(subject=subject, message=message, level=level, source=source, data=data)
    )
