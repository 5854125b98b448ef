"""Secret keys are recognised by pattern, in any spelling; ordinary names are not."""

import pytest

from prodready_observability.scrub.keys import KeyMatcher, key_words, normalise_key


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("aws_secret_access_key", "aws secret access key"),
        ("X-Api-Key", "x api key"),
        ("HTTP_X_API_KEY", "http x api key"),
        ("clientSecret", "client secret"),
        ("APIKEY", "apikey"),
        ("  db.password  ", "db password"),
    ],
)
def test_normalise_key(name: str, normalised: str) -> None:
    assert normalise_key(name) == normalised


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "PASSWORD",
        "new_password1",
        "passwd",
        "pwd",
        "passphrase",
        "api_token",
        "csrftoken",
        "csrfmiddlewaretoken",
        "access_token",
        "client_secret",
        "SECRET_KEY",
        "aws_secret_access_key",
        "AWS_ACCESS_KEY_ID",
        "x-api-key",
        "X-Api-Key",
        "apiKey",
        "APIKEY",
        "private_key",
        "privateKey",
        "Authorization",
        "Proxy-Authorization",
        "auth",
        "credentials",
        "Cookie",
        "Set-Cookie",
        "sessionid",
        "session_key",
        "X-CSRFToken",
        "X-Amz-Signature",
        "sig",
        "SENTRY_DSN",
        "jwt",
        "otp",
        "card_number",
        "cvv",
        "iban",
        "fernet_key",
        # Word by word: every spelling of a secret word, run together or apart.
        "passwords",
        "newPassword",
        "password_confirmation",
        "refresh_tokens",
        "authtoken",
        "xsrf-token",
        "clientsecret",
        "SECRETKEY",
        "privatekey",
        "sessionKey",
        "HTTP_COOKIE",
        "HTTP_AUTHORIZATION",
        "stripe_webhook_signature",
    ],
)
def test_secret_names(name: str) -> None:
    assert KeyMatcher().is_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "author",
        "authors",
        "user",
        "username",
        "email",
        "order",
        "order_id",
        "HOST",
        "PORT",
        "path",
        "cache_key",
        "primary_key",
        "keyboard",
        "monkey",
        "passenger",
        "compass",
        "bypass",
        "Content-Type",
        "User-Agent",
        "X-Request-ID",
        "design",
        "signal",
        # Names that describe a secret (how many, how long, which kind) hold none.
        "token_count",
        "tokens_used",
        "password_length",
        "max_tokens",
        "token_type",
        "session_expiry",
        "SESSION_COOKIE_AGE",
        "PASSWORD_RESET_TIMEOUT",
        # A secret word inside another word is not that word.
        "tokenizer",
        "authority",
        "pinned",
        "passport_country",
    ],
)
def test_ordinary_names(name: str) -> None:
    assert not KeyMatcher().is_secret(name)


@pytest.mark.parametrize("name", ["X-Acme-Hmac", "acme_hmac", "ACMEHMAC", "acme hmac"])
def test_extra_patterns_ignore_case_and_match_written_or_normalised(name: str) -> None:
    matcher = KeyMatcher([r"acme.?hmac"])
    assert matcher.is_secret(name)
    assert not KeyMatcher().is_secret(name)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("new_password1", ["new", "password"]),
        ("X-CSRFToken", ["x", "csrftoken"]),
        ("tokensUsed", ["tokens", "used"]),
        ("uidb64", ["uidb"]),
    ],
)
def test_a_name_is_read_as_words(name: str, words: list[str]) -> None:
    assert key_words(name) == words


def test_extra_patterns_are_not_subject_to_the_describing_words() -> None:
    assert KeyMatcher([r"token_count"]).is_secret("token_count")


def test_the_answer_for_a_name_is_remembered_and_stays_right() -> None:
    matcher = KeyMatcher()
    assert [matcher.is_secret("token") for _ in range(3)] == [True, True, True]
    assert [matcher.is_secret("order") for _ in range(3)] == [False, False, False]
