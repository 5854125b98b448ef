"""Nested data is searched all the way down; secret keys mask their whole value."""

from collections import OrderedDict

from django.test import override_settings

from prodready_observability.scrub import FILTERED, Scrubber, scrub_mapping, scrub_value
from prodready_observability.scrub.walk import MAX_DEPTH
from tests.fake_secrets import fake

F = FILTERED


def test_a_copy_of_settings_databases() -> None:
    databases = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "shop",
            "USER": "shop",
            "PASSWORD": "dbpass",
            "HOST": "db.internal",
            "OPTIONS": {"sslmode": "require", "passfile": "/run/secrets/pgpass"},
        },
        "replica": {"URL": "postgresql://shop:replpass@replica/shop"},
    }
    assert scrub_mapping({"DATABASES": databases}) == {
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "shop",
                "USER": "shop",
                "PASSWORD": F,
                "HOST": "db.internal",
                "OPTIONS": {"sslmode": "require", "passfile": "/run/secrets/pgpass"},
            },
            "replica": {"URL": f"postgresql://{F}@replica/shop"},
        }
    }


def test_a_copy_of_os_environ() -> None:
    environ = {
        "HOME": "/srv/shop",
        "DJANGO_SECRET_KEY": "x",
        "STRIPE_API_KEY": "y",
        "SENTRY_DSN": "https://key@o1.ingest.example.com/1",
        "REDIS_URL": "redis://:redispass@cache:6379/0",
        "GITHUB_TOKEN": "z",
        "DEBUG": "0",
    }
    assert scrub_mapping(environ) == {
        "HOME": "/srv/shop",
        "DJANGO_SECRET_KEY": F,
        "STRIPE_API_KEY": F,
        "SENTRY_DSN": F,
        "REDIS_URL": f"redis://{F}@cache:6379/0",
        "GITHUB_TOKEN": F,
        "DEBUG": "0",
    }


def test_lists_tuples_and_sets_inside_mappings() -> None:
    token = fake("gh", "p_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78")
    value = {"items": [("ORD-1042", token)], "tags": {token}}
    assert scrub_value(value) == {"items": [["ORD-1042", F]], "tags": [F]}


def test_a_secret_key_masks_a_whole_structure() -> None:
    assert scrub_mapping({"credentials": {"user": "bob", "pin": 1234}}) == {"credentials": F}


def test_unset_secrets_stay_visible() -> None:
    assert scrub_mapping({"password": None, "api_token": ""}) == {
        "password": None,
        "api_token": "",
    }


def test_a_key_that_is_itself_a_secret_is_masked() -> None:
    token = fake("sk_", "live_", "51HqAbCdEfGhIjKlMnOpQrSt")
    assert scrub_mapping({token: "user 7"}) == {F: "user 7"}


def test_other_objects_are_returned_as_they_are() -> None:
    marker = object()
    assert scrub_mapping({"order": 1042, "when": marker, "ok": True}) == {
        "order": 1042,
        "when": marker,
        "ok": True,
    }


def test_any_mapping_type_is_walked_and_the_original_left_alone() -> None:
    original = OrderedDict(password="hunter2")
    assert scrub_mapping(original) == {"password": F}
    assert original == {"password": "hunter2"}


def test_self_referencing_data_stops_at_the_depth_limit() -> None:
    loop: dict[str, object] = {"order": "ORD-1042"}
    loop["self"] = loop
    scrubbed: object = scrub_mapping(loop)
    depth = 0
    while isinstance(scrubbed, dict):
        assert scrubbed["order"] == "ORD-1042"
        scrubbed = scrubbed["self"]
        depth += 1
    assert scrubbed == F
    assert depth == MAX_DEPTH


@override_settings(PRODREADY_SENTRY_SCRUB_KEYS=[r"^loyalty.?number$"])
def test_extra_key_patterns_from_settings() -> None:
    assert scrub_mapping({"loyalty_number": "LN-1", "order": "ORD-1"}) == {
        "loyalty_number": F,
        "order": "ORD-1",
    }
    assert Scrubber().mapping({"loyalty_number": "LN-1"}) == {"loyalty_number": "LN-1"}
