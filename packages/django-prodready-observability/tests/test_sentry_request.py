"""Request headers: only the allowlist keeps its values, and never a credential's."""

from prodready_observability.scrub import FILTERED, Scrubber
from prodready_observability.sentry.request import scrub_headers

ALLOWLIST = frozenset({"user-agent", "content-type", "authorization"})


def test_headers_off_the_allowlist_keep_their_name_not_their_value() -> None:
    request = {
        "headers": {
            "User-Agent": "curl/8.0",
            "content-type": "application/json",
            "X-Acme-Signature": "sigval",
            "X-Forwarded-For": "203.0.113.7",
        }
    }
    scrub_headers(request, ALLOWLIST, Scrubber())
    assert request["headers"] == {
        "User-Agent": "curl/8.0",
        "content-type": "application/json",
        "X-Acme-Signature": FILTERED,
        "X-Forwarded-For": FILTERED,
    }


def test_an_allowlisted_credential_header_is_still_masked() -> None:
    request = {"headers": {"Authorization": "Bearer abc"}}
    scrub_headers(request, ALLOWLIST, Scrubber())
    assert request["headers"] == {"Authorization": FILTERED}


def test_headers_as_name_value_pairs() -> None:
    request = {"headers": [["User-Agent", "curl/8.0"], ["X-Api-Key", "k"], "garbage"]}
    scrub_headers(request, ALLOWLIST, Scrubber())
    assert request["headers"] == [["User-Agent", "curl/8.0"], ["X-Api-Key", FILTERED]]


def test_a_request_without_headers_is_left_alone() -> None:
    request = {"url": "https://shop.example.com/"}
    scrub_headers(request, ALLOWLIST, Scrubber())
    assert request == {"url": "https://shop.example.com/"}
