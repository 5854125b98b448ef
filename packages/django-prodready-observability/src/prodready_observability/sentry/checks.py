"""System checks for the Sentry settings (``PRODREADY_SENTRY_*``).

Ids are stable and never reused:

- ``prodready_observability.E001`` PRODREADY_SENTRY_DSN is not a Sentry DSN
- ``prodready_observability.E002`` PRODREADY_SENTRY_TRACES_SAMPLE_RATE is not between 0 and 1
- ``prodready_observability.E003`` PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE is not between
  0 and 1
- ``prodready_observability.E004`` an entry of PRODREADY_SENTRY_SCRUB_KEYS is not a usable
  regular expression
- ``prodready_observability.E005`` an entry of PRODREADY_SENTRY_SCRUB_PATTERNS is not a usable
  regular expression
- ``prodready_observability.E006`` an entry of PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS is
  not a path below the site root
- ``prodready_observability.W001`` profiles are sampled but tracing is off
- ``prodready_observability.W002`` PRODREADY_SENTRY_HEADER_ALLOWLIST lists a header whose
  value is always masked

A value of the wrong type is ``prodready.E002`` (core checks every setting's type);
these checks only judge values of the right type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeGuard

from django.core.checks import CheckMessage, Error, Warning

from prodready.checks import reads_settings
from prodready_observability.conf import conf
from prodready_observability.scrub.keys import KeyMatcher


@reads_settings
def check_sentry_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    return [
        *_dsn(),
        *_sample_rate(
            "TRACES_SAMPLE_RATE", conf.SENTRY_TRACES_SAMPLE_RATE, "prodready_observability.E002"
        ),
        *_sample_rate(
            "PROFILE_SESSION_SAMPLE_RATE",
            conf.SENTRY_PROFILE_SESSION_SAMPLE_RATE,
            "prodready_observability.E003",
        ),
        *_regular_expressions(
            "SCRUB_KEYS", conf.SENTRY_SCRUB_KEYS, "prodready_observability.E004", "key name"
        ),
        *_regular_expressions(
            "SCRUB_PATTERNS", conf.SENTRY_SCRUB_PATTERNS, "prodready_observability.E005", "text"
        ),
        *_ignored_paths(),
        *_profiles_without_traces(),
        *_always_masked_headers(),
    ]


def sentry_setting_errors() -> list[CheckMessage]:
    """The errors among the checks above (Sentry is not started with them)."""
    return [message for message in check_sentry_settings() if message.is_serious()]


def _dsn() -> list[CheckMessage]:
    dsn = conf.SENTRY_DSN
    if not isinstance(dsn, str) or not dsn:
        return []
    from sentry_sdk.utils import BadDsn, Dsn  # only for a site that reports to Sentry

    try:
        Dsn(dsn)
    except (BadDsn, ValueError) as exc:
        # The DSN holds a key: describe the problem, never print the value.
        return [
            Error(
                f"PRODREADY_SENTRY_DSN is not a Sentry DSN: {exc}.",
                hint="Copy the DSN from your Sentry project (Settings > Client Keys); it looks "
                "like https://<key>@<host>/<project id>. Set it from the environment.",
                id="prodready_observability.E001",
            )
        ]
    return []


def _sample_rate(name: str, rate: object, check_id: str) -> list[CheckMessage]:
    if not _is_number(rate) or 0.0 <= rate <= 1.0:
        return []
    return [
        Error(
            f"PRODREADY_SENTRY_{name} must be between 0.0 and 1.0; found {rate!r}.",
            hint=f"Set PRODREADY_SENTRY_{name} to a share such as 0.1 (10%), or None to turn "
            "it off.",
            id=check_id,
        )
    ]


def _regular_expressions(
    name: str, patterns: object, check_id: str, what: str
) -> list[CheckMessage]:
    if not isinstance(patterns, (list, tuple)):
        return []
    messages: list[CheckMessage] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        try:
            matches_nothing = re.compile(pattern).search("") is None
        except re.error as exc:
            problem = f"is not a valid regular expression ({exc})"
        else:
            if matches_nothing:
                continue
            problem = f"matches empty {what}, so it would mask everything"
        messages.append(
            Error(
                f"PRODREADY_SENTRY_{name} entry {pattern!r} {problem}.",
                hint="Fix the expression (Python's re syntax) so that it only matches "
                f"secret {what}, or remove it.",
                id=check_id,
            )
        )
    return messages


def _ignored_paths() -> list[CheckMessage]:
    paths: object = conf.SENTRY_IGNORED_TRANSACTION_PATHS  # any type until E002 is fixed
    if not isinstance(paths, (list, tuple)):
        return []
    return [
        Error(
            f"PRODREADY_SENTRY_IGNORED_TRANSACTION_PATHS entry {path!r} is not a path below "
            "the site root.",
            hint="Write each entry as a path starting with '/', such as '/health'; '/' alone "
            "would drop every transaction.",
            id="prodready_observability.E006",
        )
        for path in paths
        if isinstance(path, str) and (not path.startswith("/") or not path.strip("/"))
    ]


def _profiles_without_traces() -> list[CheckMessage]:
    profiles = conf.SENTRY_PROFILE_SESSION_SAMPLE_RATE
    if not _is_number(profiles) or not profiles or conf.SENTRY_TRACES_SAMPLE_RATE is not None:
        return []
    return [
        Warning(
            f"PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE is {profiles!r} but "
            "PRODREADY_SENTRY_TRACES_SAMPLE_RATE is None: the profiler only runs while a "
            "transaction is traced, so it never does.",
            hint="Set PRODREADY_SENTRY_TRACES_SAMPLE_RATE (for example 0.1), or set "
            "PRODREADY_SENTRY_PROFILE_SESSION_SAMPLE_RATE to None.",
            id="prodready_observability.W001",
        )
    ]


def _always_masked_headers() -> list[CheckMessage]:
    headers: object = conf.SENTRY_HEADER_ALLOWLIST
    if not isinstance(headers, (list, tuple)):
        return []
    builtin = KeyMatcher()
    return [
        Warning(
            f"PRODREADY_SENTRY_HEADER_ALLOWLIST lists {header!r}, a header that carries "
            "credentials: its value is masked anyway.",
            hint=f"Remove {header!r} from PRODREADY_SENTRY_HEADER_ALLOWLIST.",
            id="prodready_observability.W002",
        )
        for header in headers
        if isinstance(header, str) and builtin.is_secret(header)
    ]


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
