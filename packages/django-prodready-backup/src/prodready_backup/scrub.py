"""Keep the encryption keys and backup storage credentials out of error reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from prodready_backup.conf import conf

FILTERED = "[Filtered]"
# Option names of django-storages backends (S3, GCS, Azure, SFTP) that hold credentials.
CREDENTIAL_OPTIONS = (
    "access_key",
    "secret_key",
    "security_token",
    "session_token",
    "account_key",
    "sas_token",
    "connection_string",
    "credentials",
    "password",
    "params",
)


def secrets() -> list[str]:
    found = [k for k in conf.BACKUP_ENCRYPTION_KEYS if isinstance(k, str) and k]
    alias = conf.BACKUP_STORAGE
    if alias:
        options = getattr(settings, "STORAGES", {}).get(alias, {}).get("OPTIONS", {})
        for name, value in options.items():
            if name in CREDENTIAL_OPTIONS and isinstance(value, str) and len(value) >= 8:
                found.append(value)
    return found


def scrub(event: Any, values: list[str]) -> Any:
    """``event`` with every occurrence of ``values`` replaced, walking dicts and lists."""
    if isinstance(event, dict):
        for key, item in event.items():
            event[key] = scrub(item, values)
        return event
    if isinstance(event, list):
        return [scrub(item, values) for item in event]
    if isinstance(event, str):
        for value in values:
            if value in event:
                event = event.replace(value, FILTERED)
        return event
    return event
