"""Readiness rules for the metrics endpoint, for ``manage.py prodready check``.

Ids are stable and never reused:

- ``prodready_observability.R005`` (monitoring) a scraper can read /metrics, and only it
"""

from __future__ import annotations

from prodready.readiness.findings import Finding
from prodready_observability.conf import conf


def metrics_findings() -> list[Finding]:
    return [metrics_protected()]


def metrics_protected() -> Finding:
    passed = bool(conf.METRICS_TOKEN) or bool(conf.METRICS_ALLOWED_ADDRESSES)
    return Finding(
        "prodready_observability.R005",
        "monitoring",
        "The metrics endpoint is open to the scraper, and only to it",
        passed,
        fix="Set PRODREADY_METRICS_TOKEN from the environment (the scraper sends it as "
        "'Authorization: Bearer <token>'), or PRODREADY_METRICS_ALLOWED_ADDRESSES to the "
        "scraper's addresses; until then /metrics answers 404.",
        weight=2,
        detail=""
        if passed
        else "Neither PRODREADY_METRICS_TOKEN nor PRODREADY_METRICS_ALLOWED_ADDRESSES is set.",
    )
