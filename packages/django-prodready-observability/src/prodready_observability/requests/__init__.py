"""Per-request context, the request middleware and the line it logs for every request."""
