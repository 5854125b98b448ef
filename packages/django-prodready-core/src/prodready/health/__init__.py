"""Health checks: a small contract, a concurrent runner and probe endpoints."""
