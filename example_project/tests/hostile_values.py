"""What a hostile or careless client sends, by the kind of field it goes to.

Each kind has its boundary values, tried one by one in every field of that kind, and a
Hypothesis strategy that mixes them with random values of every kind.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, quote_from_bytes

from hypothesis import strategies as st

# Every kind: empty, NUL, very long, right-to-left and emoji, NaN, and a lone surrogate
# (sent as the invalid UTF-8 bytes it encodes to, as a careless client would).
ANY_FIELD = ("", "\x00", "a\x00b", "x" * 10_000, "\u202e\U0001f642" * 50, "NaN", "\ud800")
NUMBERS = (
    "-1",
    "9" * 30,
    "9" * 5000,  # more digits than Python's int() reads by default
    "2147483648",
    "9223372036854775808",
    "1e400",
    "Infinity",
    "1.5",
    "٣",  # Arabic-Indic three: int() reads it, a database column does not
    "²",  # str.isdigit() says yes, int() says no
)
BOUNDARIES: dict[str, tuple[str, ...]] = {
    "text": (*ANY_FIELD, "<script>alert(1)</script>", "' OR 1=1 --", "\r\n" * 100),
    "number": (*ANY_FIELD, *NUMBERS),
    "date": (*ANY_FIELD, "9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30", "9" * 30),
    "month": (*ANY_FIELD, "9999-12", "0001-01", "10000-01", "2026-13", "9999-12-31"),
    "datetime": (
        *ANY_FIELD,
        "9999-12-31T23:59",
        "0001-01-01T00:00",
        "9999-12-31 23:59:59.999999",
        "2026-10-05T25:00",
    ),
    # Header values arrive as latin-1 text from a WSGI server.
    "header": ("", "\x00", "x" * 10_000, "Bearer " + "x" * 5000, "Bearer \x00", "\r\n", "ÿ" * 50),
}

GENERIC = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.integers(-(10**40), 10**40).map(str),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(lambda day: day.isoformat()[:7]),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59)).map(
        lambda moment: moment.isoformat()[:16]
    ),
    st.binary(max_size=20),
)


def hostile(kind: str) -> st.SearchStrategy[Any]:
    if kind == "header":
        return st.one_of(
            st.sampled_from(BOUNDARIES["header"]),
            st.text(st.characters(max_codepoint=255), max_size=60),
        )
    return st.one_of(st.sampled_from(BOUNDARIES[kind]), GENERIC)


def form_body(values: dict[str, Any]) -> bytes:
    """An application/x-www-form-urlencoded body (bytes values are sent as they are)."""
    pairs = []
    for name, value in values.items():
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        pairs.append(f"{quote(name)}={quote_from_bytes(raw)}")
    return "&".join(pairs).encode()


def multipart_file(field: str, content: bytes) -> tuple[str, bytes]:
    """(content type, body) of a form that uploads ``content`` as a CSV file."""
    boundary = "hostile-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="students.csv"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


# --- raw bodies ---------------------------------------------------------------------------

CSV_HEADER = "first_name,last_name,email,level,joined_on"


def csv_file(rows: list[list[str]]) -> bytes:
    lines = [",".join('"' + value.replace('"', '""') + '"' for value in row) for row in rows]
    return "\n".join([CSV_HEADER, *lines]).encode("utf-8", "surrogatepass")


def csv_rows(valid_level: str) -> list[bytes]:
    """Files with one hostile column each (the others valid), and a few broken files."""
    good = ["Ann", "Pupil", "ann@example.com", valid_level, "2026-09-01"]
    kinds = ("text", "text", "text", "text", "date")
    files = [
        csv_file([[*good[:column], value, *good[column + 1 :]]])
        for column, kind in enumerate(kinds)
        for value in BOUNDARIES[kind]
    ]
    return [*files, b"", b"\xff\xfe\x00", b"first_name\n" + b"x," * 5000, b'"' * 3]


CSV_FILES = st.lists(
    st.lists(hostile("text").filter(lambda v: isinstance(v, str)), max_size=6), max_size=4
).map(csv_file)

CSP_BODIES = (
    b'{"csp-report": {"line-number": 99999999999}}',
    b'{"csp-report": {"blocked-uri": "a\\u0000b"}}',
    b'{"csp-report": {"line-number": NaN}}',
    b'{"csp-report": {"line-number": 1e400}}',
    b'{"csp-report": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    b"\xff\xfe",
    b"[]",
)
CSP_REPORTS = st.one_of(
    st.sampled_from(CSP_BODIES),
    st.builds(
        lambda line, uri: json.dumps(
            {"csp-report": {"line-number": line, "blocked-uri": uri}}
        ).encode(),
        st.integers(),
        st.text(max_size=30),
    ),
    st.binary(max_size=100),
)
