"""Settings of django-prodready-security: one typed property per setting, read lazily.

The package will own ``PRODREADY_RATELIMIT_*``, ``PRODREADY_OTP_*`` and
``PRODREADY_AUDIT_*``. Each setting becomes a property here, like those of
``prodready.conf.Settings``, and an entry in docs/settings.md.
"""

from prodready.conf import AppSettings


class Settings(AppSettings):
    pass


conf = Settings()
