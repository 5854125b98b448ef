"""System checks of the header and CSP report settings (``prodready_security.E060``-``E069``).

- ``E060`` an entry of ``PRODREADY_HEADERS_PERMISSIONS_POLICY`` is malformed
- ``E061`` ``PRODREADY_HEADERS_CROSS_ORIGIN_OPENER_POLICY`` is not a known policy
- ``E062`` ``PRODREADY_HEADERS_CROSS_ORIGIN_RESOURCE_POLICY`` is not a known policy
- ``E063`` ``PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES`` is not between 1 and 1 MiB
- ``E064`` ``PRODREADY_HEADERS_CSP_REPORT_RATE`` is not a rate string
- ``E065`` ``PRODREADY_HEADERS_CSP_REPORT_KEEP_DAYS`` is not positive
- ``E066`` ``PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY`` is not positive
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error

from prodready.checks import reads_settings
from prodready_security.conf import conf
from prodready_security.headers import policy
from prodready_security.ratelimit.rates import InvalidRate, parse_rate

MAX_REPORT_BYTES = 1024 * 1024


@reads_settings
def check_permissions_policy(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    value: object = conf.HEADERS_PERMISSIONS_POLICY
    if not isinstance(value, dict):
        return []  # reported as prodready.E002
    return [
        Error(
            f"PRODREADY_HEADERS_PERMISSIONS_POLICY: {problem}.",
            hint="Map each feature to a list such as [] (nobody), ['self'] or "
            "['self', 'https://maps.example.com'].",
            id="prodready_security.E060",
        )
        for feature, allowlist in value.items()
        if (problem := policy.allowlist_problem(feature, allowlist))
    ]


@reads_settings
def check_cross_origin(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    pairs = (
        (
            "OPENER",
            conf.HEADERS_CROSS_ORIGIN_OPENER_POLICY,
            policy.OPENER_POLICIES,
            "prodready_security.E061",
        ),
        (
            "RESOURCE",
            conf.HEADERS_CROSS_ORIGIN_RESOURCE_POLICY,
            policy.RESOURCE_POLICIES,
            "prodready_security.E062",
        ),
    )
    for kind, value, known, check_id in pairs:
        if value is not None and value not in known:
            messages.append(
                Error(
                    f"PRODREADY_HEADERS_CROSS_ORIGIN_{kind}_POLICY is {value!r}; expected "
                    f"one of {', '.join(map(repr, known))} or None.",
                    hint=f"Set it to {known[0]!r}, or None to send no such header.",
                    id=check_id,
                )
            )
    return messages


@reads_settings
def check_reports(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    size = conf.HEADERS_CSP_REPORT_MAX_BYTES
    if isinstance(size, int) and not 1 <= size <= MAX_REPORT_BYTES:
        messages.append(
            Error(
                f"PRODREADY_HEADERS_CSP_REPORT_MAX_BYTES is {size}; expected 1 to "
                f"{MAX_REPORT_BYTES}.",
                hint="Set it to 16384: real reports are a few kilobytes.",
                id="prodready_security.E063",
            )
        )
    rate = conf.HEADERS_CSP_REPORT_RATE
    try:
        parse_rate(rate)
    except InvalidRate as exc:
        messages.append(
            Error(
                f"PRODREADY_HEADERS_CSP_REPORT_RATE is malformed: {exc}.",
                hint="Set it to a count per period, for example '60/m'.",
                id="prodready_security.E064",
            )
        )
    days = conf.HEADERS_CSP_REPORT_KEEP_DAYS
    if isinstance(days, int) and days < 1:
        messages.append(
            Error(
                f"PRODREADY_HEADERS_CSP_REPORT_KEEP_DAYS is {days}; expected a positive number.",
                hint="Set it to 30 (days).",
                id="prodready_security.E065",
            )
        )
    cap = conf.HEADERS_CSP_REPORT_MAX_PER_DAY
    if cap < 1:
        messages.append(
            Error(
                f"PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY is {cap}; expected a positive number.",
                hint="Set it to 10000: enough to see what a policy blocks, too few to fill "
                "the database.",
                id="prodready_security.E066",
            )
        )
    return messages
