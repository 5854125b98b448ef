"""Well-known shapes of credentials, recognised wherever they appear in text.

Each shape is specific enough (a vendor prefix, a fixed length, a structure) that
ordinary text does not match it. Card numbers are the exception: any long run of
digits could be one, so a candidate is only masked when it passes the Luhn check.
"""

from __future__ import annotations

# name -> regular expression. Every shape starts with a literal character, so the
# combined expression is searched at C speed for those characters only; a shape
# that starts with a letter or digit must also start a word (checked by the text
# scrubber, as ``\b`` would, but without slowing the search).
TOKEN_SHAPES: dict[str, str] = {
    # The whole block, or up to the end of the text if it was cut short.
    "pem_private_key": (
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)"
    ),
    "aws_access_key_id": (
        r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|PKA|ROA|SCA)[A-Z0-9]{16}(?![A-Za-z0-9])"
    ),
    "google_api_key": r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
    "stripe_secret_key": r"sk_(?:live|test)_[0-9A-Za-z]{16,}|rk_(?:live|test)_[0-9A-Za-z]{16,}",
    "stripe_webhook_secret": r"whsec_[0-9A-Za-z+/=]{24,}",
    "github_token": r"gh[pousr]_[0-9A-Za-z]{36,}|github_pat_[0-9A-Za-z_]{22,}",
    "gitlab_token": r"glpat-[0-9A-Za-z_-]{20,}",
    "slack_token": r"xox[abposr]-[0-9A-Za-z-]{10,}",
    "slack_webhook": r"hooks\.slack\.com/services/[0-9A-Za-z/_-]+",
    "openai_anthropic_key": r"sk-(?:proj-|ant-[0-9a-z]+-)?[0-9A-Za-z_-]{20,}",
    "sendgrid_key": r"SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}",
    "npm_token": r"npm_[0-9A-Za-z]{36}",
    "sentry_auth_token": r"sntr[ysu]_[0-9A-Za-z_=+/-]{20,}",
    "jwt": r"eyJ[0-9A-Za-z_-]{6,}\.eyJ[0-9A-Za-z_-]{6,}\.[0-9A-Za-z_-]*",
    # A bearer credential must look like one (a digit or punctuation), so that
    # "bearer authentication failed" stays readable.
    "bearer_credential": (
        r"Bearer\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
        r"|bearer\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
        r"|BEARER\s+(?=[\w.~+/=-]*[0-9.~+/=-])[\w.~+/=-]{8,}"
    ),
}

# 13 to 19 digits, optionally grouped by spaces or dashes, starting like a card
# network (2-6) and not glued to other letters or digits. The look-behind comes
# after the first digit so that the search only stops at a 2 to 6.
CARD_CANDIDATE = r"[2-6](?<![0-9A-Za-z][2-6])[0-9](?:[ -]?[0-9]){11,17}(?![0-9A-Za-z])"


def passes_luhn(digits: str) -> bool:
    """Whether ``digits`` (digits only) has a valid Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and passes_luhn(digits)
