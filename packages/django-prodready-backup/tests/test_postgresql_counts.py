"""A restore's row counts come from psql's COPY tags, each matched to its table by name."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from prodready_backup.backups import find_backup
from prodready_backup.targets.postgresql import PostgresTarget, _restore_exactly
from prodready_backup.targets.postgresql_counts import CopyTags, quote, restored_row_counts
from tests.lost_row import lost_row_warning, restore_with_a_row_lost

WITH_PG = override_settings(PRODREADY_BACKUP_DATABASES=["postgres"])
SCHEMA = 'odd. "schema"'
#: Names pg_dump must quote, and names that look like the psql output around them.
AWKWARD = [
    "with space",
    'with "quotes"',
    "with.dot",
    "zażółć gęślą",
    "日本語",
    "line\nbreak",
    "MixedCase",
    "select",
    "COPY 5",
    ") FROM stdin;",
    'x" (id) FROM stdin;\nCOPY 7',
    "\nCOPY public.auth_group (id, name) FROM stdin;",
]
ROWS = {name: index for index, name in enumerate(AWKWARD)}


def _execute(*statements: str) -> None:
    with connections["postgres"].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _dump() -> list[bytes]:
    with PostgresTarget("postgres").open_dump() as dump:
        return list(dump.chunks)


def _load(chunks: list[bytes]) -> CopyTags:
    target = PostgresTarget("postgres")
    connections["postgres"].close()
    return _restore_exactly(chunks, target._env(target._settings()["NAME"]))


def _restored(tags: CopyTags) -> tuple[dict[str, int], list[str]]:
    with connections["postgres"].cursor() as cursor:
        return restored_row_counts(cursor, tags)


@pytest.fixture
def awkward_tables() -> Iterator[None]:
    statements = [f"CREATE SCHEMA {quote(SCHEMA)}"]
    for name, rows in ROWS.items():
        for schema in ("public", SCHEMA):
            table = f"{quote(schema)}.{quote(name)}"
            statements.append(f'CREATE TABLE {table} (id int, "col\n) x" text)')
            statements.append(
                f"INSERT INTO {table} SELECT g, 'v' FROM generate_series(1, {rows}) g"
            )
    _execute(*statements)
    yield
    _execute(
        f"DROP SCHEMA {quote(SCHEMA)} CASCADE",
        *(f"DROP TABLE {quote(name)}" for name in AWKWARD),
    )


@pytest.fixture
def unprovable_tables() -> Iterator[None]:
    """Tables whose count(*) a tag cannot give, and a tag in a function's text."""
    _execute(
        "CREATE TABLE parted (id int) PARTITION BY RANGE (id)",
        "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (10)",
        "INSERT INTO parted SELECT generate_series(1, 3)",
        "CREATE TABLE parent (id int)",
        "CREATE TABLE child () INHERITS (parent)",
        "INSERT INTO parent VALUES (1), (2)",
        "INSERT INTO child VALUES (3), (4), (5)",
        "CREATE FUNCTION spoof() RETURNS text LANGUAGE sql AS "
        "$$ SELECT '\nCOPY public.auth_group (id, name) FROM stdin;\nCOPY 999\n' $$",
    )
    yield
    _execute("DROP TABLE parted", "DROP TABLE parent CASCADE", "DROP FUNCTION spoof()")


@pytest.mark.usefixtures("awkward_tables")
@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
def test_every_copy_tag_is_matched_to_its_table_by_name() -> None:
    tags = _load(_dump())

    expected = {
        (schema, name): rows for name, rows in ROWS.items() for schema in ("public", SCHEMA)
    }
    assert {table: tags.counts.get(table) for table in expected} == expected
    assert tags.repeated == set()
    counts, counted = _restored(tags)
    assert counted == []  # not one table counted again
    assert counts == PostgresTarget("postgres").current_facts().row_counts
    assert counts[f"{SCHEMA}.line\nbreak"] == ROWS["line\nbreak"]


@pytest.mark.usefixtures("unprovable_tables")
@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
def test_what_a_tag_cannot_prove_is_counted() -> None:
    Group.objects.using("postgres").bulk_create(Group(name=f"g{i}") for i in range(4))
    chunks = _dump()
    manifest_counts = PostgresTarget("postgres").current_facts().row_counts

    tags = _load(chunks)

    assert ("public", "auth_group") in tags.repeated  # the function's text and the data
    counts, counted = _restored(tags)
    assert counted == ["auth_group", "parent", "parted"]
    assert counts == manifest_counts
    assert (counts["auth_group"], counts["parent"], counts["parted"]) == (4, 5, 3)


@pytest.mark.requires_postgres
@pytest.mark.django_db(transaction=True, databases=["default", "postgres"])
@pytest.mark.usefixtures("backup_dir")
@WITH_PG
def test_a_postgres_restore_compares_the_tags_with_the_manifest(
    backup_dir: Path, key: str
) -> None:
    record, result = restore_with_a_row_lost("postgres", "db-postgres", backup_dir, key)

    assert result.warnings == [lost_row_warning(result)]
    assert find_backup(record.backup_id).manifest.row_counts["auth_group"] == 11


# What psql prints, written the way pg_dump quotes and psql echoes -------------------------

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")
_names = st.text(
    st.characters(blacklist_characters="\0", blacklist_categories=["Cs"]), min_size=1, max_size=20
)


def _dump_quoted(name: str) -> str:
    return name if _PLAIN.fullmatch(name) else quote(name)


def _echoed(schema: str, table: str, columns: list[str], rows: int) -> bytes:
    listed = f"({', '.join(map(_dump_quoted, columns))})" if columns else ""
    name = f"{_dump_quoted(schema)}.{_dump_quoted(table)}"
    return f"COPY {name} {listed} FROM stdin;\nCOPY {rows}\n".encode()


@given(
    st.lists(
        st.tuples(_names, _names, st.lists(_names, max_size=3), st.integers(0, 10**12)),
        max_size=8,
        unique_by=lambda table: table[:2],
    )
)
def test_tags_are_matched_whatever_the_names(
    tables: list[tuple[str, str, list[str], int]],
) -> None:
    output = b"SET\nCREATE TABLE\n"
    for schema, table, columns, rows in tables:
        output += _echoed(schema, table, columns, rows) + b"ALTER TABLE\n"
    tags = CopyTags()

    tags.read(io.BytesIO(output))

    assert tags.counts == {(schema, table): rows for schema, table, _columns, rows in tables}
    assert tags.repeated == set()


def test_a_table_named_twice_is_not_trusted() -> None:
    tags = CopyTags()
    echoed = _echoed("public", "t", ["id"], 3)
    tags.read(io.BytesIO(b"CREATE FUNCTION\n" + _echoed("public", "t", ["id"], 9) + echoed))
    assert tags.repeated == {("public", "t")}
