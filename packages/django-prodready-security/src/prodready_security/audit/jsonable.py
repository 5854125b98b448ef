"""Turn field values and event data into JSON that reads back exactly as it was written.

What is stored is what is hashed, so a value must survive the trip through the
database unchanged: PostgreSQL's ``jsonb`` rewrites large floats as integers and
refuses NUL characters, so those become strings here, before hashing.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

# Beyond this, jsonb prints a float as an integer (1e+20 -> 100000000000000000000).
_LARGEST_EXACT_FLOAT = 1e15


def to_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= _LARGEST_EXACT_FLOAT:
            return repr(value)
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID, Promise)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"  # binary content is not for a log
    if isinstance(value, models.Model):
        return to_jsonable(value.pk)
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(item) for item in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return str(value)
