import re
from typing import Any

import django
import pytest
from django.test import modify_settings, override_settings

from prodready.readiness import core_findings as core_findings_module
from prodready.readiness.core_findings import core_findings
from prodready.readiness.findings import Finding

# Django 6.0 takes ADMINS as plain addresses and deprecates (name, address) pairs.
ADMINS = ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "site", "HOST": "db"}
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Django 6.1 deprecates EMAIL_BACKEND for MAILERS and checks the default mailer itself.
BEFORE_MAILERS = pytest.mark.skipif(django.VERSION >= (6, 1), reason="EMAIL_BACKEND is deprecated")
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r"}
BREAKER_POOL = "prodready.redis_breaker.BreakerConnectionPool"
DEGRADING_REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://r",
    "OPTIONS": {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
        "CONNECTION_POOL_CLASS": BREAKER_POOL,
    },
}
CACHE_SESSIONS = "django.contrib.sessions.backends.cache"
STATIC_ON_DISK = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
STATIC_ELSEWHERE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}


def finding(rule_id: str) -> Finding:
    (found,) = [f for f in core_findings() if f.id == rule_id]
    return found


def test_core_reports_every_rule_once_with_stable_ids():
    assert [f.id for f in core_findings()] == [
        *(f"prodready.R{n:03}" for n in range(1, 12)),
        "prodready.R020",
    ]


def test_every_rule_is_documented_in_the_module_docstring():
    documented = re.findall(r"``(prodready\.R\d{3})``", core_findings_module.__doc__ or "")
    assert documented == [f.id for f in core_findings()]


def test_every_fix_names_a_setting():
    for found in core_findings():
        assert re.search(r"\b[A-Z][A-Z_]{3,}\b", found.fix), found.id


@pytest.mark.parametrize(
    ("rule_id", "overrides", "passed"),
    [
        ("prodready.R001", {"ALLOWED_HOSTS": ["www.example.com"]}, True),
        ("prodready.R001", {"ALLOWED_HOSTS": [".example.com"]}, True),
        ("prodready.R001", {"ALLOWED_HOSTS": ["www.example.com", "*"]}, False),
        ("prodready.R002", {"CACHES": {"default": REDIS}}, True),
        ("prodready.R002", {"CACHES": {"default": LOCMEM}}, False),
        ("prodready.R002", {"CACHES": {"default": REDIS, "sessions": LOCMEM}}, False),
        (
            "prodready.R002",
            {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}},
            False,
        ),
        (
            "prodready.R002",
            {
                "CACHES": {
                    "default": {
                        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                        "LOCATION": "/srv/cache",
                    }
                }
            },
            False,
        ),
        ("prodready.R004", {"LOGGING": {}}, False),
        ("prodready.R004", {"LOGGING": {"version": 1}}, True),
        ("prodready.R004", {"LOGGING": {}, "LOGGING_CONFIG": None}, True),
        ("prodready.R005", {"ADMINS": []}, False),
        ("prodready.R005", {"ADMINS": ADMINS}, True),
        ("prodready.R005", {"ADMINS": ADMINS, "PRODREADY_NOTIFY_CHANNELS": []}, False),
        (
            "prodready.R005",
            {"ADMINS": [], "PRODREADY_NOTIFY_CHANNELS": ["email", "webhook"]},
            False,
        ),
        (
            "prodready.R005",
            {
                "ADMINS": [],
                "PRODREADY_NOTIFY_CHANNELS": ["webhook"],
                "PRODREADY_NOTIFY_WEBHOOK_URL": "https://hooks.example.com/x",
            },
            True,
        ),
        ("prodready.R006", {"PRODREADY_HEALTH_TOKEN": None}, False),
        ("prodready.R006", {"PRODREADY_HEALTH_TOKEN": "short-token"}, False),
        ("prodready.R006", {"PRODREADY_HEALTH_TOKEN": "t" * 32}, True),
        pytest.param("prodready.R008", {"EMAIL_BACKEND": CONSOLE}, False, marks=BEFORE_MAILERS),
        pytest.param(
            "prodready.R008",
            {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
            False,
            marks=BEFORE_MAILERS,
        ),
        pytest.param("prodready.R008", {"EMAIL_BACKEND": SMTP}, True, marks=BEFORE_MAILERS),
        ("prodready.R008", {"MAILERS": {"default": {"BACKEND": SMTP}}}, True),
        ("prodready.R008", {"MAILERS": {"default": {}}}, True),  # SMTP is the default
        (
            "prodready.R008",
            {"MAILERS": {"default": {"BACKEND": SMTP}, "bulk": {"BACKEND": CONSOLE}}},
            False,
        ),
        # Django 6.1 reports this one itself, as mail.E001.
        (
            "prodready.R008",
            {"MAILERS": {"default": {"BACKEND": CONSOLE}}},
            django.VERSION >= (6, 1),
        ),
        ("prodready.R008", {"MAILERS": {}}, False),
        ("prodready.R009", {"STATIC_ROOT": None}, True),  # staticfiles is not installed
        ("prodready.R010", {"CACHES": {"default": LOCMEM}}, True),
        ("prodready.R010", {"CACHES": {"default": DEGRADING_REDIS}}, True),
        ("prodready.R010", {"CACHES": {"default": REDIS}}, False),
        (
            "prodready.R010",
            {"CACHES": {"default": LOCMEM}, "SESSION_ENGINE": CACHE_SESSIONS},
            False,
        ),
        ("prodready.R011", {"ROOT_URLCONF": "tests.urls"}, False),
        ("prodready.R011", {"ROOT_URLCONF": "tests.urls_with_outage_handler"}, True),
    ],
)
def test_rule_outcome(rule_id: str, overrides: dict[str, Any], passed: bool):
    with override_settings(**overrides):
        assert finding(rule_id).passed is passed


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(
    ("rule_id", "databases", "passed"),
    [
        ("prodready.R003", {"default": SQLITE}, True),
        ("prodready.R003", {"default": POSTGRES}, False),
        ("prodready.R003", {"default": {**POSTGRES, "CONN_MAX_AGE": 60}}, True),
        ("prodready.R003", {"default": {**POSTGRES, "CONN_MAX_AGE": None}}, True),
        ("prodready.R003", {"default": {**POSTGRES, "OPTIONS": {"pool": True}}}, True),
        ("prodready.R007", {"default": SQLITE}, False),
        ("prodready.R007", {"default": POSTGRES}, True),
        ("prodready.R007", {"default": POSTGRES, "legacy": SQLITE}, True),
    ],
)
def test_database_rule_outcome(rule_id: str, databases: dict[str, Any], passed: bool):
    with override_settings(DATABASES=databases):
        assert finding(rule_id).passed is passed


