"""Django's own system checks, deploy checks included, as readiness findings.

Django reports a check only when it fails, so a report built from its messages
alone could only lose points. :data:`DJANGO_RULES` names the deploy checks the
report knows: each one Django did not raise counts as passed, under the rule's
first id. Checks it does not know (another app's, a newer Django's) still
appear, as failures, keeping their own id.

Topics covered here rather than by ``prodready.R*`` findings, because Django
already checks them: DEBUG (``security.W018``), SECRET_KEY strength
(``security.W009``, ``security.W025``), an empty ALLOWED_HOSTS (``security.W020``),
HTTPS redirect (``security.W008``), secure session and CSRF cookies
(``security.W010``-``W012``, ``security.W016``), HSTS (``security.W004``) and,
from Django 6.1, the default mailer's backend (``mail.E001``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import django
from django.core import checks

from prodready.readiness.findings import Category, Finding


@dataclass(frozen=True)
class DjangoRule:
    """Django check ids that fail for one reason, with the report's wording.

    ``needs`` is the first id of a rule Django must pass before it checks this
    one: without SecurityMiddleware, Django stays silent about HSTS because the
    setting has no effect, which the report counts as a failure, not a pass.
    ``since`` is the first Django version that has the check: on older ones
    its silence proves nothing.
    """

    ids: tuple[str, ...]
    title: str
    fix: str
    weight: int
    needs: str = ""
    category: Category = "security"
    since: tuple[int, int] = (5, 2)


SECURITY_MIDDLEWARE = "security.W001"
HSTS = "security.W004"

# Prerequisites come before the rules that need them.
DJANGO_RULES: tuple[DjangoRule, ...] = (
    DjangoRule(
        ("security.W018",),
        "DEBUG is off",
        "Set DEBUG = False in the production settings (for example from an environment "
        "variable that defaults to False).",
        3,
    ),
    DjangoRule(
        ("security.W009", "security.W025"),
        "SECRET_KEY is long and random",
        "Set SECRET_KEY (and every entry of SECRET_KEY_FALLBACKS) from the environment to a "
        "random value of at least 50 characters, for example from "
        "django.core.management.utils.get_random_secret_key().",
        3,
    ),
    DjangoRule(
        ("security.W020",),
        "ALLOWED_HOSTS is set",
        "Set ALLOWED_HOSTS to the domain names the site answers to, e.g. ['www.example.com'].",
        3,
    ),
    DjangoRule(
        ("security.W003",),
        "CSRF protection is on",
        "Add 'django.middleware.csrf.CsrfViewMiddleware' to MIDDLEWARE.",
        3,
    ),
    DjangoRule(
        ("security.W012", "security.W010", "security.W011"),
        "Session cookie is sent over HTTPS only",
        "Set SESSION_COOKIE_SECURE = True.",
        3,
    ),
    DjangoRule(
        ("security.W015", "security.W013", "security.W014"),
        "Session cookie is hidden from JavaScript",
        "Set SESSION_COOKIE_HTTPONLY = True (Django's default).",
        2,
    ),
    DjangoRule(
        ("security.W016",),
        "CSRF cookie is sent over HTTPS only",
        "Set CSRF_COOKIE_SECURE = True.",
        2,
        needs="security.W003",
    ),
    DjangoRule(
        (SECURITY_MIDDLEWARE,),
        "SecurityMiddleware is installed",
        "Add 'django.middleware.security.SecurityMiddleware' at the top of MIDDLEWARE.",
        2,
    ),
    DjangoRule(
        ("security.W008",),
        "HTTP requests are redirected to HTTPS",
        "Set SECURE_SSL_REDIRECT = True; behind a proxy that terminates TLS also set "
        "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https'), or silence "
        "security.W008 if the proxy itself redirects to HTTPS.",
        2,
        needs=SECURITY_MIDDLEWARE,
    ),
    DjangoRule(
        (HSTS,),
        "HSTS tells browsers to use HTTPS only",
        "Set SECURE_HSTS_SECONDS (start with 3600, raise it to 31536000 once every page "
        "works over HTTPS).",
        2,
        needs=SECURITY_MIDDLEWARE,
    ),
    DjangoRule(
        ("security.W005",),
        "HSTS covers subdomains",
        "Set SECURE_HSTS_INCLUDE_SUBDOMAINS = True once every subdomain is served over HTTPS.",
        1,
        needs=HSTS,
    ),
    DjangoRule(
        ("security.W021",),
        "HSTS preload is allowed",
        "Set SECURE_HSTS_PRELOAD = True if the domain is to join the browsers' preload list.",
        1,
        needs=HSTS,
    ),
    DjangoRule(
        ("security.W006",),
        "Browsers do not guess content types",
        "Set SECURE_CONTENT_TYPE_NOSNIFF = True (Django's default).",
        1,
        needs=SECURITY_MIDDLEWARE,
    ),
    DjangoRule(
        ("security.W022", "security.E023"),
        "A Referrer-Policy header is sent",
        "Set SECURE_REFERRER_POLICY to a valid policy such as 'same-origin' (Django's default).",
        1,
        needs=SECURITY_MIDDLEWARE,
    ),
    DjangoRule(
        ("security.E024",),
        "A valid Cross-Origin-Opener-Policy header is sent",
        "Set SECURE_CROSS_ORIGIN_OPENER_POLICY to 'same-origin' (Django's default), "
        "'same-origin-allow-popups' or 'unsafe-none'.",
        1,
        needs=SECURITY_MIDDLEWARE,
    ),
    DjangoRule(
        ("security.W002", "security.W019"),
        "Pages cannot be framed by other sites",
        "Add 'django.middleware.clickjacking.XFrameOptionsMiddleware' to MIDDLEWARE and set "
        "X_FRAME_OPTIONS = 'DENY'.",
        1,
    ),
    DjangoRule(
        ("mail.E001",),
        "The default mailer delivers email",
        "Set MAILERS['default']['BACKEND'] to a backend that delivers, such as "
        "'django.core.mail.backends.smtp.EmailBackend'.",
        2,
        category="deployment",
        since=(6, 1),
    ),
)

# Where a check id's prefix says which category it belongs to; the rest is security.
PREFIX_CATEGORIES: dict[str, Category] = {
    "caches": "performance",
    "database": "deployment",
    "models": "deployment",
    "fields": "deployment",
    "urls": "deployment",
    "templates": "deployment",
    "staticfiles": "deployment",
    "translation": "deployment",
    "files": "deployment",
    "mail": "deployment",
    "async": "deployment",
    "signals": "deployment",
    "contenttypes": "deployment",
    "prodready": "deployment",
}
# Core's own checks whose subject is a category of its own.
ID_CATEGORIES: dict[str, Category] = {
    "prodready.E010": "monitoring",
    "prodready.E011": "monitoring",
}


# Core's checks that say in `check --deploy` what a prodready.R* rule already scores:
# the report counts each problem once, under the rule.
SCORED_BY_RULES = {"prodready.W010": "prodready.R005"}


def run_django_checks() -> list[checks.CheckMessage]:
    """Every registered system check, deploy checks included, at warning level or worse."""
    messages = checks.run_checks(include_deployment_checks=True)
    return [m for m in messages if m.level >= checks.WARNING and m.id not in SCORED_BY_RULES]


def django_findings(messages: Iterable[checks.CheckMessage]) -> list[Finding]:
    """One finding per check id raised, plus one per known rule, raised or not.

    ``run_checks()`` returns silenced messages too (only management commands
    hide them), so a known rule that was not raised really passed; silenced
    ids are left out of the report later, with PRODREADY_READINESS_SILENCED.
    """
    by_id: dict[str, list[checks.CheckMessage]] = {}
    for message in messages:
        by_id.setdefault(str(message.id or "django.unknown"), []).append(message)
    findings = [_raised_finding(check_id, found) for check_id, found in by_id.items()]
    failed: dict[str, Finding] = {}  # by the rule's first id
    for rule in known_rules():
        primary = rule.ids[0]
        raised = next((f for f in findings if f.id in rule.ids), None)
        if raised is not None:
            failed[primary] = raised
        elif rule.needs in failed:
            failed[primary] = _blocked_finding(rule, failed[rule.needs])
            findings.append(failed[primary])
        else:
            findings.append(Finding(primary, rule.category, rule.title, True, weight=rule.weight))
    return findings


def known_rules() -> tuple[DjangoRule, ...]:
    """The rules the running Django version checks."""
    return tuple(rule for rule in DJANGO_RULES if django.VERSION[:2] >= rule.since)


def _raised_finding(check_id: str, messages: list[checks.CheckMessage]) -> Finding:
    # A check may fire once per object (each SECRET_KEY_FALLBACKS entry, each model).
    texts = list(dict.fromkeys(str(m.msg) for m in messages))
    rule = next((r for r in DJANGO_RULES if check_id in r.ids), None)
    if rule is not None:
        return Finding(
            check_id, rule.category, rule.title, False, rule.fix, rule.weight, " ".join(texts)
        )
    title, _, rest = texts[0].partition(". ")
    hint = next((str(m.hint) for m in messages if m.hint), "")
    return Finding(
        check_id,
        _category_of(check_id),
        title.rstrip("."),
        passed=False,
        fix=hint or f"Change what the message names (system check {check_id}).",
        weight=3 if any(m.level >= checks.ERROR for m in messages) else 2,
        detail=" ".join([rest, *texts[1:]]).strip(),
    )


def _blocked_finding(rule: DjangoRule, prerequisite: Finding) -> Finding:
    return Finding(
        rule.ids[0],
        rule.category,
        rule.title,
        passed=False,
        fix=f"{prerequisite.fix} {rule.fix}",
        weight=rule.weight,
        detail=f"Not in effect while '{prerequisite.title}' fails ({prerequisite.id}).",
    )


def _category_of(check_id: str) -> Category:
    if check_id in ID_CATEGORIES:
        return ID_CATEGORIES[check_id]
    return PREFIX_CATEGORIES.get(check_id.partition(".")[0], "security")
