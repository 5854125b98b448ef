"""django-prodready-security's hook implementations, registered through its entry point."""

from prodready.conf import AppSettings
from prodready.plugins import hookimpl
from prodready_security.conf import conf


@hookimpl
def prodready_settings() -> AppSettings:
    return conf
