"""Audit events as CSV, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse

from prodready_security.audit.models import AuditEvent

COLUMNS = [
    "sequence",
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_pk",
    "target",
    "changes",
    "data",
    "client_address",
    "user_agent",
    "request_id",
    "prev_hash",
    "hash",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(events: Iterable[AuditEvent], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in _rows(events))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(events: Iterable[AuditEvent]) -> Iterator[list[str]]:
    yield COLUMNS
    for event in events:
        yield [_cell(value) for value in _values(event)]


def _values(event: AuditEvent) -> list[Any]:
    return [
        event.sequence,
        event.occurred_at.isoformat(),
        event.actor_id or "",
        event.actor_name,
        event.action,
        _type_label(event),
        event.target_pk,
        event.target_repr,
        json.dumps(event.changes, sort_keys=True, ensure_ascii=False),
        json.dumps(event.data, sort_keys=True, ensure_ascii=False),
        event.client_address,
        event.user_agent,
        event.request_id,
        event.prev_hash,
        event.hash,
    ]


def _type_label(event: AuditEvent) -> str:
    if event.target_content_type_id is None:
        return ""
    content_types = ContentType.objects.db_manager(event._state.db)
    try:
        content_type = content_types.get_for_id(event.target_content_type_id)
    except ContentType.DoesNotExist:
        return str(event.target_content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
