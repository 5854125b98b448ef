"""System checks for the request history's settings.

Ids are stable and never reused:

- ``prodready_observability.E020`` PRODREADY_ANALYTICS_KEEP_DAYS is below 1
- ``prodready_observability.E021`` PRODREADY_ANALYTICS_FLUSH_SECONDS is below 0
- ``prodready_observability.E022`` PRODREADY_ANALYTICS_SLOW_QUERY_MS is not above 0
- ``prodready_observability.E023`` PRODREADY_ANALYTICS_QUERY_SAMPLE_RATE is not from 0 to 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error

from prodready.checks import reads_settings
from prodready_observability.conf import conf


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@reads_settings
def check_history_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    keep: object = conf.ANALYTICS_KEEP_DAYS
    if isinstance(keep, int) and not isinstance(keep, bool) and keep < 1:
        errors.append(
            Error(
                f"PRODREADY_ANALYTICS_KEEP_DAYS must be at least 1; found {keep!r}.",
                hint="Set it to how many days of request history to keep, such as 14.",
                id="prodready_observability.E020",
            )
        )
    flush: object = conf.ANALYTICS_FLUSH_SECONDS
    if _number(flush) and flush < 0:  # type: ignore[operator]
        errors.append(
            Error(
                f"PRODREADY_ANALYTICS_FLUSH_SECONDS must be 0 or more; found {flush!r}.",
                hint="Set it to how often each process writes its counts, such as 60, or 0 to "
                "leave the writing to the periodic task.",
                id="prodready_observability.E021",
            )
        )
    slow: object = conf.ANALYTICS_SLOW_QUERY_MS
    if _number(slow) and slow <= 0:  # type: ignore[operator]
        errors.append(
            Error(
                f"PRODREADY_ANALYTICS_SLOW_QUERY_MS must be above 0; found {slow!r}.",
                hint="Set it to the milliseconds above which a query is kept, such as 100, or "
                "None to keep no slow query.",
                id="prodready_observability.E022",
            )
        )
    rate: object = conf.ANALYTICS_QUERY_SAMPLE_RATE
    if _number(rate) and not 0 <= rate <= 1:  # type: ignore[operator]
        errors.append(
            Error(
                f"PRODREADY_ANALYTICS_QUERY_SAMPLE_RATE must be from 0.0 to 1.0; found {rate!r}.",
                hint="Set it to the share of slow queries to keep, such as 1.0 (all) or 0.1.",
                id="prodready_observability.E023",
            )
        )
    return errors
