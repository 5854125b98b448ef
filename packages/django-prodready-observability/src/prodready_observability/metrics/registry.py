"""The registry a scrape reads, made afresh for each scrape.

- One process (no ``PROMETHEUS_MULTIPROC_DIR``): this process's metrics, its
  process and runtime metrics, the health gauges and every plugin's collectors.
- Several processes (``PROMETHEUS_MULTIPROC_DIR`` set, as under gunicorn):
  prometheus-client's ``MultiProcessCollector`` adds up the values every worker
  wrote to that directory, then the health gauges and the plugins' collectors.
  Each worker's files stay behind when it exits; gunicorn's ``child_exit`` hook
  must call ``prometheus_client.multiprocess.mark_process_dead(worker.pid)``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from prodready import MetricsCollector, hooks
from prodready_observability.conf import conf
from prodready_observability.metrics.definitions import OWN_METRICS
from prodready_observability.metrics.health_collector import HealthCollector

logger = logging.getLogger(__name__)

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_directory() -> str | None:
    return os.environ.get(MULTIPROC_VARIABLE) or os.environ.get(MULTIPROC_VARIABLE.lower())


def build_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    directory = multiprocess_directory()
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        for collector in (*OWN_METRICS, PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            registry.register(collector)
    if conf.METRICS_HEALTH:
        registry.register(HealthCollector())
    for plugin_collector in hooks.metrics():
        registry.register(_Guarded(plugin_collector))
    return registry


class _Guarded(Collector):
    """A plugin's collector whose failure costs its own metrics, not the whole scrape."""

    def __init__(self, collector: MetricsCollector) -> None:
        self.collector = collector

    def collect(self) -> Iterable[Metric]:
        try:
            return list(self.collector.collect())
        except Exception:
            logger.exception("The metrics collector %r failed", self.collector)
            return []
