"""Settings of django-prodready-backup: one typed property per setting, read lazily.

The package will own ``PRODREADY_BACKUP_*``. Each setting becomes a property here,
like those of ``prodready.conf.Settings``, and an entry in docs/settings.md.
"""

from prodready.conf import AppSettings


class Settings(AppSettings):
    pass


conf = Settings()
