"""Keep the encryption keys and backup storage credentials out of error reports."""

from __future__ import annotations

from django.conf import settings

from prodready_backup.conf import conf

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
