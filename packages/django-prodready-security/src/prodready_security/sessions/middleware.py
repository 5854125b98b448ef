"""``SessionActivityMiddleware``: idle logout and the once-a-minute "last seen".

List it after ``AuthenticationMiddleware``::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "prodready_security.sessions.middleware.SessionActivityMiddleware",
        ...,
    ]

Activity is recorded to the minute (see ``tracking.TOUCH_EVERY``), so a session is
logged out between ``PRODREADY_SESSIONS_IDLE_TIMEOUT`` minus a minute and that
timeout after its last request.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.contrib.auth import logout
from django.utils.deprecation import MiddlewareMixin

from prodready_security.conf import conf
from prodready_security.sessions import tracking

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

DOTTED_PATH = "prodready_security.sessions.middleware.SessionActivityMiddleware"


class SessionActivityMiddleware(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if idle(request):
            # logout() flushes the session and sends user_logged_out (audit, row removal);
            # the view then runs for an anonymous user, so login_required redirects.
            logout(request)
            return None
        if tracking.due(request):
            tracking.touch(request, user)
        return None


def idle(request: HttpRequest) -> bool:
    timeout = conf.SESSIONS_IDLE_TIMEOUT
    seen = request.session.get(tracking.SEEN)
    if not timeout or not isinstance(seen, (int, float)):
        return False
    return time.time() - seen > timeout
