"""Audited saves from concurrent writer processes on PostgreSQL: today's log against the old one.

Each design gets its own scratch database and the same rounds, each of 8 writer
processes saving a tracked model (``auth.Group``) in their own transactions, as
fast as they can, for a fixed time:

- untracked: the same saves with nothing tracked, the cost of the save itself;
- tracked: every save is an audit event (``model.updated``);
- blocked: the same, while another process holds a transaction with an audited
  change open for the whole round (a CSV import, a slow view under
  ``ATOMIC_REQUESTS``).

Saves run in autocommit, as a view without ``ATOMIC_REQUESTS`` makes them: today's
log stores the event with the save's own UPDATE statement (``audit.same_statement``),
where designs before it committed the save, then their event's INSERT on its own.
``--atomic`` wraps each save in ``transaction.atomic()``, as ``ATOMIC_REQUESTS`` does.

With ``--repeat N`` each design's three rounds run N times and each figure is the
median over the passes; the designs take turns pass by pass, in alternating order
(A B C, C B A, ...), so that a drift of the machine falls on all of them. It prints
events/s, p50 and p99 of a save's time and the p99 added by auditing
(tracked minus untracked), the blocked round's throughput as a share of the
tracked one, and for the sealed design the delay from an event's creation (its
commit follows in the same autocommit statement) to its sealing, p50 and p99.
``audit verify`` must pass after each design (exit status 1 otherwise).

``--floors`` adds rounds that no audit design can beat, with nothing tracked: each
save followed by one INSERT of an event-shaped row by raw SQL (any design whose
application writes its event with a statement of its own), and each save's event
inserted by a trigger on the saved table inside the UPDATE itself (capture by the
database, as django-pghistory does); neither hashes, seals nor builds a diff. The
trigger's round runs once more with a process sealing what it inserts as the sealer
threads do, a pass every ``DEBOUNCE`` seconds: the best a design that captures by
trigger and seals could do. The last is the blocked round with nothing tracked: what a
transaction held open costs the other writers' saves (PostgreSQL keeps every row version
it might still need) without any audit log.

``--prepared`` connects with prepared statements, as a site can configure in
``DATABASES["default"]["OPTIONS"]`` (Django leaves them off, for connection poolers):
``server_side_binding`` and psycopg's ``prepare_threshold`` of 5, so a statement a
connection repeats is parsed and planned once, not on every save.

``--anchors`` runs the same rounds on what teams install instead, each on a scratch
database of its own: django-auditlog (signal receivers: a SELECT of the row and an
INSERT of its entry per save) and django-pghistory (a trigger stores a snapshot of the
row inside the save's UPDATE). Neither hashes, chains nor seals: they show what the
tamper evidence costs next to logs without it.

"old" is the audit log before sealing existed (every append locked the chain's head
row until its transaction ended): ``prodready_security`` at ``OLD_DESIGN``, taken
from git into a temporary directory and put first on ``sys.path``; ``--baseline
COMMIT`` compares against another commit instead (a sealing design prints its seal
delays too). Without git history, only the current design runs and the figures are
compared against the issue's stated 300 events/s.

Needs PostgreSQL at ``PRODREADY_TEST_POSTGRES`` (default 127.0.0.1:5432, user
``PRODREADY_TEST_POSTGRES_USER``, default postgres).

    python benchmarks/security_audit_append.py [--seconds 5] [--writers 8] [--repeat 1]
        [--baseline COMMIT] [--atomic] [--floors] [--prepared] [--anchors]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# main before the sealer: every append locked the chain head until commit.
OLD_DESIGN = "763a26d23c21aab6d6313ab187d04ccd9ab9b45d"
PACKAGE_SRC = "packages/django-prodready-security/src"
STATED_BASELINE = 300.0  # events/s, issue 13, 4 writers on the old design
# Set for the writers by --prepared (they are spawned: they read the environment).
PREPARED_VARIABLE = "PRODREADY_BENCH_PREPARED"
PREPARED = {"server_side_binding": True, "prepare_threshold": 5}
# Set for an anchor's processes by --anchors: which of them tracks the saves.
ANCHOR_VARIABLE = "PRODREADY_BENCH_ANCHOR"
# What teams install instead (the bench dependency group), neither hashing nor chaining:
# its Django apps, and its name with how it captures a save.
ANCHORS = {
    "auditlog": (["auditlog"], "django-auditlog (signals)"),
    "pghistory": (
        ["pgtrigger", "pghistory", "harness.audit_history"],
        "django-pghistory (trigger)",
    ),
}


def database_settings(name: str) -> dict[str, Any]:
    host, _, port = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": host,
        "PORT": port,
        "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
        "NAME": name,
        "OPTIONS": PREPARED if os.environ.get(PREPARED_VARIABLE) else {},
    }


def setup_django(name: str, tracked: bool) -> None:
    """Configure Django for the design this process runs: ours, or an anchor's apps, tracking
    ``auth.Group`` when ``tracked`` (django-pghistory's triggers track whatever it says)."""
    import django
    from django.conf import settings

    anchor = os.environ.get(ANCHOR_VARIABLE)
    apps = ANCHORS[anchor][0] if anchor else []

    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "prodready",
            "prodready_security",
            *apps,
        ],
        DATABASES={"default": database_settings(name)},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PRODREADY_AUDIT_TRACKED_MODELS=["auth.Group"] if tracked and not anchor else [],
    )
    django.setup()
    if anchor == "auditlog" and tracked:
        from auditlog.registry import auditlog
        from django.contrib.auth.models import Group

        auditlog.register(Group)


