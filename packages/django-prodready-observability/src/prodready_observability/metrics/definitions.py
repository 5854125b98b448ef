"""This package's own metrics, one set per process.

With ``PROMETHEUS_MULTIPROC_DIR`` set before the process starts, prometheus-client
keeps their values in files in that directory, so the scrape adds up every worker's.
Labels are of bounded variety: the route pattern, never the raw path.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# From 5 ms to 10 s: a web request's range.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# From 1 ms to 5 s: a query's range.
QUERY_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

REQUESTS = Counter(
    "prodready_http_requests",
    "HTTP requests answered, by method, route pattern and status.",
    ["method", "route", "status"],
    registry=None,
)
LATENCY = Histogram(
    "prodready_http_request_duration_seconds",
    "Time from the request middleware to the response, by route pattern.",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=None,
)
EXCEPTIONS = Counter(
    "prodready_http_exceptions",
    "Exceptions raised by views, by route pattern and exception class.",
    ["route", "exception"],
    registry=None,
)
TASKS = Counter(
    "prodready_celery_tasks",
    "Celery tasks finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
    registry=None,
)
TASK_DURATION = Histogram(
    "prodready_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
    registry=None,
)

AUDIT_EVENTS = Counter(
    "prodready_audit_events",
    "Audit events sent with prodready.audit(), by action.",
    ["action"],
    registry=None,
)

DB_QUERIES = Counter(
    "prodready_db_queries",
    "Database queries run, by database alias.",
    ["alias"],
    registry=None,
)
DB_QUERY_DURATION = Histogram(
    "prodready_db_query_duration_seconds",
    "Time a database query took, by database alias.",
    ["alias"],
    buckets=QUERY_BUCKETS,
    registry=None,
)

CACHE_GETS = Counter(
    "prodready_cache_gets",
    "Keys read from a cache (get, get_many), by cache alias and result (hit, miss).",
    ["alias", "result"],
    registry=None,
)

OWN_METRICS = (
    REQUESTS,
    LATENCY,
    EXCEPTIONS,
    TASKS,
    TASK_DURATION,
    AUDIT_EVENTS,
    DB_QUERIES,
    DB_QUERY_DURATION,
    CACHE_GETS,
)
