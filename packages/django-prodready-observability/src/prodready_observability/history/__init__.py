"""Request history in the database: per-route counts, slow requests and queries, exceptions.

The request path only adds to in-process counters (:mod:`.buffer`); a background thread
(:mod:`.flusher`) and the periodic task (:mod:`.tasks`) write them to the database
(:mod:`.flush`), roll minutes up into hours and days (:mod:`.rollup`) and delete what is
older than ``PRODREADY_ANALYTICS_KEEP_DAYS`` (:mod:`.prune`). Off unless
``PRODREADY_ANALYTICS_HISTORY = True``.
"""
