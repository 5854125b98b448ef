"""Secrets in text and SQL are masked; the text around them, and ordinary text, is kept."""

import pytest
from django.test import override_settings

from prodready_observability.scrub import get_scrubber, scrub_sql, scrub_text
from prodready_observability.scrub.keys import KeyMatcher
from prodready_observability.scrub.values import (
    TextScrubber,
    is_card_number,
    mask_spans,
    passes_luhn,
)
from tests.fake_secrets import fake

F = "[Filtered]"
PEM = fake(
    "-----BEGIN PRIVATE ",
    "KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\n-----END PRIVATE ",
    "KEY-----",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # credentials in URLs of any scheme
        (
            "could not connect to postgresql://shop:S3cr3t@db:5432/shop",
            f"could not connect to postgresql://{F}@db:5432/shop",
        ),
        ("redis://:hunter2@cache:6379/0", f"redis://{F}@cache:6379/0"),
        ("amqp://guest:guest@rabbit:5672//", f"amqp://{F}@rabbit:5672//"),
        ("https://user:pa/ss:w0rd@example.com/x", f"https://{F}@example.com/x"),
        (
            fake("https://x-access-token:", "ghs_abc@github.com/acme"),
            f"https://{F}@github.com/acme",
        ),
        ("mysql+pymysql://root:pw@localhost/db", f"mysql+pymysql://{F}@localhost/db"),
        # name=value and name: value pairs
        ("GET /cb?code=1&access_token=abc123&page=2", f"GET /cb?code=1&access_token={F}&page=2"),
        ("{'password': 'hunter2', 'user': 'bob'}", f"{{'password': '{F}', 'user': 'bob'}}"),
        ('{"client_secret": "two words", "n": 1}', f'{{"client_secret": "{F}", "n": 1}}'),
        ("Authorization: Bearer abc.def.ghi", f"Authorization: {F}"),
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: {F}"),
        ("--password=topsecret --verbose", f"--password={F} --verbose"),
        ("DATABASE_PASSWORD=x1 DEBUG=0", f"DATABASE_PASSWORD={F} DEBUG=0"),
        ("card_number: 4242 4242 4242 4242", f"card_number: {F}"),
        (f"private_key: {PEM} end", f"private_key: {F} end"),
        ("url=postgres://u:p@h/db", f"url=postgres://{F}@h/db"),
        # token shapes, wherever they are
        (fake("key AKIA", "IOSFODNN7EXAMPLE!"), f"key {F}!"),
        (fake("sk_live", "_4eC39HqLyjWDarjtT1zdp7dc"), F),
        (fake("rk_test", "_4eC39HqLyjWDarjtT1zdp7dc"), F),
        (fake("whsec", "_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), F),
        (fake("gh", "p_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"), F),
        (fake("github", "_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz"), F),
        (fake("glpat", "-abcdefghij0123456789"), F),
        (fake("xox", "b-2048-4096-AbCdEfGhIjKlMnOp"), F),
        (fake("https://hooks.slack.com/services/", "T000/B000/XXXX"), f"https://{F}"),
        (fake("AIza", "SyA1234567890abcdefghijklmnopqrstuv"), F),
        (fake("sk-proj-", "abcdefghijklmnopqrstuvwxyz012345"), F),
        (fake("SG", ".abcdefghijklmnopqrstuv.", "a" * 43), F),
        (fake("npm", "_abcdefghijklmnopqrstuvwxyz0123456789"), F),
        (fake("eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiIxMjM0In0", ".sig-Abc_123"), F),
        (f"{PEM}\nafter", f"{F}\nafter"),
        (fake("-----BEGIN RSA PRIVATE ", "KEY-----\nMIIE cut short"), F),
        ("sent with bearer abc123def456", f"sent with {F}"),
        # card numbers that pass Luhn
        ("card 4111 1111 1111 1111 declined", f"card {F} declined"),
        ("card 4111-1111-1111-1111", f"card {F}"),
        ("pan=5555555555554444;", f"pan={F};"),
        ("amex 378282246310005", f"amex {F}"),
    ],
)
def test_secrets_are_masked(text: str, expected: str) -> None:
    assert scrub_text(text) == expected
    # Breadcrumbs are scrubbed when recorded and again with their event.
    assert scrub_text(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Order ORD-1042 could not be charged",
        "Order ORD-20240611-0042 failed; see /srv/shop/orders/views.py line 42",
        "GET /orders/1042/pay/?page=2&sort=-created",
        "https://example.com/users/@bob and mail bob@example.com",
        "https://example.com:8443/health",
        "if token == expected: return",
        "Bearer authentication failed for author bob",
        "Token validation failed",
        "invoice 4111111111111112 (fails the Luhn check)",
        "timestamp 1718000000000 and order 2024061100042",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "ValueError: invalid literal for int() with base 10: 'abc'",
        "ratio: 0.85x, p95: 120 ms",
        "SELECT id FROM auth_user WHERE password = ? AND token = %s AND key = $1",
        "",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert scrub_text(text) == text


@override_settings(PRODREADY_SENTRY_SCRUB_PATTERNS=[r"acme_[0-9a-f]{32}"])
def test_extra_patterns_from_settings() -> None:
    token = "acme_" + "0123456789abcdef" * 2
    assert scrub_text(f"pushed with {token} by ORD-1042") == f"pushed with {F} by ORD-1042"


@override_settings(PRODREADY_SENTRY_SCRUB_PATTERNS=[r"^\d{4}$"])
def test_extra_patterns_apply_to_short_text_too() -> None:
    assert scrub_text("4821") == F


@override_settings(PRODREADY_SENTRY_SCRUB_KEYS=[r"acme.?hmac"])
def test_extra_key_patterns_apply_to_pairs_in_text() -> None:
    assert scrub_text("X-Acme-Hmac: 8f3a order=ORD-1") == f"X-Acme-Hmac: {F} order=ORD-1"


def test_only_clean_text_is_remembered() -> None:
    scrubber = get_scrubber()
    for _ in range(3):
        assert scrub_text("Order ORD-1042 paid by card") == "Order ORD-1042 paid by card"
        assert scrub_text("retry with password=hunter2") == f"retry with password={F}"
    scrubber.forget_clean_text()
    assert scrub_text("retry with password=hunter2") == f"retry with password={F}"


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], "0123456789"),
        ([(2, 4)], f"01{F}456789"),
        ([(6, 8), (2, 4)], f"01{F}45{F}89"),
        ([(2, 6), (4, 8)], f"01{F}89"),
        ([(2, 8), (3, 5)], f"01{F}89"),
        ([(2, 4), (4, 6)], f"01{F}{F}6789"),
    ],
)
def test_overlapping_spans_are_masked_once(spans: list[tuple[int, int]], expected: str) -> None:
    assert mask_spans("0123456789", spans) == expected


def test_a_scrubber_without_extra_patterns_leaves_their_shapes() -> None:
    token = "acme_" + "0123456789abcdef" * 2
    assert TextScrubber(KeyMatcher()).scrub(token) == token


def test_long_text_without_separators_is_fast_enough() -> None:
    # Guards against catastrophic backtracking in the combined expression.
    blob = "A" * 200_000 + "=" + "b" * 200_000
    assert scrub_text(blob) == blob


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert passes_luhn(digits) is valid


@pytest.mark.parametrize(
    ("candidate", "card"),
    [("4111 1111 1111 1111", True), ("4111 1111 1111", False), ("4" + "0" * 19, False)],
)
def test_card_number_length_is_13_to_19_digits(candidate: str, card: bool) -> None:
    assert is_card_number(candidate) is card


# SQL keeps its shape; the literals it carried are replaced.


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
