"""``backup create`` (zstd + AES-256-GCM + SHA-256) against plain ``pg_dump --format=custom``.

Fills a PostgreSQL database with pgbench data (scale 20 by default, about 300 MB), then
in one run times plain ``pg_dump --format=custom`` to a file and ``manage.py backup
create`` of the same database, each in a child process, and prints wall time and peak
memory (max RSS) of both and their ratios. Targets: no slower than plain pg_dump, and
peak memory of the backup process under 100 MB whatever the database size.

The backup child runs the command as ``manage.py`` does (``execute_from_command_line``:
argument parsing, system checks, the command), so its time includes starting Python and
Django. It also prints the share of that time the pipeline took (dump -> zstd -> AES-GCM
-> SHA-256 -> file, from the manifest's timings), and the rest: start-up and exit.
Python bytecode is cached in the run's temporary directory and warmed by an untimed run,
as in an installed site (pip compiles it at install time), even where
``PYTHONDONTWRITEBYTECODE`` is set: compiling Django's source on every run is not what a
deployed ``manage.py`` does.

Each side runs ``--repeat`` times (default 3) in turn and the fastest run of each is
compared, so a noisy neighbour on a shared machine skews the ratio less; peak memory is
the highest of the runs. Every child has a time limit (``--timeout``), and a database
smaller than ``--min-mb`` (default 300) is refused rather than measured.

Needs pgbench, pg_dump and PostgreSQL at ``PRODREADY_TEST_POSTGRES`` (default
127.0.0.1:5432, user ``PRODREADY_TEST_POSTGRES_USER`` or postgres). Creates and drops
its own database (``prodready_bench_backup``), also when a step fails; ``--keep``
leaves it for the next run.

    python benchmarks/backup_create_vs_pg_dump.py [--scale 20] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = "prodready_bench_backup"
CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
MAX_MEMORY_MB = 100
MAX_TIME_RATIO = 1.0


def _server() -> tuple[str, str, str]:
    host, _, port = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
    return host, port, os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres")


def _pg_env() -> dict[str, str]:
    host, port, user = _server()
    return {**os.environ, "PGHOST": host, "PGPORT": port, "PGUSER": user}


# --- the child that runs `backup create`: this script with --backup ---------------


def run_backup(directory: str, migrate_only: bool = False) -> None:
    """``migrate`` (once, untimed: a site's tables exist already) or ``backup create``."""
    from django.conf import settings
    from django.core.management import execute_from_command_line

    host, port, user = _server()
    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "prodready", "prodready_backup"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": host,
                "PORT": port,
                "USER": user,
                "NAME": DATABASE,
            }
        },
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PRODREADY_BACKUP_DIRECTORY=directory,
        PRODREADY_BACKUP_ENCRYPTION_KEYS=[json.loads(os.environ[CONFIG_VARIABLE])["key"]],
        PRODREADY_BACKUP_MEDIA=False,
        PRODREADY_BACKUP_VERIFY_AFTER_CREATE=False,  # the same work pg_dump does, no more
    )
    if migrate_only:
        execute_from_command_line(["manage.py", "migrate", "--verbosity", "0"])
    else:
        execute_from_command_line(["manage.py", "backup", "create", "--target", "db-default"])


# --- the benchmark --------------------------------------------------------------------


