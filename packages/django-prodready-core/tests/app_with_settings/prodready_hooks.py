"""A plugin module listed in PRODREADY_PLUGINS, contributing one setting."""

from prodready.conf import AppSettings
from prodready.plugins import hookimpl


class Settings(AppSettings):
    @property
    def EXAMPLE_RETRIES(self) -> int:
        return self._get("EXAMPLE_RETRIES", 3)


@hookimpl
def prodready_settings():
    return Settings()
