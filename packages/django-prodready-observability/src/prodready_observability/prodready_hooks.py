"""django-prodready-observability's hook implementations, registered through its entry point."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prodready.plugins import hookimpl
from prodready_observability.conf import conf

if TYPE_CHECKING:
    from prodready.conf import AppSettings
    from prodready.readiness.findings import Finding


@hookimpl
def prodready_settings() -> AppSettings:
    return conf


@hookimpl
def prodready_readiness_findings() -> Iterable[Finding]:
    from prodready_observability.sentry.findings import sentry_findings

    return sentry_findings()
