"""Signed-in sessions: a page per user to see and revoke them, idle logout, cleanup.

- ``models``, ``keys``, ``tracking``: one ``UserSession`` row per signed-in session,
  written on login, refreshed at most once a minute, removed on logout
- ``middleware``: the idle timeout and the once-a-minute "last seen"
- ``revoke``, ``views``, ``urls``, ``admin``: ending sessions from the session store
- ``cleanup``: the periodic task's work (expired sessions and stale rows)
- ``useragent``: a short device description
- ``checks``, ``findings``: system checks and readiness findings
"""
