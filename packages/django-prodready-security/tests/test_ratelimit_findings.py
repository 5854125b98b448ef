"""Readiness findings of rate limiting, through core's hook."""

from typing import Any

import pytest
from django.test import override_settings

from prodready import hooks
from prodready.readiness.findings import Finding

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DJANGO_REDIS = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1/5"}
TIMEOUTS = {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}


def ours() -> dict[str, Finding]:
    return {
        finding.id: finding
        for finding in hooks.readiness_findings()
        if finding.id.startswith("prodready_security.R00")
    }


def test_a_per_process_cache_fails_with_the_fix() -> None:
    with override_settings(CACHES={"default": LOCMEM}):
        finding = ours()["prodready_security.R001"]
    assert not finding.passed
    assert "LocMemCache keeps counts in each process" in finding.detail
    assert "django_redis.cache.RedisCache" in finding.fix


@pytest.mark.parametrize(
    ("cache", "passed"),
    [
        ({"BACKEND": "django.core.cache.backends.dummy.DummyCache"}, False),
        ({"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}, False),
        (DJANGO_REDIS, True),
    ],
)
def test_shared_cache(cache: dict[str, Any], passed: bool) -> None:
    caches = {"default": LOCMEM, "ratelimit": cache}
    with override_settings(CACHES=caches, PRODREADY_RATELIMIT_CACHE="ratelimit"):
        assert ours()["prodready_security.R001"].passed is passed


@pytest.mark.parametrize(
    ("cache", "passed"),
    [
        (DJANGO_REDIS, False),
        ({**DJANGO_REDIS, "OPTIONS": TIMEOUTS}, True),
        (
            {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            },
            True,
        ),
    ],
)
def test_redis_timeouts(cache: dict[str, Any], passed: bool) -> None:
    with override_settings(CACHES={"default": cache}):
        assert ours()["prodready_security.R002"].passed is passed


def test_no_timeout_finding_for_a_cache_that_is_not_redis() -> None:
    with override_settings(CACHES={"default": LOCMEM}):
        assert "prodready_security.R002" not in ours()


@pytest.mark.parametrize(
    ("overrides", "passed"),
    [
        ({}, True),
        ({"PRODREADY_TRUSTED_PROXIES": ["10.0.0.0/8"]}, False),
        (
            {
                "PRODREADY_TRUSTED_PROXIES": ["10.0.0.0/8"],
                "RATELIMIT_IP_META_KEY": "prodready.client_ip.client_ip",
            },
            True,
        ),
    ],
)
def test_the_decorator_resolves_addresses_like_the_middleware(
    overrides: dict[str, Any], passed: bool
) -> None:
    with override_settings(**overrides):
        assert ours()["prodready_security.R003"].passed is passed


def test_an_unknown_cache_alias_is_left_to_the_system_check() -> None:
    with override_settings(PRODREADY_RATELIMIT_CACHE="nowhere"):
        assert sorted(ours()) == ["prodready_security.R003"]
