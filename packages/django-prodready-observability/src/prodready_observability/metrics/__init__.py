"""Prometheus metrics: requests, latency, exceptions, health, tasks and every plugin's.

Served by :func:`prodready_observability.metrics.views.metrics_view`; include
``prodready_observability.urls`` to get it at ``/metrics``.
"""
