"""The /metrics view, in Prometheus's text format (or OpenMetrics when asked)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.exposition import choose_encoder

from prodready_observability.metrics.access import decide
from prodready_observability.metrics.registry import build_registry


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    decision = decide(request)
    if decision == "not found":
        raise Http404("Metrics are off: set PRODREADY_METRICS_TOKEN or an address allowlist.")
    if decision == "forbidden":
        return HttpResponseForbidden("Not allowed to read the metrics.", content_type="text/plain")
    encoder, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(encoder(build_registry()), content_type=content_type)