# An event-shaped row, written by the floors (``--floors``) without any audit code.
FLOOR_COLUMNS = (
    "occurred_at, action, actor_snapshot, target_content_type_id, target_pk, target_repr, "
    "changes, data, client_address, user_agent, request_id"
)
FLOOR_INSERT = (
    f"INSERT INTO prodready_security_auditevent ({FLOOR_COLUMNS}) "
    "VALUES (now(), 'model.updated', '{}', NULL, %s, %s, %s, '{}', '', '', '')"
)
FLOOR_TRIGGER = f"""
CREATE FUNCTION bench_floor_capture() RETURNS trigger AS $$
BEGIN
    INSERT INTO prodready_security_auditevent ({FLOOR_COLUMNS})
    VALUES (now(), 'model.updated', '{{}}', NULL, NEW.id::text, NEW.name,
            jsonb_build_object('name', jsonb_build_array(OLD.name, NEW.name)),
            '{{}}', '', '', '');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER bench_floor_capture AFTER UPDATE ON auth_group
    FOR EACH ROW EXECUTE FUNCTION bench_floor_capture();
"""


def writer(
    name: str,
    tag: str,
    tracked: bool,
    seconds: float,
    atomic: bool,
    barriers: Any,
    out: Any,
    raw_insert: bool = False,
) -> None:
    """Save one tracked group over and over for ``seconds``; report each save's time.

    ``raw_insert``: follow each save with ``FLOOR_INSERT`` (a floor, nothing tracked).
    """
    setup_django(name, tracked)
    from contextlib import nullcontext

    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    ready, start = barriers
    group = Group.objects.create(name=tag)
    ready.wait()
    start.wait()
    durations, number = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        number += 1
        before, group.name = group.name, f"{tag}-{number}"
        began = time.perf_counter()
        with transaction.atomic() if atomic else nullcontext():
            group.save()
            if raw_insert:
                changes = json.dumps({"name": [before, group.name]})
                with connection.cursor() as cursor:
                    cursor.execute(FLOOR_INSERT, [str(group.pk), group.name, changes])
        durations.append(time.perf_counter() - began)
    connection.close()
    out.put(durations)


def blocker(name: str, tag: str, hold: float, barriers: Any) -> None:
    """Hold a transaction with an audited change open through the whole round."""
    setup_django(name, tracked=True)
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    ready, start = barriers
    ready.wait()  # every writer has its group: only their saves can be held up
    with transaction.atomic():
        Group.objects.create(name=tag)
        start.wait()  # the writers start only now, with this change in flight
        time.sleep(hold)
    connection.close()


