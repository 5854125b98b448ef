"""The health checks' latest results as gauges, read from core's health runner.

The runner caches its report for ``PRODREADY_HEALTH_CACHE_SECONDS`` and lets
concurrent callers share one run, so a scrape costs at most one run of the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

STATUSES = ("ok", "degraded", "failed")


class HealthCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        from prodready.health.runner import get_report

        try:
            report = get_report()
        except Exception:
            logger.exception("The health report could not be made for the metrics")
            return
        up = GaugeMetricFamily(
            "prodready_health_check_up",
            "1 when the health check passed at its last run, else 0.",
            labels=["check", "critical"],
        )
        latency = GaugeMetricFamily(
            "prodready_health_check_latency_seconds",
            "How long the health check took at its last run.",
            labels=["check"],
        )
        for result in report.results:
            up.add_metric([result.name, str(result.critical).lower()], 1.0 if result.ok else 0.0)
            latency.add_metric([result.name], result.latency_ms / 1000)
        status = GaugeMetricFamily(
            "prodready_health_status",
            "1 for the overall health status (ok, degraded or failed), 0 for the others.",
            labels=["status"],
        )
        for name in STATUSES:
            status.add_metric([name], 1.0 if report.status == name else 0.0)
        yield from (up, latency, status)
