"""Which incoming request ids are kept, and that bad ones are replaced, never echoed."""

from __future__ import annotations

import re

import pytest

from prodready_observability import context

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    "value",
    ["a", "abc-123", "0f6e1b2c.trace_7", "A" * 64, "4bf92f3577b34da6a3ce929d0e0e4736"],
)
def test_well_formed_ids_are_kept(value: str) -> None:
    assert context.incoming_or_new(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "A" * 65,
        "x" * 100_000,
        "id with spaces",
        "id\r\nSet-Cookie: a=b",
        "<script>",
        "ünïcode",
        "a/b",
        "id\x00",
        "abc\n",
        42,
    ],
)
def test_malformed_ids_are_replaced(value: object) -> None:
    replaced = context.incoming_or_new(value)
    assert replaced != value
    assert GENERATED.fullmatch(replaced)


def test_generated_ids_differ() -> None:
    assert context.new_request_id() != context.new_request_id()


def test_bind_and_unbind_restore_the_outer_context() -> None:
    outer = context.bind("outer", None, "7")
    inner = context.bind("inner")
    assert (context.current_request_id(), context.current_user_id()) == ("inner", None)
    context.unbind(inner)
    assert (context.current_request_id(), context.current_user_id()) == ("outer", "7")
    context.unbind(outer)
    assert context.current_request_id() is None
