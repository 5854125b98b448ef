"""The SQL normaliser: no literal value survives, the statement's shape does."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from prodready_observability.history.normalise import normalise

TEMPLATES = [
    'SELECT "school_lesson"."id" FROM "school_lesson" WHERE "school_lesson"."title" = {}',
    'UPDATE "auth_user" SET "email" = {} WHERE "auth_user"."id" = 7',
    'INSERT INTO "t" ("a", "b") VALUES ({}, %s)',
    "SELECT * FROM t WHERE a IN ({}, {}) LIMIT 21",
]


def as_sql(value: str | int | float) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value) if isinstance(value, float) else str(value)


literal = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
)


@given(template=st.sampled_from(TEMPLATES), value=literal)
# A backslash is an ordinary character in a standard string: it must not escape the quote.
@example(template='UPDATE "auth_user" SET "email" = {} WHERE "auth_user"."id" = 7', value="\\")
def test_no_literal_value_survives(template: str, value: str | int | float) -> None:
    rendered = as_sql(value)
    sql = template.format(*[rendered] * template.count("{}"))
    # The statement with its literal is the statement with a placeholder: nothing of the
    # value is left, whatever characters it holds (quotes, newlines, SQL keywords).
    assert normalise(sql) == normalise(template.format(*["?"] * template.count("{}")))


@given(value=st.text(min_size=1, max_size=30))
def test_a_dollar_quoted_string_is_replaced(value: str) -> None:
    if "$body$" in value:
        return
    assert normalise(f"SELECT $body${value}$body$") == "SELECT ?"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1", "SELECT ?"),
        ("SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (...)"),
        ("SELECT * FROM t WHERE a = E'it\\'s'", "SELECT * FROM t WHERE a = ?"),
        ('SELECT "t1"."col2" FROM "t1"', 'SELECT "t1"."col2" FROM "t1"'),
        ("SELECT x FROM t1 WHERE y = $1", "SELECT x FROM t1 WHERE y = $1"),
        ("SELECT a -- the secret is 1234\nFROM t", "SELECT a FROM t"),
        ("SELECT   a,\n\tb FROM t /* hint 99 */", "SELECT a, b FROM t"),
        ("SELECT 0x1F, 1.5e3, .5", "SELECT ?, ?, ?"),
    ],
)
def test_examples(sql: str, expected: str) -> None:
    assert normalise(sql) == expected
