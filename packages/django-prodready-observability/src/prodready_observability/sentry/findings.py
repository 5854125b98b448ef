"""Readiness rules for Sentry, for ``manage.py prodready check``.

Ids are stable and never reused:

- ``prodready_observability.R001`` (monitoring) errors are reported to Sentry
- ``prodready_observability.R002`` (performance) tracing samples a share of transactions
- ``prodready_observability.R003`` (security) Sentry sends through prodready's scrubber
- ``prodready_observability.R004`` (monitoring) events carry a release
"""

from __future__ import annotations

import os

import sentry_sdk

from prodready.readiness.findings import Finding
from prodready_observability.conf import conf
from prodready_observability.sentry import chain

FULL_TRACING = 1.0


def sentry_findings() -> list[Finding]:
    return [errors_reported(), traces_sampled(), events_scrubbed(), release_set()]


def errors_reported() -> Finding:
    passed = bool(conf.SENTRY_DSN) or sentry_sdk.get_client().is_active()
    return Finding(
        "prodready_observability.R001",
        "monitoring",
        "Errors are reported to Sentry",
        passed,
        fix="Set PRODREADY_SENTRY_DSN from the environment to your Sentry project's DSN "
        "(Settings > Client Keys), so that errors in production reach someone.",
        weight=3,
        detail="" if passed else "PRODREADY_SENTRY_DSN is not set, so errors are not reported.",
    )


def traces_sampled() -> Finding:
    rate = conf.SENTRY_TRACES_SAMPLE_RATE
    passed = rate is None or rate < FULL_TRACING
    return Finding(
        "prodready_observability.R002",
        "performance",
        "Tracing samples a share of transactions, not all of them",
        passed,
        fix="Set PRODREADY_SENTRY_TRACES_SAMPLE_RATE to 0.1 or less: tracing every request "
        "slows each one down and uses up the Sentry quota.",
        weight=1,
        detail="" if passed else f"PRODREADY_SENTRY_TRACES_SAMPLE_RATE is {rate!r}.",
    )


def events_scrubbed() -> Finding:
    # Something else may have called sentry_sdk.init() without our callbacks.
    client = sentry_sdk.get_client()
    passed = not client.is_active() or client.options.get("before_send") is chain.before_send
    return Finding(
        "prodready_observability.R003",
        "security",
        "Sentry events pass through prodready's scrubber",
        passed,
        fix="Let django-prodready-observability initialise Sentry (remove your own "
        "sentry_sdk.init() call and set PRODREADY_SENTRY_* instead), or pass "
        "**prodready_observability.sentry.sentry_options() to it.",
        weight=3,
        detail=""
        if passed
        else "Sentry was initialised without prodready's before_send, so secrets may leave.",
    )


def release_set() -> Finding:
    client = sentry_sdk.get_client()
    release = (
        conf.SENTRY_RELEASE
        or os.environ.get("SENTRY_RELEASE")
        or (client.options.get("release") if client.is_active() else None)
    )
    passed = bool(release)
    return Finding(
        "prodready_observability.R004",
        "monitoring",
        "Sentry events carry a release",
        passed,
        fix="Set PRODREADY_SENTRY_RELEASE (or the SENTRY_RELEASE environment variable) to the "
        "deployed version, such as the git commit, so errors are tied to a deploy.",
        weight=1,
        detail="" if passed else "No release is set.",
    )