def sealer(name: str, seconds: float, barriers: Any) -> None:
    """Seal through the round as a process's sealer thread does: a pass every ``DEBOUNCE``
    seconds (for the trigger floor, whose writers wake no sealer of their own)."""
    setup_django(name, tracked=True)
    from django.db import connection

    from prodready_security.audit import sealer_thread, sealing

    ready, start = barriers
    ready.wait()
    start.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        time.sleep(sealer_thread.DEBOUNCE)
        sealing.seal_pending(connection.alias)
    connection.close()


def run_round(name: str, tag: str, writers: int, seconds: float, **how: bool) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    blocked, tracked = how.get("blocked", False), how.get("tracked", True)
    atomic, raw_insert = how.get("atomic", False), how.get("raw_insert", False)
    sealed = how.get("sealed", False)
    parties = writers + 1 + blocked + sealed
    barriers, out = (context.Barrier(parties), context.Barrier(parties)), context.Queue()
    processes = [
        context.Process(
            target=writer,
            args=(name, f"{tag}-{n}", tracked, seconds, atomic, barriers, out, raw_insert),
        )
        for n in range(writers)
    ]
    holder = context.Process(target=blocker, args=(name, f"{tag}-blocker", seconds + 1, barriers))
    sealing = context.Process(target=sealer, args=(name, seconds + 1, barriers))
    everyone = [*processes, *([holder] if blocked else []), *([sealing] if sealed else [])]
    for process in everyone:
        process.start()
    barriers[0].wait(timeout=300)
    barriers[1].wait(timeout=300)
    began = time.perf_counter()
    durations = [d for _ in processes for d in out.get(timeout=seconds + 120)]
    elapsed = time.perf_counter() - began
    for process in everyone:
        process.join()
        if process.exitcode:
            raise SystemExit("a writer process failed; see its traceback above")
    return {
        "per_second": len(durations) / elapsed,
        "p50_ms": statistics.median(durations) * 1000,
        "p99_ms": statistics.quantiles(durations, n=100)[98] * 1000,
        "saves": len(durations),
    }


def run_pass(
    database: str,
    writers: int,
    seconds: float,
    number: int,
    last: bool,
    atomic: bool = False,
    floors: bool = False,
    repeat: int = 1,
) -> dict[str, Any]:
    """Pass ``number`` of the three rounds on ``database`` (migrated by the first pass), with
    the code now on ``sys.path`` or an anchor's (``ANCHOR_VARIABLE``), each save in its own
    ``transaction.atomic()`` when ``atomic``. The last pass also measures the seal delays,
    runs ``audit verify`` and, with ``floors``, the floors' rounds (``repeat`` of each)."""
    anchor = os.environ.get(ANCHOR_VARIABLE)
    setup_django(database, tracked=True)
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    if number == 0:
        # run_syncdb: the pghistory anchor's event model is in a harness app without migrations.
        call_command("migrate", verbosity=0, run_syncdb=bool(anchor))
        connection.close()
    stored_before = _anchor_updates(anchor)

    def round_(tag: str, tracked: bool = True, blocked: bool = False) -> dict[str, Any]:
        _switch_triggers(anchor, on=tracked)
        return run_round(
            database, tag, writers, seconds, tracked=tracked, blocked=blocked, atomic=atomic
        )

    result: dict[str, Any] = {
        "untracked": round_(f"u{number}", tracked=False),
        "tracked": round_(f"t{number}"),
        "blocked": round_(f"b{number}", blocked=True),
    }
    if anchor:  # nothing of ours was tracked: no seal, no chain to verify
        saves = result["tracked"]["saves"] + result["blocked"]["saves"]
        stored = _anchor_updates(anchor) - stored_before
        if stored != saves:
            raise SystemExit(f"{anchor} stored {stored} updates of {saves} tracked saves")
        connection.close()
        return {**result, "package": anchor}
    if last:
        result["seal_delay"] = _seal_delays(connection)
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        result["verify"] = out.getvalue().strip()
        if floors:  # after verify: their rows are never sealed
            result["floors"] = _run_floors(database, writers, seconds, repeat, atomic)
    import prodready_security

    result["package"] = prodready_security.__file__
    connection.close()
    return result


