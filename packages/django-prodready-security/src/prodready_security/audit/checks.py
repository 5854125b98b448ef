"""System checks of the audit log's settings (ids ``prodready_security.E040`` to ``E059``).

- ``E040`` ``PRODREADY_AUDIT_DATABASE`` is not an alias in DATABASES
- ``E041`` ``PRODREADY_AUDIT_TRACKED_MODELS`` names a model that is not installed
- ``E042`` ``PRODREADY_AUDIT_TRACKED_MODELS`` names the audit log itself
- ``E043`` ``PRODREADY_AUDIT_SEAL_MAX_DELAY`` is not positive, or
  ``PRODREADY_AUDIT_SEAL_SCHEDULE`` is not a five-field cron expression
- ``E044`` an entry of ``PRODREADY_AUDIT_CHECKPOINT_KEYS`` or ``..._PUBLIC_KEYS`` is not a key
- ``E045`` ``PRODREADY_AUDIT_CHECKPOINT_STORAGE`` is not an alias in STORAGES, or has no key
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Warning
from django.db import connections

from prodready.checks import reads_settings
from prodready_security.conf import conf

_AUDIT_MODELS = {"prodready_security.auditevent", "prodready_security.auditchainhead"}


@reads_settings
def check_audit_database(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    alias: object = conf.AUDIT_DATABASE
    if not isinstance(alias, str) or alias in connections:
        return []  # a wrong type is prodready.E002
    return [
        Error(
            f"PRODREADY_AUDIT_DATABASE is {alias!r}, which is not an alias in DATABASES "
            f"({', '.join(sorted(connections.settings))}).",
            hint="Set PRODREADY_AUDIT_DATABASE to one of the DATABASES aliases, or remove it "
            "to use 'default'.",
            id="prodready_security.E040",
        )
    ]


@reads_settings
def check_tracked_models(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    labels: object = conf.AUDIT_TRACKED_MODELS  # what was set, not what was promised
    if not isinstance(labels, (list, tuple)):
        return []  # prodready.E002
    messages: list[CheckMessage] = []
    for label in labels:
        if not isinstance(label, str):
            continue  # prodready.E002
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            messages.append(
                Error(
                    f"PRODREADY_AUDIT_TRACKED_MODELS lists {label!r}, which is not an "
                    "installed model.",
                    hint='Name models as "app_label.ModelName" (for example "auth.User"), '
                    "with their app in INSTALLED_APPS.",
                    id="prodready_security.E041",
                )
            )
            continue
        if model._meta.label_lower in _AUDIT_MODELS:
            messages.append(
                Error(
                    f"PRODREADY_AUDIT_TRACKED_MODELS lists {label!r}, the audit log itself.",
                    hint="Remove it: every audit event would create another one.",
                    id="prodready_security.E042",
                )
            )
    return messages


@reads_settings
def check_sealing(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    delay: object = conf.AUDIT_SEAL_MAX_DELAY
    if isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay <= 0:
        messages.append(
            Error(
                f"PRODREADY_AUDIT_SEAL_MAX_DELAY is {delay!r}; expected seconds above 0.",
                hint="Set it to 300 (the default), or more than the seal task's interval.",
                id="prodready_security.E043",
            )
        )
    schedule: object = conf.AUDIT_SEAL_SCHEDULE
    if isinstance(schedule, str) and schedule and len(schedule.split()) != 5:
        messages.append(
            Error(
                f"PRODREADY_AUDIT_SEAL_SCHEDULE is {schedule!r}; expected a cron expression "
                "of five fields (minute hour day month weekday).",
                hint="Set it to '* * * * *' (every minute), or '' to schedule nothing.",
                id="prodready_security.E043",
            )
        )
    return messages


@reads_settings
def check_checkpoints(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from django.conf import settings

    from prodready_security.audit.checkpoints import InvalidKey, parse_key

    messages: list[CheckMessage] = []
    for name, private in (("KEYS", True), ("PUBLIC_KEYS", False)):
        values: object = getattr(conf, f"AUDIT_CHECKPOINT_{name}")
        for position, value in enumerate(values if isinstance(values, list) else []):
            try:
                parse_key(str(value), private=private)
            except InvalidKey as exc:
                messages.append(
                    Error(
                        f"PRODREADY_AUDIT_CHECKPOINT_{name}[{position}] is not a key: {exc}.",
                        hint="Make a key pair with `manage.py audit checkpoint-key ID`.",
                        id="prodready_security.E044",
                    )
                )
    alias: object = conf.AUDIT_CHECKPOINT_STORAGE
    if isinstance(alias, str) and alias not in settings.STORAGES:
        messages.append(
            Error(
                f"PRODREADY_AUDIT_CHECKPOINT_STORAGE is {alias!r}, which is not an alias in "
                f"STORAGES ({', '.join(sorted(settings.STORAGES))}).",
                hint="Add a storage the database's users cannot rewrite (S3 with Object "
                "Lock, another host) to STORAGES and name it here.",
                id="prodready_security.E045",
            )
        )
    elif isinstance(alias, str) and not conf.AUDIT_CHECKPOINT_KEYS:
        messages.append(
            Error(
                "PRODREADY_AUDIT_CHECKPOINT_STORAGE is set but PRODREADY_AUDIT_CHECKPOINT_KEYS "
                "is empty: no checkpoint can be signed.",
                hint="Make a key with `manage.py audit checkpoint-key ID` and put it in the "
                "environment.",
                id="prodready_security.E045",
            )
        )
    messages += _checkpoint_notify_problems()
    return messages


def _checkpoint_notify_problems() -> list[CheckMessage]:
    from prodready.conf import conf as core_conf

    minimum = core_conf.NOTIFY_MIN_LEVEL
    if conf.AUDIT_CHECKPOINT_NOTIFY is not True or minimum == "info":
        return []
    return [
        Warning(
            "PRODREADY_AUDIT_CHECKPOINT_NOTIFY is on, but checkpoints are sent at level 'info' "
            f"and PRODREADY_NOTIFY_MIN_LEVEL is {minimum!r}: none would be delivered.",
            hint="Set PRODREADY_NOTIFY_MIN_LEVEL = 'info', or turn "
            "PRODREADY_AUDIT_CHECKPOINT_NOTIFY off.",
            id="prodready_security.W046",
        )
    ]
