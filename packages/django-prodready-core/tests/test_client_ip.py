import pytest
from django.test import RequestFactory, override_settings

from prodready import checks
from prodready.client_ip import client_ip

PROXIES = ["10.0.0.0/8", "192.0.2.1"]


def request(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(PRODREADY_TRUSTED_PROXIES=PROXIES)
@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        # an untrusted peer cannot choose its address with a header
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),
        ("10.1.1.1", "198.51.100.7", "198.51.100.7"),
        # the client prepends a fake hop; the proxy appends the real one
        ("10.1.1.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # two trusted proxies in a row
        ("10.1.1.1", "198.51.100.7, 192.0.2.1", "198.51.100.7"),
        ("10.1.1.1", None, "10.1.1.1"),
        ("10.1.1.1", "not-an-ip, 198.51.100.7", "198.51.100.7"),
        ("10.1.1.1", "198.51.100.7, garbage", "10.1.1.1"),
        ("10.1.1.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(peer, forwarded, expected):
    assert client_ip(request(peer, forwarded)) == expected


def test_no_trusted_proxies_means_the_peer():
    assert client_ip(request("10.1.1.1", "198.51.100.7")) == "10.1.1.1"


@override_settings(PRODREADY_TRUSTED_PROXIES=["10.0.0.0/8", "proxy.internal"])
def test_bad_proxy_entry_is_a_check_error():
    [error] = checks.check_trusted_proxies()
    assert error.id == "prodready.E004"
    assert "'proxy.internal' is not an IP address or network" in error.msg


def test_split_networks_keeps_networks_and_names_what_is_none():
    from prodready.client_ip import split_networks

    networks, rejected = split_networks(
        ["10.0.0.0/8", "192.0.2.10", "nonsense", None, "2001:db8::/32"]
    )

    assert [str(network) for network in networks] == [
        "10.0.0.0/8",
        "192.0.2.10/32",
        "2001:db8::/32",
    ]
    assert rejected == ("nonsense", None)


@override_settings(PRODREADY_TRUSTED_PROXIES=PROXIES)
def test_the_answer_kept_on_the_request_follows_its_headers():
    asked = request("10.1.1.1", "198.51.100.7")
    assert client_ip(asked) == "198.51.100.7"
    asked.META["HTTP_X_FORWARDED_FOR"] = "198.51.100.8"
    assert client_ip(asked) == "198.51.100.8"
    asked.META["REMOTE_ADDR"] = "203.0.113.9"
    assert client_ip(asked) == "203.0.113.9"


def test_the_answer_kept_on_the_request_follows_the_trusted_proxies():
    asked = request("10.1.1.1", "198.51.100.7")
    assert client_ip(asked) == "10.1.1.1"
    with override_settings(PRODREADY_TRUSTED_PROXIES=PROXIES):
        assert client_ip(asked) == "198.51.100.7"
    assert client_ip(asked) == "10.1.1.1"


@override_settings(PRODREADY_TRUSTED_PROXIES=PROXIES)
def test_an_address_seen_before_is_not_parsed_again():
    from prodready.client_ip import _trusted

    client_ip(request("10.1.1.1", "198.51.100.7"))
    before = _trusted().trust.cache_info()
    assert client_ip(request("10.1.1.1", "198.51.100.7")) == "198.51.100.7"
    after = _trusted().trust.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (2, 0)


def test_the_memo_starts_afresh_with_other_proxies():
    with override_settings(PRODREADY_TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(request("10.1.1.1", "198.51.100.7")) == "198.51.100.7"
    with override_settings(PRODREADY_TRUSTED_PROXIES=["192.0.2.1"]):
        assert client_ip(request("10.1.1.1", "198.51.100.7")) == "10.1.1.1"
