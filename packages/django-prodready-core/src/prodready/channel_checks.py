"""System checks for core's notification channels.

Ids are stable and never reused:

- ``prodready.E010`` the webhook channel is chosen but PRODREADY_NOTIFY_WEBHOOK_URL
  is missing or not an http(s) URL
- ``prodready.E011`` PRODREADY_NOTIFY_WEBHOOK_TIMEOUT is not a positive number
- ``prodready.E014`` the email channel is chosen but ADMINS is not in the form the running
  Django's ``mail_admins`` accepts, so every notification email would fail
- ``prodready.W010`` no channel has a recipient, so notifications reach nobody (deploy
  only: a new project has no ADMINS yet; the readiness report scores it as
  ``prodready.R005``)

Wrong types and unknown values of PRODREADY_NOTIFY_CHANNELS and
PRODREADY_NOTIFY_MIN_LEVEL are ``prodready.E002`` (see ``prodready.checks``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import django
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from prodready.checks import reads_settings
from prodready.conf import conf


@reads_settings
def check_notify_webhook(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    channels = conf.NOTIFY_CHANNELS
    if not isinstance(channels, (list, tuple)) or "webhook" not in channels:
        return []
    url = conf.NOTIFY_WEBHOOK_URL
    if not url:
        return [
            Error(
                "PRODREADY_NOTIFY_CHANNELS includes 'webhook' but PRODREADY_NOTIFY_WEBHOOK_URL "
                "is not set.",
                hint="Set PRODREADY_NOTIFY_WEBHOOK_URL (from the environment) to the webhook's "
                "https:// URL, or remove 'webhook' from PRODREADY_NOTIFY_CHANNELS.",
                id="prodready.E010",
            )
        ]
    problem = _url_problem(url)
    if problem:
        return [
            Error(
                f"PRODREADY_NOTIFY_WEBHOOK_URL must be an http:// or https:// URL with a host; "
                f"{problem}.",
                hint="Set PRODREADY_NOTIFY_WEBHOOK_URL to the full URL the webhook service "
                "gave you, such as https://hooks.example.com/services/...",
                id="prodready.E010",
            )
        ]
    return []


@reads_settings
def check_notify_timeout(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    timeout = conf.NOTIFY_WEBHOOK_TIMEOUT
    # A wrong type is prodready.E002's to report; only judge numbers here.
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout > 0:
        return []
    return [
        Error(
            f"PRODREADY_NOTIFY_WEBHOOK_TIMEOUT must be a positive number of seconds; "
            f"found {timeout!r}.",
            hint="Set PRODREADY_NOTIFY_WEBHOOK_TIMEOUT to a few seconds, such as 5.",
            id="prodready.E011",
        )
    ]


def _url_problem(url: object) -> str | None:
    # Webhook URLs embed their secret: describe the value, never print it.
    if not isinstance(url, str):
        return f"found {type(url).__name__}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"found scheme {parts.scheme!r}" if parts.scheme else "found no scheme"
    if not parts.hostname:
        return "found no host"
    return None


@reads_settings
def check_notify_recipients(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    channels = conf.NOTIFY_CHANNELS
    if not isinstance(channels, (list, tuple)) or not channels:
        return []  # a wrong type is prodready.E002; no channel at all is a choice
    if ("email" in channels and settings.ADMINS) or "webhook" in channels:
        return []  # a webhook without its URL is prodready.E010
    return [
        Warning(
            f"PRODREADY_NOTIFY_CHANNELS is {list(channels)!r} but ADMINS is empty, so "
            "notifications (a failed backup, say) reach nobody.",
            hint="Set ADMINS to the email addresses of the people who run the site, or add "
            "'webhook' to PRODREADY_NOTIFY_CHANNELS and set PRODREADY_NOTIFY_WEBHOOK_URL.",
            id="prodready.W010",
        )
    ]


@reads_settings
def check_admins_form(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    channels = conf.NOTIFY_CHANNELS
    if not isinstance(channels, (list, tuple)) or "email" not in channels:
        return []
    # Django 6.0 takes plain addresses (pairs still work, deprecated); 5.2 takes pairs only.
    plain_ok = django.VERSION >= (6, 0)
    admins = settings.ADMINS
    wrong = [
        entry
        for entry in (admins if isinstance(admins, (list, tuple)) else [admins])
        if not (plain_ok and isinstance(entry, str)) and not _is_pair(entry)
    ]
    if not wrong:
        return []
    wanted = "email address strings" if plain_ok else "(name, email address) pairs"
    example = "'ops@example.com'" if plain_ok else "('Ops', 'ops@example.com')"
    return [
        Error(
            f"ADMINS must be a list of {wanted} on Django {django.get_version()}; found "
            f"{wrong[0]!r}. Every notification email would fail.",
            hint=f"Write ADMINS as a list such as [{example}].",
            id="prodready.E014",
        )
    ]


def _is_pair(entry: object) -> bool:
    return (
        isinstance(entry, (list, tuple))
        and len(entry) == 2
        and all(isinstance(part, str) for part in entry)
    )