def summary(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """One design's passes: each round's figures the median over them, and what only the
    last pass measured."""
    rounds = ("untracked", "tracked", "blocked")
    medians = {
        name: {key: statistics.median(p[name][key] for p in passes) for key in passes[0][name]}
        for name in rounds
    }
    return {**passes[-1], **medians}


def _anchor_updates(anchor: str | None) -> int:
    """How many update events ``anchor`` stored so far: one per tracked save, or its figures
    lie (0 for ours, whose chain ``audit verify`` checks)."""
    if anchor is None:
        return 0
    if anchor == "auditlog":
        from auditlog.models import LogEntry

        return LogEntry.objects.filter(action=LogEntry.Action.UPDATE).count()
    from django.apps import apps

    (events,) = apps.get_app_config("audit_history").get_models()
    return int(events.objects.filter(pgh_label="update").count())


def _switch_triggers(anchor: str | None, on: bool) -> None:
    """django-pghistory's triggers, for its tracked rounds only (the writers' ``tracked``
    switches the other designs)."""
    if anchor == "pghistory":
        import pgtrigger

        (pgtrigger.install if on else pgtrigger.uninstall)()


def _run_floors(
    database: str, writers: int, seconds: float, repeat: int, atomic: bool
) -> dict[str, dict[str, float]]:
    """The floors' rounds (``--floors``); each figure the median over ``repeat``."""
    from django.db import connection

    from prodready_security.audit import sealing

    def rounds(tag: str, raw_insert: bool, sealed: bool = False) -> dict[str, float]:
        done = [
            run_round(
                database, f"{tag}{n}", writers, seconds,
                tracked=False, atomic=atomic, raw_insert=raw_insert, sealed=sealed,
            )
            for n in range(repeat)
        ]  # fmt: skip
        return {key: statistics.median(r[key] for r in done) for key in done[0]}

    insert = rounds("fi", raw_insert=True)
    blocked = [
        run_round(database, f"fb{n}", writers, seconds, tracked=False, blocked=True, atomic=atomic)
        for n in range(repeat)
    ]
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TRIGGER)
    try:
        trigger = rounds("ft", raw_insert=False)
        # The same with every event hashed and sealed, nothing else of ours: the best a
        # design that captures by trigger could do. The floors' rows so far go first.
        sealing.seal_pending(connection.alias)
        sealed = rounds("fs", raw_insert=False, sealed=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION bench_floor_capture() CASCADE")
        connection.close()
    return {
        "raw_insert": insert,
        "trigger": trigger,
        "trigger_sealed": sealed,
        "blocked": {key: statistics.median(r[key] for r in blocked) for key in blocked[0]},
    }


def _seal_delays(connection: Any) -> dict[str, float] | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'prodready_security_auditevent' AND column_name = 'sealed_at'"
        )
        if cursor.fetchone() is None:
            return None  # the old design links on insert: nothing to wait for
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM sealed_at - occurred_at) FROM "
            "prodready_security_auditevent WHERE sealed_at IS NOT NULL"
        )
        delays = [float(row[0]) for row in cursor.fetchall()]
    return {
        "p50_ms": statistics.median(delays) * 1000,
        "p99_ms": statistics.quantiles(delays, n=100)[98] * 1000,
    }


def old_design_source(directory: str, commit: str) -> str | None:
    """``prodready_security`` of ``commit`` unpacked under ``directory``; None without git."""
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, PACKAGE_SRC],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(directory, filter="data")
    return str(Path(directory) / PACKAGE_SRC)


