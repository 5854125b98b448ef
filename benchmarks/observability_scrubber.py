"""Cost per event of prodready's Sentry scrubber, against sentry-sdk's own EventScrubber.

Real events are made by sentry-sdk itself (an error raised ten frames deep with
local variables, a logged error, a traced request with database and HTTP spans),
each with a request, breadcrumbs, tags and contexts, and with secrets planted in
them. Both scrubbers then run on identical copies of every event: prodready's
whole chain as Sentry calls it (``before_send`` / ``before_send_transaction``,
plugin hooks included) and sentry-sdk's default ``EventScrubber``. Prints the
median microseconds per event of each and their ratio, prodready's both at first
sight and for an event seen before (text found clean is cached), and how many
planted secrets each scrubber leaves behind. Needs only the packages; exits
non-zero only on errors.

    python benchmarks/observability_scrubber.py [--events 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, cast

Event = dict[str, Any]

SECRETS = [
    "pgpass-Zx81Kd",
    "redispass-Qm47",
    "dbpass-7Hq2xV9",
    "envsecret-Lk22",
    "tok-Vb62Nn",
    "hunter2-Xy",
    "qs-token-Uu88",
    "sigval-Ab12",
    "sqllit-Ee34",
    "4111 1111 1111 1111",
    "gh" + "p_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78",  # joined: not a literal token
]
ORDINARY = "Order ORD-1042 could not be charged"


def setup_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="benchmark-only",
        INSTALLED_APPS=["prodready", "prodready_observability"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        LOGGING_CONFIG=None,
    )
    django.setup()


# --- making real events with sentry-sdk ------------------------------------------


def make_events() -> dict[str, Event]:
    """One event of each kind, as sentry-sdk hands them to ``before_send``."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    made: dict[str, Event] = {}

    class Discard(Transport):
        def capture_envelope(self, envelope: Any) -> None:
            pass

    def keep(kind: str) -> Any:  # sentry-sdk's callback types are TypedDicts
        def before(event: Event, hint: Any) -> None:
            made[kind] = json.loads(json.dumps(event, default=str))  # plain data, as sent

        return before

    sentry_sdk.init(
        dsn="https://public@sentry.example.com/1",
        transport=Discard(),
        traces_sample_rate=1.0,
        default_integrations=False,
        data_collection={"cookies": {"mode": "denylist", "terms": []}},
        before_send=lambda event, hint: keep("log error" if "logentry" in event else "error")(
            event, hint
        ),
        before_send_transaction=keep("transaction"),
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.add_event_processor(cast(Any, _add_request))
        scope.set_tag("order", "ORD-1042")
        scope.set_context("payment", {"note": f"card {SECRETS[9]}", "order": "ORD-1042"})
        for number in range(30):
            sentry_sdk.add_breadcrumb(
                category="query" if number % 2 else "log",
                message=f"SELECT * FROM shop_order WHERE ref = '{SECRETS[8]}' AND id = {number}"
                if number % 2
                else f"charging ORD-{number} through redis://:{SECRETS[1]}@cache:6379/0",
                data={"attempt": number, "api_token": SECRETS[4]},
            )
        with sentry_sdk.start_transaction(name="/orders/{order}/pay/", op="http.server"):
            for number in range(20):
                with sentry_sdk.start_span(
                    op="db", name=f"SELECT * FROM shop_order WHERE ref = '{SECRETS[8]}{number}'"
                ):
                    pass
            with sentry_sdk.start_span(op="http.client", name="POST https://pay.example.com/v1"):
                pass
            try:
                _frame(10, "ORD-1042")
            except RuntimeError:
                sentry_sdk.capture_exception()
            _log_error()
    sentry_sdk.get_client().close()
    return made


def _frame(depth: int, caller: Any = None) -> None:
    # Locals of every frame: what an error in real code carries.
    settings_copy = {"default": {"HOST": "db", "USER": "shop", "PASSWORD": SECRETS[2]}}
    environ_copy = {f"VAR_{n}": f"value {n}" for n in range(8)} | {"API_SECRET": SECRETS[3]}
    api_token = SECRETS[4]
    order = {"id": "ORD-1042", "lines": [{"sku": f"SKU-{n}", "qty": n} for n in range(5)]}
    if depth:
        caller = {"settings": settings_copy, "environ": environ_copy, "api_token": api_token}
        _frame(depth - 1, caller | {"order": order})
    try:
        raise ConnectionError(f"redis://:{SECRETS[1]}@cache:6379/0 refused")
    except ConnectionError as exc:
        pg = f"postgresql://shop:{SECRETS[0]}@db:5432/shop"
        raise RuntimeError(f"{ORDINARY} via {pg}") from exc


def _log_error() -> None:
    from sentry_sdk.integrations.logging import EventHandler

    logger = logging.getLogger("shop.payments")
    logger.addHandler(EventHandler(level=logging.ERROR))
    logger.propagate = False
    logger.error(
        "%s: sync of %s failed with %r",
        ORDINARY,
        f"https://deploy:{SECRETS[0]}@git.example.com/shop.git",
        {"password": SECRETS[5], "order": "ORD-1042"},
        extra={"client_secret": SECRETS[3]},
    )


def _add_request(event: Event, hint: Any) -> Event:
    event["request"] = {
        "url": "https://shop.example.com/orders/ORD-1042/pay/",
        "method": "POST",
        "query_string": f"signature={SECRETS[7]}&page=2",
        "headers": {
            "Host": "shop.example.com",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
            "Accept": "text/html",
            "Accept-Language": "en-GB",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://shop.example.com/cb?signature={SECRETS[7]}",
            "X-Acme-Signature": SECRETS[7],
            "X-Request-ID": "4f1c2a",
        },
        "cookies": {"sessionid": "abc", "remember": SECRETS[6]},
        "data": {"password": SECRETS[5], "card": SECRETS[9], "order": "ORD-1042"},
        "env": {"SERVER_NAME": "shop.example.com", "SERVER_PORT": "443"},
    }
    return event


# --- timing ------------------------------------------------------------------------


def per_event_us(
    scrub: Callable[[Event], Any],
    event: Event,
    count: int,
    runs: int,
    before_each: Callable[[], None] = lambda: None,
) -> float:
    """Median over ``runs`` of the microseconds ``scrub`` takes per copy of ``event``."""
    timings = []
    for _ in range(runs):
        copies = [copy.deepcopy(event) for _ in range(count)]
        gc.collect()
        elapsed = 0.0
        for item in copies:
            before_each()
            started = time.perf_counter()
            scrub(item)
            elapsed += time.perf_counter() - started
        timings.append(elapsed / count * 1e6)
    return statistics.median(timings)


def secrets_left(scrub: Callable[[Event], Any], event: Event) -> int:
    from sentry_sdk.serializer import serialize

    item = copy.deepcopy(event)
    result = scrub(item)
    sent = json.dumps(serialize(item if result is None else result))  # as it would be sent
    return sum(secret in sent for secret in SECRETS if secret in json.dumps(event))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="copies per event kind and run")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_django()
    from sentry_sdk.scrubber import EventScrubber

    from prodready_observability.scrub import get_scrubber
    from prodready_observability.sentry import before_send, before_send_transaction

    events = make_events()
    if set(events) != {"error", "log error", "transaction"}:
        print(f"error: sentry-sdk made {sorted(events)}", file=sys.stderr)
        return 1
    sentry_scrubber = EventScrubber(send_default_pii=False)

    def ours(event: Event) -> Any:
        if event.get("type") == "transaction":
            return before_send_transaction(event, {})
        return before_send(event, {})

    def theirs(event: Event) -> Any:
        sentry_scrubber.scrub_event(event)  # type: ignore[arg-type]
        return event

    print(
        f"scrubber cost per event: {args.events} copies per kind, median of {args.runs} runs "
        f"(Python {sys.version.split()[0]})"
    )
    print(
        "prodready, first sight: nothing cached; repeated: text seen clean before is "
        "remembered (the same code paths fail again and again)"
    )
    header = ["event", "bytes", "sentry-sdk µs", "first sight µs", "ratio", "repeated µs"]
    print(f"{header[0]:<12}{header[1]:>7}" + "".join(f"{h:>16}" for h in header[2:]))
    totals = [0.0, 0.0, 0.0]
    for kind, event in events.items():
        baseline = per_event_us(theirs, event, args.events, args.runs)
        cold = per_event_us(
            ours, event, args.events, args.runs, before_each=get_scrubber().forget_clean_text
        )
        warm = per_event_us(ours, event, args.events, args.runs)
        for index, value in enumerate((baseline, cold, warm)):
            totals[index] += value
        print(
            f"{kind:<12}{len(json.dumps(event)):>7}{baseline:>16.1f}{cold:>16.1f}"
            f"{cold / baseline:>15.1f}x{warm:>16.1f}"
        )
    baseline, cold, warm = (total / len(events) for total in totals)
    print(
        f"{'mean':<12}{'':>7}{baseline:>16.1f}{cold:>16.1f}{cold / baseline:>15.1f}x{warm:>16.1f}"
    )
    print("planted secrets left in what would be sent:")
    for kind, event in events.items():
        planted = sum(secret in json.dumps(event) for secret in SECRETS)
        print(
            f"  {kind:<12} prodready {secrets_left(ours, event)}/{planted}, "
            f"sentry-sdk EventScrubber {secrets_left(theirs, event)}/{planted}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
