"""Audit log append throughput with 4 concurrent writer processes on PostgreSQL.

Creates a scratch database, then runs two rounds of the same 4 writer processes:

- baseline: each event is one INSERT of an audit row in its own transaction, with
  no chain (no lock, no hash), the cost of storing the same rows at all;
- chained: each event goes through ``prodready.audit(...)``, as in production:
  lock the chain head, hash, insert, move the head.

It prints events/second for both and their ratio, then runs ``audit verify`` on
the chained result, which must pass (exit status 1 otherwise). The scratch
database is dropped at the end.

Needs PostgreSQL at ``PRODREADY_TEST_POSTGRES`` (default 127.0.0.1:5432, user
``PRODREADY_TEST_POSTGRES_USER``, default postgres).

    python benchmarks/security_audit_append.py [--events 500] [--writers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from typing import Any

DATABASE = f"prodready_bench_audit_{os.getpid()}"


def database_settings(name: str) -> dict[str, Any]:
    host, _, port = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": host,
        "PORT": port,
        "USER": os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres"),
        "NAME": name,
    }


def setup_django(name: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "prodready",
            "prodready_security",
        ],
        DATABASES={"default": database_settings(name)},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()


def chained_writer(name: str, writer: int, count: int, start: Any) -> None:
    setup_django(name)
    from django.db import connection

    import prodready

    connection.ensure_connection()
    start.wait()
    for number in range(count):
        prodready.audit("bench.append", writer=writer, number=number)
    connection.close()


def baseline_writer(name: str, writer: int, count: int, start: Any) -> None:
    setup_django(name)
    from django.db import connection
    from django.utils import timezone

    from prodready_security.audit.models import AuditEvent

    connection.ensure_connection()
    start.wait()
    for number in range(count):
        unique = f"{writer:08d}{number:056d}"
        AuditEvent.objects.create(
            sequence=writer * count + number + 1,
            occurred_at=timezone.now(),
            action="bench.baseline",
            data={"writer": writer, "number": number},
            prev_hash=unique,
            hash=unique,
        )
    connection.close()


def run_round(target: Any, name: str, writers: int, count: int) -> float:
    """Events per second of ``writers`` processes writing ``count`` events each."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(writers + 1)
    processes = [
        context.Process(target=target, args=(name, writer, count, start))
        for writer in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()  # every writer connected and set up: only the writing is timed
    began = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    if any(process.exitcode for process in processes):
        raise SystemExit("a writer process failed; see its traceback above")
    return writers * count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500, help="events per writer")
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    admin = database_settings("postgres")
    try:
        server = psycopg.connect(
            host=admin["HOST"], port=admin["PORT"], user=admin["USER"], dbname="postgres",
            autocommit=True, connect_timeout=3,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable at {admin['HOST']}:{admin['PORT']}: {exc}")
        return 1
    server.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        setup_django(DATABASE)
        from io import StringIO

        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        connection.close()
        total = args.writers * args.events
        print(
            f"Audit append: {args.writers} writer processes x {args.events} events on PostgreSQL"
        )

        baseline = run_round(baseline_writer, DATABASE, args.writers, args.events)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE prodready_security_auditevent")  # not refused: no row trigger
        connection.close()
        chained = run_round(chained_writer, DATABASE, args.writers, args.events)

        began = time.perf_counter()
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        verify_seconds = time.perf_counter() - began
        connection.close()
        print(f"  baseline (plain INSERT, no chain): {baseline:8.0f} events/s")
        print(f"  chained (prodready.audit):         {chained:8.0f} events/s")
        print(f"  ratio chained/baseline:            {chained / baseline:8.2f}x")
        verified = out.getvalue().strip()
        print(f"  audit verify: {total} events in {verify_seconds * 1000:.0f} ms: {verified}")
    except Exception as exc:
        print(f"FAILED: {exc}")
        return 1
    finally:
        from django.db import connections

        connections.close_all()
        server.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
