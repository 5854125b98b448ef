"""The dashboard's cache card: each cache alias's hits and misses, read from the analytics
store (counted by ``metrics.cache_counting``, written per minute by ``metrics.cache_minutes``)."""
