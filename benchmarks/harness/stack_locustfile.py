"""The locust users of ``stack_load_test.py``: staff, anonymous visitors and a probe.

Run by ``locust -f`` in a child process; its settings come as JSON in
``PRODREADY_BENCH_LOAD`` (the session cookie's name and the keys of signed-in,
2FA-verified staff sessions, the proxy headers nginx would add, the think time, and
where to write the results). Every request must answer 200 itself: redirects are not
followed, so a session sent to log in or to 2FA counts as a failure, not a success.

Response times are recorded exactly (locust's own percentiles are rounded to two
significant digits) once every user has started, so the burst of the start is left
out; failures are counted from the first request. Both are written as JSON when
locust quits.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import Counter, defaultdict
from typing import Any

from locust import FastHttpUser, between, constant, events, task

CONFIG = json.loads(os.environ["PRODREADY_BENCH_LOAD"])
_sessions = itertools.cycle(CONFIG["sessions"])
_times: dict[str, list[float]] = defaultdict(list)
_failures: dict[str, Counter[str]] = defaultdict(Counter)
_measuring = 0.0  # when every user had started (time.monotonic()), or 0 before


class Page(FastHttpUser):
    abstract = True
    headers: dict[str, str] = {}

    def on_start(self) -> None:
        self.headers = dict(CONFIG["headers"])

    def page(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location") if response.headers else None
                response.failure(f"{response.status_code}" + (f" to {where}" if where else ""))


class Staff(Page):
    """A signed-in, 2FA-verified staff member going through the site's staff pages."""

    weight = 3
    wait_time = between(*CONFIG["wait"])

    def on_start(self) -> None:
        super().on_start()
        self.headers["Cookie"] = f"{CONFIG['cookie']}={next(_sessions)}"

    @task(3)
    def dashboard(self) -> None:
        # Composed of every package's cards: health, backups, 2FA, audit, metrics.
        self.page("/ops/", "operations dashboard")

    @task(3)
    def lessons(self) -> None:
        self.page("/school/lessons/", "lessons")

    @task(2)
    def invoices(self) -> None:
        self.page("/school/invoices/", "invoices")

    @task(1)
    def audit_log(self) -> None:
        self.page("/security/audit/", "audit log")

    @task(1)
    def health(self) -> None:
        self.page("/health/", "health report")


class Visitor(Page):
    """Someone who is not signed in, opening the login page."""

    weight = 1
    wait_time = between(*CONFIG["wait"])

    @task
    def login_page(self) -> None:
        self.page("/accounts/login/", "login page")


class Probe(Page):
    """The orchestrator's probes, each once a second, as Kubernetes would send them."""

    fixed_count = 1
    wait_time = constant(1)

    @task
    def probes(self) -> None:
        self.page("/health/live", "liveness probe")
        self.page("/health/ready", "readiness probe")


def _record(
    name: str, response_time: float, exception: BaseException | None, **kwargs: Any
) -> None:
    if _measuring:
        _times[name].append(response_time)
    if exception is not None:
        _failures[name][str(exception)] += 1


def _start_measuring(**kwargs: Any) -> None:
    """Every user has started: from now on the load is steady, and timed."""
    global _measuring
    _measuring = time.monotonic()


def _write(**kwargs: Any) -> None:
    seconds = time.monotonic() - _measuring if _measuring else 0.0
    with open(CONFIG["output"], "w") as output:
        json.dump({"times": _times, "failures": _failures, "seconds": seconds}, output)


events.request.add_listener(_record)  # type: ignore[no-untyped-call, unused-ignore]
events.spawning_complete.add_listener(_start_measuring)  # type: ignore[no-untyped-call, unused-ignore]
events.quitting.add_listener(_write)  # type: ignore[no-untyped-call, unused-ignore]
