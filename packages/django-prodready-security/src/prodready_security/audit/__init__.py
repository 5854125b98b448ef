"""The tamper-evident audit log: events stored in a hash chain, append-only.

Modules: ``models`` (what is stored), ``hashing`` (the canonical serialisation),
``chain`` (appending under a lock), ``recorder`` (an event from ``prodready.audit``
to a row), ``tracking`` and ``bulk`` (changes to the models listed in
``PRODREADY_AUDIT_TRACKED_MODELS``), ``verify`` and ``prune`` (the ``audit`` command).
"""
