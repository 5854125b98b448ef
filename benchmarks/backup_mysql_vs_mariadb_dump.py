"""The MySQL/MariaDB backup pipeline against ``mariadb-dump | zstd -3`` on the same database.

Fills a database of its own (``prodready_bench_mysql_<pid>``, dropped at the end, also
when a step fails) with ``--rows`` rows (default 300,000, about 60 MB of dump), then
times, in interleaved rounds, in this one process:

- baseline: ``mariadb-dump --single-transaction ... | zstd -3 > file``, the shell pipe an
  operator would write;
- the backup pipeline as a Celery worker runs it (``create_backup``: dump, row counting,
  zstd, AES-256-GCM, SHA-256, storage, read-back verification);
- the row counting alone (``DumpCounter`` over the dump's bytes in memory), as a share of
  the dump tool's own time.

It prints each round's ratio and the median. Wall times on a shared machine are noisy:
the ratios of one round are paired (same moment, same load), which is why they, and not
raw seconds, are the figures to compare. Needs MariaDB or MySQL at
``PRODREADY_TEST_MYSQL`` (default 127.0.0.1:3306, user ``PRODREADY_TEST_MYSQL_USER`` or
root, password ``PRODREADY_TEST_MYSQL_PASSWORD``), mysqlclient, the dump tool and zstd.

    python benchmarks/backup_mysql_vs_mariadb_dump.py [--rows 300000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = f"prodready_bench_mysql_{os.getpid()}"


def _server() -> dict[str, str]:
    host, _, port = os.environ.get("PRODREADY_TEST_MYSQL", "127.0.0.1:3306").rpartition(":")
    return {
        "HOST": host,
        "PORT": port,
        "USER": os.environ.get("PRODREADY_TEST_MYSQL_USER", "root"),
        "PASSWORD": os.environ.get("PRODREADY_TEST_MYSQL_PASSWORD", ""),
    }


def configure(directory: str) -> None:
    import django
    from django.conf import settings

    from prodready_backup.crypto import generate_key

    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "prodready", "prodready_backup"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path(directory) / "records.sqlite3"),
            },
            "mysql": {"ENGINE": "django.db.backends.mysql", "NAME": DATABASE, **_server()},
        },
        PRODREADY_BACKUP_DATABASES=["mysql"],
        PRODREADY_BACKUP_MEDIA=False,
        PRODREADY_BACKUP_DIRECTORY=str(Path(directory) / "backups"),
        PRODREADY_BACKUP_ENCRYPTION_KEYS=[generate_key()],
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, database="default")


def fill(rows: int) -> None:
    from django.db import connections

    with connections["mysql"].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE lessons (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(100), "
            "notes TEXT, starts DATETIME, price DECIMAL(8, 2))"
        )
        batch = 5000
        for start in range(0, rows, batch):
            cursor.executemany(
                "INSERT INTO lessons (title, notes, starts, price) VALUES (%s, %s, NOW(), %s)",
                [
                    (f"lesson {i}", f"notes for lesson {i}, it's room {i % 40}", i % 997)
                    for i in range(start, min(start + batch, rows))
                ],
            )


def baseline(directory: str) -> float:
    from prodready_backup.targets.mysql import DUMP_OPTIONS, MysqlTarget
    from prodready_backup.targets.mysql_client import dump_tool, options_file

    target = MysqlTarget("mysql")
    output = Path(directory) / "baseline.sql.zst"
    with options_file(target._settings()) as login, output.open("wb") as file:
        started = time.perf_counter()
        dump = subprocess.Popen(
            [dump_tool(), f"--defaults-extra-file={login}", *DUMP_OPTIONS, DATABASE],
            stdout=subprocess.PIPE,
        )
        zstd = subprocess.run(["zstd", "-3", "-q", "-c"], stdin=dump.stdout, stdout=file)
        assert dump.stdout is not None
        dump.stdout.close()
        if dump.wait() != 0 or zstd.returncode != 0:
            sys.exit("the baseline pipe failed")
        return time.perf_counter() - started


def pipeline() -> float:
    from prodready_backup.backups import create_backup
    from prodready_backup.targets import get_target

    started = time.perf_counter()
    record = create_backup(get_target("db-mysql"))
    elapsed = time.perf_counter() - started
    if record.status != "succeeded":
        sys.exit(f"the backup failed: {record.error}")
    return elapsed


def counting_share() -> tuple[float, float]:
    """Seconds of the dump tool into memory, and of DumpCounter over those bytes."""
    from prodready_backup.targets.base import Facts
    from prodready_backup.targets.mysql import DUMP_OPTIONS, MysqlTarget
    from prodready_backup.targets.mysql_client import dump_tool, options_file
    from prodready_backup.targets.mysql_counts import DumpCounter
    from prodready_backup.targets.processes import PIPE_CHUNK

    with options_file(MysqlTarget("mysql")._settings()) as login:
        started = time.perf_counter()
        dump = subprocess.Popen(
            [dump_tool(), f"--defaults-extra-file={login}", *DUMP_OPTIONS, DATABASE],
            stdout=subprocess.PIPE,
        )
        assert dump.stdout is not None
        chunks = list(iter(lambda: dump.stdout.read(PIPE_CHUNK), b""))  # type: ignore[union-attr]
        dump.stdout.close()
        dump.wait()
        dumped = time.perf_counter() - started
    started = time.perf_counter()
    for _chunk in DumpCounter(Facts()).through(chunks):
        pass
    return dumped, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    args, _others = parser.parse_known_args()  # `nox -s bench -- ...` passes to every script
    for tool in ("zstd",):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install {tool}).")
    import MySQLdb

    # A time limit's SIGTERM still drops the database (the finally clause below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))

    server = _server()
    admin = MySQLdb.connect(
        host=server["HOST"], port=int(server["PORT"]), user=server["USER"],
        password=server["PASSWORD"],
    )  # fmt: skip
    admin.cursor().execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4")
    try:
        with tempfile.TemporaryDirectory(prefix="prodready-bench-mysql-") as directory:
            configure(directory)
            fill(args.rows)
            pipeline()  # warm: imports, connections, the server's buffer pool
            ratios = []
            for round_ in range(1, args.rounds + 1):
                pipe, ours = baseline(directory), pipeline()
                ratios.append(ours / pipe)
                print(
                    f"round {round_}: mariadb-dump | zstd -3 {pipe:.2f} s, backup pipeline "
                    f"{ours:.2f} s, ratio {ours / pipe:.2f}"
                )
            dumped, counted = counting_share()
            # No target: the pipeline also encrypts, hashes and reads the backup back.
            print(
                f"backup pipeline / (mariadb-dump | zstd -3): median "
                f"{statistics.median(ratios):.2f}x over {args.rounds} rounds"
            )
            print(
                f"row counting from the dump stream: {counted:.2f} s for a dump that took "
                f"{dumped:.2f} s ({counted / dumped:.2f}x of the dump tool's time, on "
                f"{args.rows:,} rows)"
            )
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
        admin.close()


if __name__ == "__main__":
    main()
