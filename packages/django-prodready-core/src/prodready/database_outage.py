"""A database outage answers 503 with Retry-After, not a 500 traceback page.

Name the handler in the project's root URLconf::

    handler500 = "prodready.database_outage.server_error"

Django calls ``handler500`` for an exception raised anywhere, in a view or in a
middleware (sessions, authentication, ...), while it is still being handled. When that
exception says the database cannot be reached (refused, dropped, shut down, timed out
connecting), the handler answers 503 with a short page that needs no database, no
request context and no inline style or script; anything else gets Django's own 500
page. Django still logs the exception with the response's status, and error trackers
still see it.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

# How long a client is asked to wait: about what a database failover or restart takes.
RETRY_AFTER = 10
TEMPLATE = "prodready/unavailable.html"

# PostgreSQL SQLSTATEs of a lost server: class 08 (connection exception), shutting down,
# crashed, starting up, and too many connections.
PG_UNREACHABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
# MySQL client errors: cannot connect (2002, 2003), server gone away, lost (2006, 2013).
MYSQL_UNREACHABLE_CODES = {2002, 2003, 2006, 2013}


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: 503 for a database outage, Django's 500 page for anything else."""
    if not is_database_outage(sys.exc_info()[1]):
        return defaults.server_error(request, template_name)
    response = HttpResponse(render_to_string(TEMPLATE), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def is_database_outage(error: BaseException | None) -> bool:
    """Whether ``error`` says the database cannot be reached (not a bad query)."""
    if isinstance(error, InterfaceError):  # e.g. "connection already closed"
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__  # the driver's exception, which Django wraps
    if hasattr(cause, "sqlstate") or hasattr(cause, "pgcode"):  # psycopg 3, psycopg2
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        # No state: the client gave up (refused, reset, timed out) before a server said why.
        return state is None or state.startswith("08") or state in PG_UNREACHABLE_STATES
    code = cause.args[0] if cause is not None and cause.args else None
    return code in MYSQL_UNREACHABLE_CODES
