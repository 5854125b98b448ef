"""Rate limiting: rules from settings applied by middleware, and login lockouts.

- ``rules``, ``rates``, ``keys``: what ``PRODREADY_RATELIMIT_RULES`` means
- ``limiter``, ``middleware``, ``responses``: counting requests and refusing them
- ``store``, ``redis_store``, ``cache_store``, ``types``: where the counters live
- ``lockout``, ``backends``, ``signals``: login brute-force protection
- ``events``, ``metrics``: audit events, logs and metrics
- ``checks``, ``findings``: system checks and readiness findings
"""
