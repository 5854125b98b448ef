"""The public CSP report endpoint against hostile bodies, on SQLite and on PostgreSQL.

PostgreSQL refuses what SQLite keeps (NUL characters, integers past 2**31 in an integer
column, NaN in jsonb), so every case runs on both: a body is stored cleaned, or refused
with a 4xx, never a 500; and what is refused leaves no row behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from prodready_security.headers.models import CSPReport
from prodready_security.headers.reports import FIELDS
from tests.audit_support import PG
from tests.headers_support import REPORT_URL

pytestmark = pytest.mark.urls("tests.headers_support")

REFUSED = {400, 413, 415, 429}


class ReportsTo:
    """A database router sending CSP reports to one alias."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return self.alias if model is CSPReport else None

    db_for_write = db_for_read


@pytest.fixture(
    params=[
        pytest.param("default", marks=pytest.mark.django_db, id="sqlite"),
        pytest.param(
            PG,
            marks=[
                pytest.mark.requires_postgres,
                pytest.mark.django_db(databases=["default", PG]),
            ],
            id="postgresql",
        ),
    ]
)
def reports_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """The alias the endpoint stores reports in; its rate limit out of the way."""
    caches["default"].clear()
    with override_settings(
        DATABASE_ROUTERS=[ReportsTo(request.param)], PRODREADY_HEADERS_CSP_REPORT_RATE="100000/m"
    ):
        yield request.param
    caches["default"].clear()


def post(body: bytes, content_type: str = "application/csp-report", **extra: Any) -> Any:
    return Client().post(REPORT_URL, body, content_type=content_type, **extra)


def legacy(**violation: Any) -> bytes:
    return json.dumps({"csp-report": {"effective-directive": "img-src", **violation}}).encode()


def stored(alias: str) -> list[CSPReport]:
    return list(CSPReport.objects.using(alias).order_by("pk"))


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        (legacy(**{"line-number": 99999999999}), "line_number", None),
        (legacy(**{"line-number": -1}), "line_number", None),
        (legacy(**{"line-number": True}), "line_number", None),
        (legacy(**{"line-number": 2**31 - 1}), "line_number", 2**31 - 1),
        (legacy(**{"blocked-uri": "https://a\x00b.example"}), "blocked_uri", "https://ab.example"),
        (legacy(**{"blocked-uri": "\ud800x"}), "blocked_uri", "?x"),
        (legacy(**{"source-file": {"nested": ["x\x00"]}}), "source_file", "{'nested': ['x']}"),
    ],
)
def test_what_a_database_cannot_keep_is_cleaned(
    reports_db: str, body: bytes, field: str, value: Any
) -> None:
    response = post(body, HTTP_USER_AGENT="Agent\x00/1")
    assert response.status_code == 204
    [report] = stored(reports_db)
    assert getattr(report, field) == value
    assert report.user_agent == "Agent/1"
    assert "\\u0000" not in json.dumps(report.body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"csp-report": {"line-number": NaN}}', "NaN is not a JSON number"),
        (b'{"csp-report": {"line-number": -Infinity}}', "-Infinity is not a JSON number"),
        (b'{"csp-report": {"line-number": 1e400}}', "the number 1e400 is too large"),
        (b'{"csp-report": {"line-number": ' + b"9" * 5000 + b"}}", "the body is not JSON"),
        (b'{"csp-report": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nests deeper than 8 levels"),
        (b'{"csp-report": {"a": ' + b"[" * 12 + b"]" * 12 + b"}}", "nests deeper than 8 levels"),
        (b"\xff\xfe{", "the body is not JSON"),
    ],
)
def test_what_is_not_storable_json_is_a_clear_400(
    reports_db: str, body: bytes, reason: str
) -> None:
    response = post(body)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert stored(reports_db) == []


def test_storage_is_capped_per_day_from_every_address_together(
    reports_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    old = CSPReport.objects.using(reports_db).create(directive="img-src")
    CSPReport.objects.using(reports_db).filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=1, seconds=1)
    )
    batch = [
        {"type": "csp-violation", "body": {"effectiveDirective": f"img-src-{n}"}} for n in range(3)
    ]
    with override_settings(PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY=4):
        first = post(legacy(), REMOTE_ADDR="192.0.2.1")
        batch_cut = post(json.dumps(batch).encode(), "application/reports+json")
        full = post(legacy(), REMOTE_ADDR="192.0.2.2")
    assert [first.status_code, batch_cut.status_code, full.status_code] == [204, 204, 429]
    assert full.content == b"This site stores no more CSP reports today."
    # The report older than a day does not count; the batch was cut to what fitted.
    assert [r.directive for r in stored(reports_db)[1:]] == [
        "img-src",
        "img-src-0",
        "img-src-1",
        "img-src-2",
    ]
    assert "PRODREADY_HEADERS_CSP_REPORT_MAX_PER_DAY (4) is reached" in caplog.text


# --- any body at all --------------------------------------------------------------------

# Characters that break one database or another, mixed into ordinary text.
NASTY = st.sampled_from(["\x00", "\ud800", "\udfff", "\u2028", "\U0010ffff", "'", '"', "\\"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=5).map("".join)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)
# Reports shaped like the real ones, with hostile values where the columns are read from.
VIOLATION = st.dictionaries(
    st.sampled_from([key for pair in FIELDS.values() for key in pair] + ["violated-directive"]),
    JSON,
    max_size=8,
)
REPORT_URI = st.builds(lambda v: {"csp-report": v}, VIOLATION)
REPORTING_API = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["csp-violation", "deprecation"]), "body": VIOLATION}
    ),
    max_size=22,
)
# Number spellings json.dumps never writes but a client may.
RAW_NUMBERS = st.sampled_from([b"NaN", b"Infinity", b"-1e999", b"9" * 4400, b"1" + b"0" * 30])
BODIES = st.one_of(
    st.one_of(REPORT_URI, REPORTING_API, JSON).map(lambda data: json.dumps(data).encode()),
    RAW_NUMBERS.map(lambda raw: b'{"csp-report": {"line-number": ' + raw + b"}}"),
    st.binary(max_size=200),
)
CONTENT_TYPES = st.sampled_from(
    ["application/csp-report", "application/reports+json", "application/json", "text/plain"]
)


@given(body=BODIES, content_type=CONTENT_TYPES, agent=TEXT)
def test_no_body_makes_the_endpoint_fail_or_half_store(
    reports_db: str, body: bytes, content_type: str, agent: str
) -> None:
    before = CSPReport.objects.using(reports_db).count()
    # A WSGI server hands over headers as latin-1 text; the test client does the same.
    header = agent.encode("utf-8", "replace").decode("latin-1")
    response = post(body, content_type, HTTP_USER_AGENT=header)
    after = stored(reports_db)  # read back: what was stored loads again
    if response.status_code in REFUSED:
        assert len(after) == before
        return
    assert response.status_code == 204
    data = json.loads(body)
    expected = (
        sum(isinstance(r, dict) and r.get("type") == "csp-violation" for r in data)
        if isinstance(data, list)
        else 1
    )
    assert len(after) == before + expected
    for report in after[before:]:
        text = [report.document_uri, report.blocked_uri, report.source_file, report.user_agent]
        assert not any("\x00" in value for value in text)
