"""django-prodready-observability: Sentry scrubbing, request analytics, logs and metrics."""

__version__ = "0.1.0.dev0"
