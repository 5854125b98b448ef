"""Settings and WSGI app of the site test_gunicorn serves, logging as a deployment does.

``gunicorn --logger-class prodready_observability.gunicorn.ScrubbingLogger
tests.gunicorn_site:application``, with ``DJANGO_SETTINGS_MODULE=tests.gunicorn_site``.
Django's logs go to ``PRODREADY_TEST_LOG_FILE`` (JSON lines, ``configure_logging()``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from prodready_observability.logging import configure_logging
from tests.multiprocess_site import (  # noqa: F401 (settings)
    ALLOWED_HOSTS,
    DATABASES,
    INSTALLED_APPS,
    MIDDLEWARE,
    ROOT_URLCONF,
    SECRET_KEY,
    SESSION_ENGINE,
    USE_TZ,
)

LOGGING = configure_logging(file=os.environ.get("PRODREADY_TEST_LOG_FILE"))
CRASH = "/crash/"


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's app; a path below ``/crash/`` fails outside Django, so that gunicorn's
    error log reports it ("Error handling request ..."), with the request in the text."""
    if environ.get("PATH_INFO", "").startswith(CRASH):
        raise RuntimeError(f"the app crashed serving {environ.get('RAW_URI')}")
    return django_application()(environ, start_response)


@cache
def django_application() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
