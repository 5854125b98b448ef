"""Rules from settings: parsed strictly, matched by path prefix, URL name and method."""

from typing import Any

import pytest

from prodready_security.ratelimit.keys import by_ip, by_user_or_ip
from prodready_security.ratelimit.rules import RuleError, parse_rule, parse_rules

LOGIN = {
    "name": "login",
    "url_names": ["login", "admin:login"],
    "methods": ["post"],
    "rate": "5/m",
}


def api_key(group: str, request: Any) -> str:
    return "key"


def test_a_full_rule() -> None:
    rule = parse_rule(0, {**LOGIN, "key": "user_or_ip", "fail_open": False, "api": True})
    assert rule.name == "login"
    assert (rule.rate.limit, rule.rate.seconds) == (5, 60)
    assert rule.key is by_user_or_ip
    assert rule.url_names == frozenset({"login", "admin:login"})
    assert rule.methods == frozenset({"POST"})
    assert (rule.fail_open, rule.api) == (False, True)


def test_defaults() -> None:
    rule = parse_rule(0, {"name": "api", "paths": ["/api/"], "rate": "100/h"})
    assert rule.key is by_ip
    assert rule.methods is None
    assert (rule.fail_open, rule.api) == (None, False)


def test_matching() -> None:
    rule = parse_rule(
        0, {"name": "api", "paths": ["/api/", "/v2/"], "rate": "1/m", "methods": ["GET"]}
    )
    assert rule.matches_path("/api/items/")
    assert rule.matches_path("/v2/")
    assert not rule.matches_path("/apiary/")
    assert not rule.matches_path("/pages/")
    assert rule.applies_to_method("GET")
    assert not rule.applies_to_method("POST")
    named = parse_rule(0, LOGIN)
    assert named.matches_url_name("admin:login")
    assert not named.matches_url_name("logout")
    assert not named.matches_url_name(None)


def test_keys() -> None:
    assert parse_rule(0, {**LOGIN, "key": "header:X-Api-Key"}).key_spec == "header:X-Api-Key"
    assert parse_rule(0, {**LOGIN, "key": f"{__name__}.api_key"}).key is api_key


def test_rules_keep_their_order() -> None:
    rules = parse_rules([LOGIN, {"name": "api", "paths": ["/api/"], "rate": "1/s"}])
    assert [rule.name for rule in rules] == ["login", "api"]


@pytest.mark.parametrize(
    ("entry", "check_id", "words"),
    [
        ("login", "prodready_security.E001", "must be a dict"),
        ({"rate": "5/m", "paths": ["/"]}, "prodready_security.E001", "needs a 'name'"),
        ({**LOGIN, "api": "yes"}, "prodready_security.E001", "'api' must be True or False"),
        ({**LOGIN, "rate": "5 per minute"}, "prodready_security.E002", "rule 'login': 'rate'"),
        ({**LOGIN, "rate": None}, "prodready_security.E002", "rule 'login': 'rate'"),
        ({**LOGIN, "key": "cookie"}, "prodready_security.E003", "rule 'login': 'key'"),
        ({**LOGIN, "key": "header:"}, "prodready_security.E003", "'header:'"),
        ({**LOGIN, "key": "nowhere.to.be.found"}, "prodready_security.E003", "cannot import"),
        ({"name": "x", "rate": "1/m"}, "prodready_security.E004", "matches no request"),
        ({**LOGIN, "paths": "/api/"}, "prodready_security.E004", "'paths' must be a list"),
        ({**LOGIN, "methods": ["FETCH"]}, "prodready_security.E004", "'methods' must list"),
        ({**LOGIN, "methds": ["GET"]}, "prodready_security.E005", "Did you mean 'methods'"),
    ],
)
def test_mistakes_name_the_rule_and_the_check(entry: object, check_id: str, words: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(0, entry)
    assert caught.value.check_id == check_id
    assert words in f"{caught.value} {caught.value.hint}"


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(RuleError, match="two rules are named 'login'"):
        parse_rules([LOGIN, LOGIN])