def _timed(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process, killed after ``timeout`` s."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            process.kill()
            os.wait4(process.pid, 0)
            raise SystemExit(f"{command[0]} took longer than {timeout:.0f} s; killed")
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def _size_mb(env: dict[str, str]) -> float:
    size = subprocess.run(
        ["psql", "-tAc", f"SELECT pg_database_size('{DATABASE}')", DATABASE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return int(size) / 2**20


def prepare(scale: int, min_mb: float) -> None:
    env = _pg_env()
    exists = subprocess.run(
        ["psql", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", "postgres"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and _size_mb(env) >= min_mb:
        print(f"Reusing database {DATABASE}")
        return
    if exists:  # left by a run with a smaller scale
        subprocess.run(["dropdb", DATABASE], env=env, check=True)
    print(f"Creating {DATABASE} with pgbench scale {scale} ...", flush=True)
    subprocess.run(["createdb", DATABASE], env=env, check=True)
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale), DATABASE], env=env, check=True, timeout=600
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--min-mb", type=float, default=300, help="smallest database to measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; best counts")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per child run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--backup", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backup:
        run_backup(args.backup, migrate_only=args.migrate)
        return

    for tool in ("pgbench", "pg_dump", "psql", "createdb", "dropdb"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    env = _pg_env()
    try:
        prepare(args.scale, args.min_mb)
        size = _size_mb(env)
        print(f"Database size: {size:.0f} MB")
        if size < args.min_mb:
            sys.exit(
                f"The database is {size:.0f} MB, under --min-mb {args.min_mb:.0f}: raise --scale"
            )
        _measure(args, env)
    finally:
        if not args.keep:
            subprocess.run(["dropdb", "--if-exists", DATABASE], env=env, check=False)


def _measure(args: argparse.Namespace, env: dict[str, str]) -> None:
    import base64

    key = base64.b64encode(os.urandom(32)).decode()
    pg_runs, ours_runs, pipeline_runs = [], [], []
    with tempfile.TemporaryDirectory() as workdir:
        backup_env = {
            **env,
            CONFIG_VARIABLE: json.dumps({"key": key}),
            "PYTHONPYCACHEPREFIX": str(Path(workdir) / "bytecode"),
        }
        backup_env.pop("PYTHONDONTWRITEBYTECODE", None)
        # Untimed: the site's own tables (BackupRecord) exist before anyone runs a
        # backup, and one backup compiles and caches the bytecode the timed runs load.
        for extra in (["--migrate"], []):
            subprocess.run(
                [sys.executable, __file__, "--backup", str(Path(workdir) / "warm-up"), *extra],
                env=backup_env,
                stdout=subprocess.DEVNULL,
                check=True,
                timeout=args.timeout,
            )
        for _ in range(args.repeat):
            dump_file = Path(workdir) / "plain.dump"
            pg_runs.append(
                _timed(
                    ["pg_dump", "--format=custom", f"--file={dump_file}", DATABASE],
                    env,
                    args.timeout,
                )
            )
            pg_size = dump_file.stat().st_size
            dump_file.unlink()
            backups = Path(workdir) / "backups"
            ours_runs.append(
                _timed(
                    [sys.executable, __file__, "--backup", str(backups)], backup_env, args.timeout
                )
            )
            ours_size = sum(p.stat().st_size for p in backups.rglob("*.backup"))
            (manifest,) = backups.rglob("*.json")
            timings = json.loads(manifest.read_text())["timings"]
            pipeline_runs.append(timings["dump_and_write_seconds"])
            shutil.rmtree(backups)
    pg_time = min(t for t, _ in pg_runs)
    pg_mem = max(m for _, m in pg_runs)
    ours_time = min(t for t, _ in ours_runs)
    ours_mem = max(m for _, m in ours_runs)
    pipeline_time = min(pipeline_runs)

    time_ratio = ours_time / pg_time
    print(f"runs of each side: {args.repeat} (fastest counts, peak memory is the highest)")
    print(
        f"plain pg_dump -Fc : {pg_time:7.2f} s  peak {pg_mem:6.1f} MB  {pg_size / 2**20:7.1f} MB"
    )
    print(
        f"backup create     : {ours_time:7.2f} s  peak {ours_mem:6.1f} MB  "
        f"{ours_size / 2**20:7.1f} MB (compressed, encrypted, checksummed)"
    )
    print(f"  of which dump -> zstd -> AES-GCM -> SHA-256 -> file: {pipeline_time:.2f} s")
    print(
        f"  the rest, {ours_time - pipeline_time:.2f} s, is starting Python and Django, the "
        "system checks, the run's records and exit"
    )
    print(
        f"time ratio, whole command (backup / pg_dump): {time_ratio:.2f}  "
        f"target <= {MAX_TIME_RATIO}  {'met' if time_ratio <= MAX_TIME_RATIO else 'NOT MET'}"
    )
    print(f"time ratio, pipeline alone (backup / pg_dump): {pipeline_time / pg_time:.2f}")
    print(
        f"peak memory of backup create: {ours_mem:.1f} MB  target < {MAX_MEMORY_MB} MB  "
        f"{'met' if ours_mem < MAX_MEMORY_MB else 'NOT MET'}"
    )
    print(f"memory ratio (backup / pg_dump): {ours_mem / max(pg_mem, 1):.2f}")


if __name__ == "__main__":
    main()
