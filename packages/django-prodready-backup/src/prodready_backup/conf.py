"""Settings of django-prodready-backup: one typed property per setting, read lazily.

Each docstring is the setting's description in docs/settings.md (generated from them);
values are validated in ``checks.py``.
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
        """Storage that receives backups (for example an S3 storage of django-storages); ``None``
        means a ``FileSystemStorage`` at ``PRODREADY_BACKUP_DIRECTORY``.

        :type: alias in ``STORAGES`` or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_STORAGE", None)

    @property
    def BACKUP_DIRECTORY(self) -> str:
        """Where backups are written when ``PRODREADY_BACKUP_STORAGE`` is ``None``.

        :type: path
        :default: ``BASE_DIR / "backups"``
        """
        base = getattr(settings, "BASE_DIR", None)
        default = str(Path(base) / "backups") if base else "backups"
        return self._get("BACKUP_DIRECTORY", default)

    @property
    def BACKUP_ENCRYPTION_KEYS(self) -> list[str]:
        """AES-256 keys (32 random bytes each, base64), newest first: the first encrypts new
        backups, every listed key decrypts. Empty means unencrypted backups: an error
        (``prodready_backup.E009``) when ``DEBUG`` is off, unless
        ``PRODREADY_BACKUP_ALLOW_PLAINTEXT`` is set; a deploy warning and a readiness finding
        otherwise.

        :type: list of base64 keys
        :default: ``[]``
        """
        return self._get("BACKUP_ENCRYPTION_KEYS", [])

    @property
    def BACKUP_ALLOW_PLAINTEXT(self) -> bool:
        """Accept unencrypted backups with ``DEBUG`` off (no keys). A site with keys still refuses
        to restore an unencrypted backup unless told so (``backup restore --allow-plaintext``).

        :type: boolean
        :default: ``False``
        """
        return self._get("BACKUP_ALLOW_PLAINTEXT", False)

    @property
    def BACKUP_COMPRESSION(self) -> Compression:
        """Compression of new backups; each backup records its own.

        :type: ``"zstd"``, ``"gzip"`` or ``"none"``
        :default: ``"zstd"``
        """
        return self._get("BACKUP_COMPRESSION", "zstd")

    @property
    def BACKUP_DATABASES(self) -> list[str] | None:
        """Databases to back up; ``None`` means every alias in ``DATABASES`` (PostgreSQL,
        MySQL/MariaDB and SQLite).

        :type: list of database aliases or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_DATABASES", None)

    @property
    def BACKUP_MEDIA(self) -> bool | None:
        """Whether the media files are a backup target (``media``). ``None``: yes, unless the media
        storage is a ``FileSystemStorage`` without a location (``MEDIA_ROOT`` empty, as after
        ``startproject``). A media root that is or holds the project, the settings module, a
        database file or the backups is an error (``prodready_backup.E008``), and the target
        refuses it at run time too; ``True`` with an empty ``MEDIA_ROOT`` is
        ``prodready_backup.E007``.

        :type: boolean or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_MEDIA", None)

    @property
    def BACKUP_MEDIA_STORAGE(self) -> str:
        """Storage whose files the ``media`` target backs up.

        :type: alias in ``STORAGES``
        :default: ``"default"``
        """
        return self._get("BACKUP_MEDIA_STORAGE", "default")

    @property
    def BACKUP_SCHEDULE(self) -> str:
        """When every target is backed up (Celery beat); ``""`` schedules nothing.

        :type: cron expression
        :default: ``"0 3 * * *"``
        """
        return self._get("BACKUP_SCHEDULE", "0 3 * * *")

    @property
    def BACKUP_VERIFY_SCHEDULE(self) -> str:
        """When the newest backup of every target is restore-tested; ``""`` schedules nothing.

        :type: cron expression
        :default: ``"0 5 * * 0"``
        """
        return self._get("BACKUP_VERIFY_SCHEDULE", "0 5 * * 0")

    @property
    def BACKUP_PRUNE_SCHEDULE(self) -> str:
        """When old backups are pruned by the retention settings; ``""`` schedules nothing.

        :type: cron expression
        :default: ``"30 4 * * *"``
        """
        return self._get("BACKUP_PRUNE_SCHEDULE", "30 4 * * *")

    @property
    def BACKUP_VERIFY_AFTER_CREATE(self) -> bool:
        """Read every new backup back and check its checksum and authentication tags before calling
        it good.

        :type: boolean
        :default: ``True``
        """
        return self._get("BACKUP_VERIFY_AFTER_CREATE", True)

    @property
    def BACKUP_KEEP_LAST(self) -> int:
        """Newest backups of each target always kept.

        :type: integer
        :default: ``3``
        """
        return self._get("BACKUP_KEEP_LAST", 3)

    @property
    def BACKUP_KEEP_DAILY(self) -> int:
        """Days for which the newest backup of the day is kept.

        :type: integer
        :default: ``7``
        """
        return self._get("BACKUP_KEEP_DAILY", 7)

    @property
    def BACKUP_KEEP_WEEKLY(self) -> int:
        """ISO weeks for which the newest backup of the week is kept.

        :type: integer
        :default: ``4``
        """
        return self._get("BACKUP_KEEP_WEEKLY", 4)

    @property
    def BACKUP_KEEP_MONTHLY(self) -> int:
        """Months for which the newest backup of the month is kept.

        :type: integer
        :default: ``6``
        """
        return self._get("BACKUP_KEEP_MONTHLY", 6)

    @property
    def BACKUP_MAX_AGE_DAYS(self) -> int | None:
        """Backups older than this are pruned even when a daily/weekly/monthly generation would
        keep them (never the newest verified one, nor the last ``KEEP_LAST``).

        :type: integer or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_MAX_AGE_DAYS", None)

    @property
    def BACKUP_LEFTOVER_GRACE_SECONDS(self) -> int:
        """Age after which ``backup prune`` deletes what a crashed run left in the backup storage
        (a ``.partial`` file, an object without its manifest); ``backup list --orphans`` shows
        them.

        :type: integer
        :default: ``3600``
        """
        return self._get("BACKUP_LEFTOVER_GRACE_SECONDS", 3600)

    @property
    def BACKUP_HEALTH_MAX_AGE_HOURS(self) -> float:
        """The ``backup:<target>`` health check fails when the newest verified backup is older.

        :type: number
        :default: ``30.0``
        """
        return self._get("BACKUP_HEALTH_MAX_AGE_HOURS", 30.0)

    @property
    def BACKUP_HEALTH_CRITICAL(self) -> bool:
        """Whether a stale backup makes the site not ready, instead of degraded.

        :type: boolean
        :default: ``False``
        """
        return self._get("BACKUP_HEALTH_CRITICAL", False)

    @property
    def BACKUP_LOCK_CACHE(self) -> str:
        """Cache holding the per-target lock when the default database is not PostgreSQL (use a
        shared cache with several hosts).

        :type: cache alias
        :default: ``"default"``
        """
        return self._get("BACKUP_LOCK_CACHE", "default")

    @property
    def BACKUP_LOCK_TIMEOUT(self) -> int:
        """Seconds after which the claim of a request from the site whose worker died expires.

        :type: integer
        :default: ``21600``
        """
        return self._get("BACKUP_LOCK_TIMEOUT", 6 * 3600)

    @property
    def BACKUP_LOCK_HEARTBEAT_SECONDS(self) -> float:
        """Seconds between two beats of the owner of a cache lock (default database not
        PostgreSQL); a lock that misses three beats (its process crashed or was killed) expires,
        and the next run marks the dead run failed and notifies.

        :type: number
        :default: ``30.0``
        """
        return self._get("BACKUP_LOCK_HEARTBEAT_SECONDS", 30.0)

    @property
    def BACKUP_REQUEST_COOLDOWN(self) -> int:
        """Seconds before the same user may start another backup (or verification) from the site;
        ``0`` for no wait. Whatever it is, a target with a requested backup still queued or running
        refuses another request.

        :type: integer
        :default: ``300``
        """
        return self._get("BACKUP_REQUEST_COOLDOWN", 300)

    @property
    def BACKUP_PG_DUMP(self) -> str:
        """The ``pg_dump`` executable (match the server's major version).

        :type: path
        :default: ``"pg_dump"``
        """
        return self._get("BACKUP_PG_DUMP", "pg_dump")

    @property
    def BACKUP_PG_RESTORE(self) -> str:
        """The ``pg_restore`` executable.

        :type: path
        :default: ``"pg_restore"``
        """
        return self._get("BACKUP_PG_RESTORE", "pg_restore")

    @property
    def BACKUP_MYSQLDUMP(self) -> str | None:
        """The dump tool of MySQL and MariaDB databases (``mysqldump`` or ``mariadb-dump``, of the
        server's version); ``None``: ``mariadb-dump`` if it is on ``PATH``, else ``mysqldump``.

        :type: path or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_MYSQLDUMP", None)

    @property
    def BACKUP_MYSQL(self) -> str | None:
        """The client that loads MySQL and MariaDB dumps (``mysql`` or ``mariadb``); ``None``:
        ``mariadb`` if it is on ``PATH``, else ``mysql``.

        :type: path or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_MYSQL", None)

    @property
    def BACKUP_VERIFY_DATABASE(self) -> str | None:
        """The alias of ``DATABASES`` on whose server PostgreSQL restore tests create their scratch
        database; ``None``: each target's own server. Its role needs ``CREATEDB``
        (``prodready_backup.E012``, a database check). MySQL and MariaDB restore tests and
        restores always use the target's own server (a restore moves tables from the scratch
        database into the live one), whose user needs ``CREATE`` and ``DROP`` there.

        :type: alias or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_VERIFY_DATABASE", None)

    @property
    def BACKUP_VERIFY_PREFIX(self) -> str:
        """Name prefix of the restore test's scratch databases (lowercase letters, digits and
        ``_``; 12 random characters follow).

        :type: string
        :default: ``"prodready_verify_"``
        """
        return self._get("BACKUP_VERIFY_PREFIX", "prodready_verify_")

    @property
    def BACKUP_OBJECT_LOCK_DAYS(self) -> int | None:
        """Days of S3 Object Lock retention given to each backup object and manifest once written
        (the bucket must have Object Lock enabled); ``backup prune`` keeps what is still retained.
        ``None``: off.

        :type: integer or ``None``
        :default: ``None``
        """
        return self._get("BACKUP_OBJECT_LOCK_DAYS", None)

    @property
    def BACKUP_OBJECT_LOCK_MODE(self) -> Literal["GOVERNANCE", "COMPLIANCE"]:
        """The retention's mode: governance can be lifted by a user with
        ``s3:BypassGovernanceRetention``, compliance by no one until the date.

        :type: ``"GOVERNANCE"`` or ``"COMPLIANCE"``
        :default: ``"GOVERNANCE"``
        """
        return self._get("BACKUP_OBJECT_LOCK_MODE", "GOVERNANCE")

    @property
    def BACKUP_PSQL(self) -> str:
        """The ``psql`` executable: a restore runs ``pg_restore``'s SQL through it, in one
        transaction that first drops what the backup does not hold.

        :type: path
        :default: ``"psql"``
        """
        return self._get("BACKUP_PSQL", "psql")

    @property
    def BACKUP_BEFORE_MIGRATE(self) -> bool:
        """Back up a database before ``migrate`` changes it, as ``migrate --backup-first`` does; a
        failed backup stops the migration.

        :type: boolean
        :default: ``False``
        """
        return self._get("BACKUP_BEFORE_MIGRATE", False)

    @property
    def BACKUP_NOTIFY_SUCCESS(self) -> bool:
        """Also notify when a backup succeeds; failures are always notified.

        :type: boolean
        :default: ``False``
        """
        return self._get("BACKUP_NOTIFY_SUCCESS", False)


conf = Settings()
