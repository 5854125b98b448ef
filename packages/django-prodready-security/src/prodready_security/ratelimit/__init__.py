"""Rate limiting: rules from settings applied by middleware, and login lockouts.

- ``rules``, ``rates``, ``keys``: what ``PRODREADY_RATELIMIT_RULES`` means
- ``limiter``, ``middleware``, ``responses``: counting requests and refusing them
- ``store``, ``redis_store``, ``cache_store``, ``types``: where the counters live
- ``leases``: counts a process reserves from a shared counter at once
- ``login_protection``, ``backends``, ``signals``: login brute-force protection
- ``lockouts``, ``views``, ``urls``, ``models``: the lockouts in force, and unlocking them
- ``events``, ``metrics``: audit events, logs and metrics
- ``checks``, ``findings``, ``cards``: system checks, readiness findings, dashboard cards
"""
