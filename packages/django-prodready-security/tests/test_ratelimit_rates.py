"""Rate strings: django-ratelimit's syntax, parsed strictly."""

import pytest

from prodready_security.ratelimit.rates import InvalidRate, Rate, parse_rate


@pytest.mark.parametrize(
    ("text", "limit", "seconds"),
    [
        ("5/s", 5, 1),
        ("5/m", 5, 60),
        ("100/h", 100, 3600),
        ("1000/d", 1000, 86400),
        ("5/15m", 5, 900),
        ("0/m", 0, 60),
    ],
)
def test_valid_rates(text: str, limit: int, seconds: int) -> None:
    assert parse_rate(text) == Rate(limit, seconds, text)


@pytest.mark.parametrize(
    "text",
    ["5 per minute", "5/x", "5/", "/m", "5/M", " 5/m", "5/m ", "-1/m", "5/0m", "5", "", None, 5],
)
def test_malformed_rates_are_refused(text: object) -> None:
    with pytest.raises(InvalidRate, match=r"expected a rate like '5/m'|period of .* is zero"):
        parse_rate(text)
