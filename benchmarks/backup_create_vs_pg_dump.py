"""``backup create`` (zstd + AES-256-GCM + SHA-256) against plain ``pg_dump --format=custom``.

Fills a PostgreSQL database with pgbench data (scale 20 by default, about 300 MB), then
in one run times plain ``pg_dump --format=custom`` to a file and ``manage.py backup
create`` of the same database, each in a child process, and prints wall time and peak
memory (max RSS) of both and their ratios. Targets: no slower than plain pg_dump, and
peak memory of the backup process under 100 MB whatever the database size.

Needs pgbench, pg_dump and PostgreSQL at ``PRODREADY_TEST_POSTGRES`` (default
127.0.0.1:5432, user ``PRODREADY_TEST_POSTGRES_USER`` or postgres). Creates and drops
its own database (``prodready_bench_backup``); ``--keep`` leaves it for the next run.

    python benchmarks/backup_create_vs_pg_dump.py [--scale 20] [--keep]
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


def run_backup(directory: str) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

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
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("backup", "create", "--target", "db-default")


# --- the benchmark --------------------------------------------------------------------


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[0]} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def prepare(scale: int) -> None:
    env = _pg_env()
    exists = subprocess.run(
        ["psql", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", "postgres"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists:
        print(f"Reusing database {DATABASE}")
        return
    print(f"Creating {DATABASE} with pgbench scale {scale} ...", flush=True)
    subprocess.run(["createdb", DATABASE], env=env, check=True)
    subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), DATABASE], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--backup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backup:
        run_backup(args.backup)
        return

    for tool in ("pgbench", "pg_dump", "psql", "createdb"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    env = _pg_env()
    prepare(args.scale)
    size = subprocess.run(
        ["psql", "-tAc", f"SELECT pg_database_size('{DATABASE}')", DATABASE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"Database size: {int(size) / 2**20:.0f} MB")
    with tempfile.TemporaryDirectory() as workdir:
        import base64

        key = base64.b64encode(os.urandom(32)).decode()
        dump_file = Path(workdir) / "plain.dump"
        pg_time, pg_mem = _timed(
            ["pg_dump", "--format=custom", f"--file={dump_file}", DATABASE], env
        )
        pg_size = dump_file.stat().st_size
        dump_file.unlink()
        backup_env = {**env, CONFIG_VARIABLE: json.dumps({"key": key})}
        ours_time, ours_mem = _timed(
            [sys.executable, __file__, "--backup", str(Path(workdir) / "backups")], backup_env
        )
        ours_size = sum(p.stat().st_size for p in Path(workdir, "backups").rglob("*.backup"))
        (manifest,) = Path(workdir, "backups").rglob("*.json")
        pipeline_time = json.loads(manifest.read_text())["timings"]["dump_and_write_seconds"]
    if not args.keep:
        subprocess.run(["dropdb", DATABASE], env=env, check=True)

    print(
        f"plain pg_dump -Fc : {pg_time:7.2f} s  peak {pg_mem:6.1f} MB  {pg_size / 2**20:7.1f} MB"
    )
    print(
        f"backup create     : {ours_time:7.2f} s  peak {ours_mem:6.1f} MB  "
        f"{ours_size / 2**20:7.1f} MB (compressed, encrypted, checksummed)"
    )
    print(f"  of which dump -> zstd -> AES-GCM -> SHA-256 -> file: {pipeline_time:.2f} s")
    print("  (the rest is Python and Django start-up, migrate and the row counts)")
    print(
        f"time ratio, pipeline (backup / pg_dump): {pipeline_time / pg_time:.2f}  "
        f"target <= {MAX_TIME_RATIO}"
    )
    print(f"time ratio, whole command (backup / pg_dump): {ours_time / pg_time:.2f}")
    print(f"peak memory of backup create: {ours_mem:.1f} MB  target < {MAX_MEMORY_MB} MB")
    print(f"memory ratio (backup / pg_dump): {ours_mem / max(pg_mem, 1):.2f}")


if __name__ == "__main__":
    main()
