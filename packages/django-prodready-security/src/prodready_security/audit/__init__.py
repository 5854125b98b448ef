"""The tamper-evident audit log: events stored in a hash chain, append-only.

Modules: ``models`` (what is stored), ``hashing`` (the canonical serialisation),
``chain`` (appending under a lock), ``recorder`` (an event from ``prodready.audit``
to a row), ``tracked_models`` (which models ``PRODREADY_AUDIT_TRACKED_MODELS`` names),
``model_changes`` and ``bulk`` (their creates, updates and deletes as events),
``verify`` and ``prune`` (the ``audit`` command).
"""
