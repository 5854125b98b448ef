"""System check: staff pages send people to a login page that exists.

- ``prodready.W020`` LOGIN_URL matches no URL of the site, so the operations dashboard
  (and every other login-required page) sends people to a 404

``startproject`` leaves LOGIN_URL at Django's default, ``/accounts/login/``, which no
new project serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

ADMIN_LOGIN = "admin:login"


def check_login_url(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "ROOT_URLCONF", None):
        return []  # no URLs at all (a worker's settings, say), as Django's URL checks
    try:
        dashboard = reverse("prodready:dashboard")
    except NoReverseMatch:
        return []  # prodready.urls is not mounted: no page of ours sends anyone to log in
    if _login_page_exists():
        return []
    if _reverses(ADMIN_LOGIN):
        fix = f"Set LOGIN_URL = {ADMIN_LOGIN!r} to use the admin's login page"
    else:
        fix = "Mount a login view at LOGIN_URL"
    return [
        Warning(
            f"LOGIN_URL is {settings.LOGIN_URL!r}, which matches no URL of this site, so "
            f"staff sent to sign in from {dashboard} get a 404.",
            hint=f"{fix}, or set LOGIN_URL to the URL or URL name of your own login page "
            "(django.contrib.auth.urls needs a registration/login.html template).",
            id="prodready.W020",
        )
    ]


def _login_page_exists() -> bool:
    try:
        url = resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        return False  # a URL name that names nothing
    parts = urlsplit(str(url))
    if parts.scheme or parts.netloc:
        return True  # another site's login (single sign-on): not ours to look up
    path = parts.path
    prefix = settings.FORCE_SCRIPT_NAME
    if prefix and path.startswith(prefix.rstrip("/") + "/"):
        path = path[len(prefix.rstrip("/")) :]
    candidates = [path]
    if settings.APPEND_SLASH and not path.endswith("/"):
        candidates.append(path + "/")  # CommonMiddleware redirects there
    return any(_resolves(candidate) for candidate in candidates)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _reverses(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True
