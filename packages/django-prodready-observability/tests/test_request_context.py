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


class SignedIn:
    is_authenticated = True
    pk = 7


def test_the_user_id_is_read_through_a_lazy_user_without_loading_it() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from django.utils.functional import SimpleLazyObject

    loads: list[str] = []

    def lazy(user: object) -> SimpleLazyObject:
        return SimpleLazyObject(lambda: loads.append("load") or user)

    def user_id(user: object | None) -> str | None:
        request = HttpRequest()
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return context.user_id_of(request)

    not_loaded = lazy(SignedIn())
    assert user_id(not_loaded) is None
    assert loads == []  # a user the view did not need is not loaded for a log line
    anonymous, signed_in = lazy(AnonymousUser()), lazy(SignedIn())
    str(anonymous), str(signed_in)  # loaded, as the view's first use of request.user does
    assert (user_id(anonymous), user_id(signed_in)) == (None, "7")
    assert (user_id(None), user_id(AnonymousUser()), user_id(SignedIn())) == (None, None, "7")
