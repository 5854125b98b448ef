"""django-prodready-observability's hook implementations, registered through its entry point."""

from prodready.conf import AppSettings
from prodready.plugins import hookimpl
from prodready_observability.conf import conf


@hookimpl
def prodready_settings() -> AppSettings:
    return conf
