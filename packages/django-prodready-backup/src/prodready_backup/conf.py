"""Settings of django-prodready-backup: one typed property per setting, read lazily.

Every property is listed in docs/settings.md; values are validated in ``checks.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from django.conf import settings

from prodready import AppSettings

Compression = Literal["zstd", "gzip", "none"]


class Settings(AppSettings):
    @property
    def BACKUP_STORAGE(self) -> str | None:
        """Alias in STORAGES for backups; None: a FileSystemStorage at BACKUP_DIRECTORY."""
        return self._get("BACKUP_STORAGE", None)

    @property
    def BACKUP_DIRECTORY(self) -> str:
        """Where backups go when BACKUP_STORAGE is None (default: BASE_DIR/backups)."""
        base = getattr(settings, "BASE_DIR", None)
        default = str(Path(base) / "backups") if base else "backups"
        return self._get("BACKUP_DIRECTORY", default)

    @property
    def BACKUP_ENCRYPTION_KEYS(self) -> list[str]:
        """Base64-encoded 32-byte AES keys, newest first: the first encrypts, all decrypt."""
        return self._get("BACKUP_ENCRYPTION_KEYS", [])

    @property
    def BACKUP_ALLOW_PLAINTEXT(self) -> bool:
        """Allow unencrypted backups with DEBUG off (an error otherwise)."""
        return self._get("BACKUP_ALLOW_PLAINTEXT", False)

    @property
    def BACKUP_COMPRESSION(self) -> Compression:
        """Compression of new backups; existing ones say their own in the header."""
        return self._get("BACKUP_COMPRESSION", "zstd")

    @property
    def BACKUP_DATABASES(self) -> list[str] | None:
        """Database aliases to back up; None: every alias in DATABASES."""
        return self._get("BACKUP_DATABASES", None)

    @property
    def BACKUP_MEDIA(self) -> bool | None:
        """Whether the media storage is a backup target; None: when it has a root of its own.

        None (the default) backs up the media storage unless it is a FileSystemStorage
        without a location (MEDIA_ROOT empty, as after ``startproject``), which would
        archive the working directory.
        """
        return self._get("BACKUP_MEDIA", None)

    @property
    def BACKUP_MEDIA_STORAGE(self) -> str:
        """Alias in STORAGES of the media files to back up."""
        return self._get("BACKUP_MEDIA_STORAGE", "default")

    @property
    def BACKUP_SCHEDULE(self) -> str:
        """Cron expression of the backup of every target ("" to schedule none)."""
        return self._get("BACKUP_SCHEDULE", "0 3 * * *")

    @property
    def BACKUP_VERIFY_SCHEDULE(self) -> str:
        """Cron expression of the restore test of the newest backup of every target."""
        return self._get("BACKUP_VERIFY_SCHEDULE", "0 5 * * 0")

    @property
    def BACKUP_PRUNE_SCHEDULE(self) -> str:
        """Cron expression of pruning by the retention settings."""
        return self._get("BACKUP_PRUNE_SCHEDULE", "30 4 * * *")

    @property
    def BACKUP_VERIFY_AFTER_CREATE(self) -> bool:
        """Read every new backup back and check its checksum and authentication tags."""
        return self._get("BACKUP_VERIFY_AFTER_CREATE", True)

    @property
    def BACKUP_KEEP_LAST(self) -> int:
        """Newest backups of a target always kept."""
        return self._get("BACKUP_KEEP_LAST", 3)

    @property
    def BACKUP_KEEP_DAILY(self) -> int:
        """Days for which the newest backup of the day is kept."""
        return self._get("BACKUP_KEEP_DAILY", 7)

    @property
    def BACKUP_KEEP_WEEKLY(self) -> int:
        """Weeks for which the newest backup of the week is kept."""
        return self._get("BACKUP_KEEP_WEEKLY", 4)

    @property
    def BACKUP_KEEP_MONTHLY(self) -> int:
        """Months for which the newest backup of the month is kept."""
        return self._get("BACKUP_KEEP_MONTHLY", 6)

    @property
    def BACKUP_MAX_AGE_DAYS(self) -> int | None:
        """Backups older than this are pruned whatever the generations say; None: no limit."""
        return self._get("BACKUP_MAX_AGE_DAYS", None)

    @property
    def BACKUP_LEFTOVER_GRACE_SECONDS(self) -> int:
        """Age after which prune removes a crashed run's partial file or manifest-less object."""
        return self._get("BACKUP_LEFTOVER_GRACE_SECONDS", 3600)

    @property
    def BACKUP_HEALTH_MAX_AGE_HOURS(self) -> float:
        """The health check fails when a target's newest verified backup is older."""
        return self._get("BACKUP_HEALTH_MAX_AGE_HOURS", 30.0)

    @property
    def BACKUP_HEALTH_CRITICAL(self) -> bool:
        """Whether a stale backup makes the site not ready (instead of degraded)."""
        return self._get("BACKUP_HEALTH_CRITICAL", False)

    @property
    def BACKUP_LOCK_CACHE(self) -> str:
        """Cache alias for the per-target lock when the default database is not PostgreSQL."""
        return self._get("BACKUP_LOCK_CACHE", "default")

    @property
    def BACKUP_LOCK_TIMEOUT(self) -> int:
        """Seconds after which the claim of a request whose worker died expires."""
        return self._get("BACKUP_LOCK_TIMEOUT", 6 * 3600)

    @property
    def BACKUP_LOCK_HEARTBEAT_SECONDS(self) -> float:
        """Seconds between two beats of a cache lock's owner; three missed ones free it."""
        return self._get("BACKUP_LOCK_HEARTBEAT_SECONDS", 30.0)

    @property
    def BACKUP_REQUEST_COOLDOWN(self) -> int:
        """Seconds before a user may again start a backup (or verification) from the site."""
        return self._get("BACKUP_REQUEST_COOLDOWN", 300)

    @property
    def BACKUP_PG_DUMP(self) -> str:
        """The pg_dump executable."""
        return self._get("BACKUP_PG_DUMP", "pg_dump")

    @property
    def BACKUP_PG_RESTORE(self) -> str:
        """The pg_restore executable."""
        return self._get("BACKUP_PG_RESTORE", "pg_restore")

    @property
    def BACKUP_VERIFY_DATABASE(self) -> str | None:
        """Alias of DATABASES on whose server restore tests create their scratch database."""
        return self._get("BACKUP_VERIFY_DATABASE", None)

    @property
    def BACKUP_VERIFY_PREFIX(self) -> str:
        """Name prefix of the restore test's scratch databases."""
        return self._get("BACKUP_VERIFY_PREFIX", "prodready_verify_")

    @property
    def BACKUP_OBJECT_LOCK_DAYS(self) -> int | None:
        """Days of S3 Object Lock retention for each backup object and manifest; None: off."""
        return self._get("BACKUP_OBJECT_LOCK_DAYS", None)

    @property
    def BACKUP_OBJECT_LOCK_MODE(self) -> Literal["GOVERNANCE", "COMPLIANCE"]:
        """The Object Lock mode of the retention."""
        return self._get("BACKUP_OBJECT_LOCK_MODE", "GOVERNANCE")

    @property
    def BACKUP_PSQL(self) -> str:
        """The psql executable (a PostgreSQL restore runs pg_restore's SQL through it)."""
        return self._get("BACKUP_PSQL", "psql")

    @property
    def BACKUP_BEFORE_MIGRATE(self) -> bool:
        """Back up a database before ``migrate`` changes it (as with ``--backup-first``)."""
        return self._get("BACKUP_BEFORE_MIGRATE", False)

    @property
    def BACKUP_NOTIFY_SUCCESS(self) -> bool:
        """Also notify when a backup succeeds (failures are always notified)."""
        return self._get("BACKUP_NOTIFY_SUCCESS", False)


conf = Settings()