def report(
    new: dict[str, Any],
    old: dict[str, Any] | None,
    writers: int,
    anchors: dict[str, dict[str, Any]],
) -> None:
    def line(label: str, value: float, unit: str, base: float | None) -> None:
        ratio = f"  {value / base:6.2f}x of old ({base:8.1f})" if base else ""
        print(f"  {label:38} {value:9.1f} {unit:8}{ratio}")

    def old_value(round_name: str, key: str) -> float | None:
        return old[round_name][key] if old else None

    rounds = new["tracked"], new["untracked"], new["blocked"]
    tracked, untracked, blocked = rounds
    line(
        "events/s (tracked saves)",
        tracked["per_second"],
        "events/s",
        old_value("tracked", "per_second"),
    )
    if old is None:
        print(
            f"  vs the issue's stated {STATED_BASELINE:.0f} events/s (4 writers, old design): "
            f"{tracked['per_second'] / STATED_BASELINE:.2f}x"
        )
    line("save p50", tracked["p50_ms"], "ms", old_value("tracked", "p50_ms"))
    line("save p99", tracked["p99_ms"], "ms", old_value("tracked", "p99_ms"))
    added = tracked["p99_ms"] - untracked["p99_ms"]
    old_added = old["tracked"]["p99_ms"] - old["untracked"]["p99_ms"] if old else None
    line("p99 added by auditing", added, "ms", old_added)
    line(
        "untracked saves/s (no audit)",
        untracked["per_second"],
        "saves/s",
        old_value("untracked", "per_second"),
    )
    # Tracked throughput as a share of the same design's untracked saves: less sensitive to
    # what else the machine runs while each design's rounds run.
    relative = tracked["per_second"] / untracked["per_second"] * 100
    old_relative = (
        old["tracked"]["per_second"] / old["untracked"]["per_second"] * 100 if old else None
    )
    line("tracked saves/s, % of untracked", relative, "%", old_relative)
    share = blocked["per_second"] / tracked["per_second"] * 100
    old_share = old["blocked"]["per_second"] / old["tracked"]["per_second"] * 100 if old else None
    line("blocked round, % of tracked events/s", share, "%", old_share)
    if new["seal_delay"]:
        old_delay = old["seal_delay"] if old else None
        for key, label in (("p50_ms", "seal delay p50"), ("p99_ms", "seal delay p99")):
            line(label, new["seal_delay"][key], "ms", old_delay[key] if old_delay else None)
    if new.get("floors"):
        for key, label in (
            ("raw_insert", "floor: save + one raw INSERT"),
            ("trigger", "floor: save, event by trigger"),
            ("trigger_sealed", "floor: event by trigger, sealed"),
        ):
            floor = new["floors"][key]
            print(
                f"  {label:38} {floor['per_second']:9.1f} {'events/s':8}  "
                f"{floor['per_second'] / untracked['per_second']:6.2f}x of untracked, "
                f"p99 added {floor['p99_ms'] - untracked['p99_ms']:.1f} ms"
            )
        floor = new["floors"]["blocked"]
        print(
            f"  {'floor: blocked round, nothing tracked':38} "
            f"{floor['per_second'] / untracked['per_second'] * 100:9.1f} {'%':8}  "
            "of untracked saves/s"
        )
    for name, anchor in anchors.items():
        events, saves = anchor["tracked"]["per_second"], anchor["untracked"]["per_second"]
        print(
            f"  {ANCHORS[name][1]:38} {events:9.1f} {'events/s':8}  "
            f"{events / saves:6.2f}x of its untracked, "
            f"p99 added {anchor['tracked']['p99_ms'] - anchor['untracked']['p99_ms']:.1f} ms, "
            f"blocked {anchor['blocked']['per_second'] / events * 100:.1f} %; "
            f"ours {tracked['per_second'] / events:.2f}x its events/s"
        )
    print(f"  new design from {new['package']}")
    if old:
        print(f"  old design from {old['package']}")
    print(f"  audit verify (new): {new['verify']}")
    if old:
        print(f"  audit verify (old): {old['verify']}")
    print(
        f"  targets: >= 2000 events/s, p99 added < 2 ms, blocked >= 90 %, seal p99 < 2000 ms "
        f"({writers} writers)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each round")
    parser.add_argument(
        "--repeat", type=int, default=1, help="passes of the rounds; figures are medians"
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument(
        "--baseline", default=OLD_DESIGN, help="the commit compared against (default: OLD_DESIGN)"
    )
    parser.add_argument(
        "--atomic",
        action="store_true",
        help="each save in its own transaction.atomic(), as under ATOMIC_REQUESTS",
    )
    parser.add_argument(
        "--floors",
        action="store_true",
        help="also measure what no design can beat: a raw INSERT per save, a trigger's INSERT "
        "(once more sealed), and the blocked round with nothing tracked",
    )
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="connect with server-side binding and prepared statements (prepare_threshold 5)",
    )
    parser.add_argument(
        "--anchors",
        action="store_true",
        help="also run the rounds on django-auditlog and django-pghistory (no hash chain)",
    )
    # One pass of one design, in a child process: its own sys.path and settings.
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--pass-number", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--last", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeat < 1 or args.writers < 1:
        parser.error("--repeat and --writers must be at least 1")
    if args.prepared:
        os.environ[PREPARED_VARIABLE] = "1"
    if args.database:
        if args.source:
            sys.path.insert(0, args.source)  # the old package before the installed one
        result = run_pass(
            args.database, args.writers, args.seconds, args.pass_number, args.last,
            args.atomic, args.floors, args.repeat,
        )  # fmt: skip
        print(json.dumps(result))
        return 0

    def one_pass(name: str, source: str | None, number: int) -> dict[str, Any]:
        last = number == args.repeat - 1
        command = [sys.executable, __file__, "--database", databases[name],
                   "--pass-number", str(number), "--writers", str(args.writers),
                   "--seconds", str(args.seconds), "--repeat", str(args.repeat)]  # fmt: skip
        command += ["--source", source] if source else []
        command += ["--last"] if last else []
        command += ["--atomic"] if args.atomic else []
        command += ["--floors"] if args.floors and name == "new" and last else []
        env = {**os.environ, **({ANCHOR_VARIABLE: name} if name in ANCHORS else {})}
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        if done.returncode:
            raise SystemExit(f"the {name} design failed:\n{done.stdout}{done.stderr}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    print(
        f"Audit append: {args.writers} writer processes, {args.seconds:g} s rounds, "
        f"{args.repeat} pass(es), PostgreSQL"
        + (", each save in its own transaction.atomic()" if args.atomic else ", autocommit")
        + (", prepared statements" if args.prepared else "")
    )
    server = _server()
    databases: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory() as directory:
            source = old_design_source(directory, args.baseline)
            designs = {"old": source} if source else {}
            designs |= {"new": None} | {name: None for name in ANCHORS if args.anchors}
            for name in designs:
                databases[name] = f"prodready_bench_audit_{name}_{os.getpid()}"
                server.execute(f'CREATE DATABASE "{databases[name]}"')
            passes: dict[str, list[dict[str, Any]]] = {name: [] for name in designs}
            for number in range(args.repeat):
                # The designs take turns pass by pass (A B C, C B A): a drift of the machine
                # during the run falls on all of them alike.
                order = list(designs) if number % 2 == 0 else list(reversed(designs))
                for name in order:
                    passes[name].append(one_pass(name, designs[name], number))
    except SystemExit as exc:
        print(f"FAILED: {exc}")
        return 1
    finally:
        for database in databases.values():
            server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        server.close()
    results = {name: summary(done) for name, done in passes.items()}
    anchors = {name: results[name] for name in ANCHORS if name in results}
    report(results["new"], results.get("old"), args.writers, anchors)
    return 0


def _server() -> Any:
    """A connection to the server's maintenance database, to make and drop scratch ones."""
    import psycopg

    admin = database_settings("postgres")
    return psycopg.connect(
        host=admin["HOST"], port=admin["PORT"], user=admin["USER"], dbname="postgres",
        autocommit=True, connect_timeout=3,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
