"""A project's own subclass of the breaker pool (readiness finding prodready.R010)."""

from prodready.redis_breaker import BreakerConnectionPool


class OwnPool(BreakerConnectionPool):
    pass
