"""Reading the environment: one ``env`` for every settings module, and fail-fast checks."""

from __future__ import annotations

import os
from collections.abc import Iterable

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def require(names: Iterable[str]) -> None:
    """Raise one error naming every variable in ``names`` that is unset or empty.

    django-environ stops at the first missing variable; listing them all at once
    saves a deploy-fix-redeploy round per variable.
    """
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            f"Missing required environment variables: {', '.join(missing)}. "
            "Set every variable listed in the environment of the process "
            "(see the production settings module for what each one is)."
        )
