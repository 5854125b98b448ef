"""The idle-timeout warning: how long a session has left, and the endpoint that extends it.

Pages that show the warning load ``{% idle_warning %}`` (``prodready_security`` template
tags): a static script counts down the seconds the server computed, warns
``PRODREADY_SESSIONS_IDLE_WARNING`` seconds before the end with a "Stay signed in" button,
and says so once the session has ended. The button posts to :func:`keep_alive`.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from prodready_security.conf import conf
from prodready_security.sessions import tracking


def seconds_left(request: HttpRequest) -> int | None:
    """Seconds before ``SessionActivityMiddleware`` logs this session out, if it will."""
    timeout = conf.SESSIONS_IDLE_TIMEOUT
    user = getattr(request, "user", None)
    if not timeout or user is None or not user.is_authenticated:
        return None
    seen = request.session.get(tracking.SEEN)
    if not isinstance(seen, (int, float)):
        return int(timeout)
    return max(0, int(timeout - (time.time() - seen)))


@never_cache
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Record activity now, so the idle timeout starts again; 401 once the session ended."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return JsonResponse({"ended": True}, status=401)
    tracking.touch(request, user)
    return JsonResponse({"remaining": seconds_left(request)})
