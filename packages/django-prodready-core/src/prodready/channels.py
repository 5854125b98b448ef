"""Core's notification channels: email to ADMINS and a Slack-compatible webhook.

``deliver()`` is core's ``prodready_notify`` implementation. A failing channel
is logged with the channel's name and the reason, and never raised: whoever
sent the notification (a backup task, a health probe) must carry on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import mail_admins

import prodready
from prodready.conf import InvalidSetting, conf
from prodready.events import LEVELS, Notification

logger = logging.getLogger(__name__)

# Slack attachment colours per level.
COLOURS = {"info": "#439fe0", "warning": "#daa038", "error": "#d00000", "critical": "#7a0000"}
MAX_ERROR_BODY = 200


class ChannelError(Exception):
    """A channel could not deliver; the message says why, without secrets."""


def deliver(notification: Notification) -> None:
    """Send ``notification`` through every configured channel at or above the minimum level."""
    if not _at_or_above_min_level(notification.level):
        return
    for name in dict.fromkeys(_channel_names()):  # each channel once, in order
        channel = CHANNELS.get(name)
        if channel is None:
            logger.warning(
                "Notification %r not delivered through unknown channel %r; "
                "PRODREADY_NOTIFY_CHANNELS accepts %s.",
                notification.subject,
                name,
                ", ".join(CHANNELS),
            )
            continue
        try:
            channel(notification)
        except ChannelError as exc:
            logger.warning(
                "Notification %r not delivered through the %s channel: %s",
                notification.subject,
                name,
                exc,
            )
        except Exception:
            logger.exception(
                "Notification %r not delivered through the %s channel", notification.subject, name
            )


def send_email(notification: Notification) -> None:
    """Email ``ADMINS`` with Django's ``mail_admins`` (EMAIL_* settings or MAILERS)."""
    if not settings.ADMINS:
        # Not configured yet, rather than failing: `check --deploy` says so once
        # (prodready.W010), not a warning on stderr at every notification.
        logger.info("Notification %r not emailed: ADMINS is empty.", notification.subject)
        return
    # No connection or fail_silently arguments: Django 6.1 deprecates both.
    mail_admins(_subject(notification), _plain_text(notification))


def send_webhook(notification: Notification) -> None:
    """POST the notification as Slack-compatible JSON to PRODREADY_NOTIFY_WEBHOOK_URL."""
    # Imported here: urllib.request loads http.client, email and ssl (1.4-2.1 MiB of a
    # process's memory), which a site without a webhook never needs: backup restores
    # notify, and their peak memory is measured (benchmarks/backup_create_vs_pg_dump.py).
    import urllib.error
    import urllib.request

    url = conf.NOTIFY_WEBHOOK_URL
    if not url:
        raise ChannelError("PRODREADY_NOTIFY_WEBHOOK_URL is not set")
    parts = urlsplit(url)
    # The URL often embeds a token (Slack's do): name only its host in messages.
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError("PRODREADY_NOTIFY_WEBHOOK_URL is not an http(s) URL")
    host = parts.hostname
    timeout = conf.NOTIFY_WEBHOOK_TIMEOUT
    request = urllib.request.Request(
        url,
        data=json.dumps(slack_payload(notification)).encode(),
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"django-prodready/{prodready.__version__}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        with exc:  # closes the response the error carries
            body = exc.read(MAX_ERROR_BODY).decode(errors="replace")
        raise ChannelError(f"{host} answered HTTP {exc.code}: {body!r}") from exc
    except TimeoutError as exc:
        raise ChannelError(f"{host} did not answer within {timeout:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ChannelError(f"{host} did not answer within {timeout:g} s") from exc
        raise ChannelError(f"cannot reach {host}: {exc.reason}") from exc
    except OSError as exc:
        raise ChannelError(f"connection to {host} failed: {exc}") from exc


def slack_payload(notification: Notification) -> dict[str, Any]:
    """Slack's incoming-webhook JSON; ``text`` alone is enough for compatible services."""
    fields = [
        {"title": key, "value": str(value), "short": len(str(value)) < 40}
        for key, value in notification.data.items()
    ]
    return {
        "text": f"{_subject(notification)}\n{notification.message}",
        "attachments": [
            {
                "fallback": _subject(notification),
                "color": COLOURS.get(notification.level, COLOURS["critical"]),
                "title": notification.subject,
                "text": notification.message,
                "fields": fields,
                "footer": f"{notification.source} · level {notification.level}",
            }
        ],
    }


def _subject(notification: Notification) -> str:
    return f"[{notification.level.upper()}] {notification.subject}"


def _plain_text(notification: Notification) -> str:
    lines = [notification.message, ""]
    lines += [f"{key}: {value}" for key, value in notification.data.items()]
    lines += ["", f"Level: {notification.level}", f"Source: {notification.source}"]
    return "\n".join(lines)


# Losing an alert is worse than one too many: a mistyped setting is logged and what can
# be used of it is (prodready.E002 reports it too).


def _channel_names() -> list[str]:
    try:
        return list(conf.NOTIFY_CHANNELS)
    except InvalidSetting as exc:
        logger.error("%s", exc)
        names = exc.value if isinstance(exc.value, (list, tuple)) else ["email"]
        return [name for name in names if isinstance(name, str)]


def _at_or_above_min_level(level: str) -> bool:
    try:
        minimum = conf.NOTIFY_MIN_LEVEL
    except InvalidSetting as exc:
        logger.error("%s", exc)
        return True
    if level not in LEVELS:
        return True
    return LEVELS.index(level) >= LEVELS.index(minimum)


CHANNELS: dict[str, Callable[[Notification], None]] = {
    "email": send_email,
    "webhook": send_webhook,
}