@pytest.mark.parametrize(
    ("storages", "static_root", "passed"),
    [
        (STATIC_ON_DISK, None, False),
        (STATIC_ON_DISK, "/srv/static", True),
        (STATIC_ELSEWHERE, None, True),  # a remote storage needs no STATIC_ROOT
    ],
)
def test_static_root_rule_when_staticfiles_is_installed(storages, static_root, passed):
    with (
        modify_settings(INSTALLED_APPS={"append": "django.contrib.staticfiles"}),
        override_settings(STORAGES=storages, STATIC_ROOT=static_root),
    ):
        assert finding("prodready.R009").passed is passed


def test_failures_name_what_was_found():
    with override_settings(CACHES={"default": REDIS, "sessions": LOCMEM}):
        assert finding("prodready.R002").detail == "Per-process cache backend for: sessions."
        assert "CACHES['sessions']['BACKEND']" in finding("prodready.R002").fix
    with override_settings(
        MAILERS={"bulk": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    ):
        assert finding("prodready.R008").detail == "Email is not delivered by: MAILERS['bulk']."
        assert "in MAILERS" in finding("prodready.R008").fix


def test_the_health_token_is_never_shown():
    with override_settings(PRODREADY_HEALTH_TOKEN="s3cr3t-but-short"):
        found = finding("prodready.R006")
    assert found.detail == "PRODREADY_HEALTH_TOKEN has 16 characters."
    assert "s3cr3t" not in found.detail + found.fix + found.title


@pytest.mark.parametrize(
    ("cache", "detail"),
    [
        (
            REDIS,
            "CACHES['default'] raises while Redis is down; CACHES['default'] waits for a "
            "hung Redis without limit (socket_connect_timeout and socket_timeout unset); "
            "CACHES['default'] waits out the timeout on every call while Redis is down "
            "(pool_class).",
        ),
        (
            {**DEGRADING_REDIS, "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_TIMEOUT": 1}},
            "CACHES['default'] waits for a hung Redis without limit (SOCKET_CONNECT_TIMEOUT "
            "unset); CACHES['default'] waits out the timeout on every call while Redis is "
            "down (CONNECTION_POOL_CLASS).",
        ),
        (
            {
                **DEGRADING_REDIS,
                "OPTIONS": {**DEGRADING_REDIS["OPTIONS"], "IGNORE_EXCEPTIONS": False},
            },
            "CACHES['default'] raises while Redis is down.",
        ),
        (
            {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "m"},
            "CACHES['default'] raises while Memcached is down.",
        ),
    ],
)
def test_the_cache_outage_rule_names_each_problem(cache, detail):
    with override_settings(CACHES={"default": cache}):
        found = finding("prodready.R010")
    assert (found.passed, found.detail) == (False, detail)
    assert "IGNORE_EXCEPTIONS" in found.fix
    assert BREAKER_POOL in found.fix


@pytest.mark.parametrize(
    ("overrides", "passed"),
    [
        ({"DJANGO_REDIS_IGNORE_EXCEPTIONS": True}, True),  # django-redis's global switch
        ({"DJANGO_REDIS_IGNORE_EXCEPTIONS": False}, False),
    ],
)
def test_the_cache_outage_rule_reads_django_redis_global_switch(overrides, passed):
    options = dict(DEGRADING_REDIS["OPTIONS"])
    del options["IGNORE_EXCEPTIONS"]
    with override_settings(
        CACHES={"default": {**DEGRADING_REDIS, "OPTIONS": options}}, **overrides
    ):
        assert finding("prodready.R010").passed is passed


def test_the_breaker_pool_may_be_a_subclass():
    options = {**DEGRADING_REDIS["OPTIONS"], "CONNECTION_POOL_CLASS": "tests.pools.OwnPool"}
    with override_settings(CACHES={"default": {**DEGRADING_REDIS, "OPTIONS": options}}):
        assert finding("prodready.R010").passed
    options["CONNECTION_POOL_CLASS"] = "redis.ConnectionPool"
    with override_settings(CACHES={"default": {**DEGRADING_REDIS, "OPTIONS": options}}):
        assert not finding("prodready.R010").passed


def test_the_database_outage_rule_names_the_handler_in_use():
    with override_settings(ROOT_URLCONF="tests.urls"):
        found = finding("prodready.R011")
    assert found.detail == "handler500 is django.views.defaults.server_error."
    assert "handler500 = 'prodready.database_outage.server_error'" in found.fix


def test_without_a_urlconf_there_is_no_page_to_answer_503(settings):
    del settings.ROOT_URLCONF
    assert finding("prodready.R011").passed
