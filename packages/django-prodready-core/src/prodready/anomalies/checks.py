"""System checks of the anomaly detector's settings (what their types cannot say)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error

from prodready.checks import reads_settings
from prodready.conf import conf


def _number(value: object) -> bool:
    # A wrong type is prodready.E002's to report; only judge numbers here.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@reads_settings
def check_anomaly_settings(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    threshold = conf.ANOMALY_THRESHOLD
    if _number(threshold) and threshold <= 0:
        errors.append(
            Error(
                f"PRODREADY_ANOMALY_THRESHOLD must be above 0; found {threshold!r}, so every "
                "change would be an anomaly.",
                hint="Set PRODREADY_ANOMALY_THRESHOLD to a robust z-score, such as 6.",
                id="prodready.E012",
            )
        )
    cooldown = conf.ANOMALY_COOLDOWN_MINUTES
    if _number(cooldown) and cooldown < 0:
        errors.append(
            Error(
                f"PRODREADY_ANOMALY_COOLDOWN_MINUTES must be 0 or more; found {cooldown!r}.",
                hint="Set PRODREADY_ANOMALY_COOLDOWN_MINUTES to a number of minutes such as 30, "
                "or 0 to notify every episode.",
                id="prodready.E013",
            )
        )
    return errors
