"""An app whose prodready_hooks module contributes one setting."""

from prodready import AppSettings, hookimpl


class Settings(AppSettings):
    @property
    def EXAMPLE_RETRIES(self) -> int:
        return self._get("EXAMPLE_RETRIES", 3)


@hookimpl
def prodready_settings():
    return Settings()
