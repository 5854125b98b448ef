"""SQL keeps its shape; the literals it carried are replaced."""

import pytest

from prodready_observability.scrub import scrub_sql


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM auth_user WHERE email = 'bob@example.com' AND id = 42",
            "SELECT * FROM auth_user WHERE email = ? AND id = ?",
        ),
        ("UPDATE t SET note = 'it''s secret' WHERE x = -1.5", "UPDATE t SET note = ? WHERE x = ?"),
        ("SELECT E'tok\\'en', N'x', $$dollar secret$$", "SELECT ?, ?, ?"),
        ("SELECT $tag$tagged secret$tag$ FROM t1", "SELECT ? FROM t1"),
        ("INSERT INTO t VALUES ('unterminated secre", "INSERT INTO t VALUES (?"),
        # placeholders, identifiers and names with digits are kept
        (
            'SELECT "t2"."col1" FROM "shop_order2" WHERE "id" = %s AND n = $1 LIMIT 21',
            'SELECT "t2"."col1" FROM "shop_order2" WHERE "id" = %s AND n = $1 LIMIT ?',
        ),
    ],
)
def test_literals_are_replaced(sql: str, expected: str) -> None:
    assert scrub_sql(sql) == expected
