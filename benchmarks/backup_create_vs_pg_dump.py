"""Backups (zstd + AES-256-GCM + SHA-256) against ``pg_dump``, the zstd pipe and ``pg_restore``.

Fills a PostgreSQL database of its own with pgbench data (``--scale``; 15 MB per unit,
the issue asks for 400 MB or more: ``--scale 27``), then times, in interleaved rounds
(the order turns each round), three pairs, each child process against its baseline:

- the backup pipeline as a Celery worker runs it: a process that has started Django and
  imported the backup package calls ``jobs.backup_target`` (default settings: zstd,
  AES-GCM, SHA-256, storage), timed around that call, against
  ``pg_dump -Fc -Z0 | zstd -3`` to a file. Target: within 1.1x.
- the whole ``manage.py backup create`` (start-up, checks, records, exit) against
  ``pg_dump -Fc`` to a file. Target: no slower (1.0x). The start-up alone (a process
  that only runs ``django.setup()`` with the same settings) is timed in the same round
  and printed as a share of ``pg_dump -Fc``: no command can be faster than it.
- ``manage.py backup restore --into`` an empty database (``--no-safety-backup``: the
  safety backup is a backup, measured above) against ``pg_restore --single-transaction``
  of the round's ``pg_dump -Fc`` file into an empty database. Target: within 1.2x.

Each pair's ratio is taken within its round and the median over the rounds is reported
(with the lowest and highest), so a noisy neighbour skews one round, not the figure.

Peak memory (the Python process's own RSS high-water mark, ``getrusage(RUSAGE_SELF)``,
which leaves out pg_dump, pg_restore and psql) of ``backup create`` and ``backup
restore`` is printed at two sizes: ``--small-scale`` first, then ``--scale``. Target:
under 64 MiB at both, and flat as the database grows. Beside them, at each size, two
floors measured the same way: a process that only runs ``django.setup()`` with the same
settings, and one that also loads what every backup and restore needs before its first
byte (cryptography's AES-GCM and HKDF, zstandard, a database connection); what the
commands add is printed above each.

Python bytecode is cached in the run's temporary directory and warmed by an untimed run,
as in an installed site, even where ``PYTHONDONTWRITEBYTECODE`` is set. Every child has a
time limit (``--timeout``). The load averages of the machine (``uptime``) are printed
before and after: on a shared machine, read the ratios, not the seconds.

Needs pgbench, pg_dump, pg_restore, psql and ``zstd`` (Debian's package ``zstd``) on the
PATH, and PostgreSQL at ``PRODREADY_TEST_POSTGRES`` (default 127.0.0.1:5432, user
``PRODREADY_TEST_POSTGRES_USER`` or postgres). Creates two databases named after its
process id and drops them at the end, also when a step fails; ``--keep`` keeps them.

    python benchmarks/backup_create_vs_pg_dump.py [--scale 27] [--small-scale 5] [--rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = f"prodready_bench_backup_{os.getpid()}"
EMPTY = f"{DATABASE}_restored"
CONFIG_VARIABLE = "PRODREADY_BENCH_CONFIG"
MAX_MEMORY_MIB = 64
FLOORS = {
    "setup": "django.setup() with the same settings",
    "libraries": "+ cryptography (AES-GCM, HKDF), zstandard and a database connection",
}
TARGETS = {"pipeline": 1.1, "create": 1.0, "restore": 1.2}
TOOLS = ("pgbench", "pg_dump", "pg_restore", "psql", "createdb", "dropdb", "zstd")


def _server() -> tuple[str, str, str]:
    host, _, port = os.environ.get("PRODREADY_TEST_POSTGRES", "127.0.0.1:5432").rpartition(":")
    return host, port, os.environ.get("PRODREADY_TEST_POSTGRES_USER", "postgres")


def _pg_env() -> dict[str, str]:
    host, port, user = _server()
    return {**os.environ, "PGHOST": host, "PGPORT": port, "PGUSER": user}


# --- the children that run Django: this script with --child ---------------------------


def _configure(config: dict[str, str]) -> None:
    from django.conf import settings

    host, port, user = _server()
    database = {"ENGINE": "django.db.backends.postgresql", "HOST": host, "PORT": port}
    settings.configure(
        SECRET_KEY="benchmark-only",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "prodready",
            "prodready_backup",
        ],
        DATABASES={
            "default": {**database, "USER": user, "NAME": config["database"]},
            "restored": {**database, "USER": user, "NAME": config["empty"]},
        },
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PRODREADY_BACKUP_DIRECTORY=config["directory"],
        PRODREADY_BACKUP_ENCRYPTION_KEYS=[config["key"]],
        PRODREADY_BACKUP_MEDIA=False,
        PRODREADY_BACKUP_VERIFY_AFTER_CREATE=False,  # the same work pg_dump does, no more
    )


def run_child(command: str) -> None:
    """``migrate``, ``create``, ``restore <id>`` (as manage.py runs them), ``worker``, or a
    floor: ``setup`` or ``libraries``."""
    config = json.loads(os.environ[CONFIG_VARIABLE])
    _configure(config)
    try:
        if command == "worker":
            _worker()
            return
        if command in FLOORS:
            _floor(command)
            return
        from django.core.management import execute_from_command_line

        argv = {
            "migrate": ["migrate", "--verbosity", "0"],
            "create": ["backup", "create", "--target", "db-default"],
        }.get(command) or [
            *("backup", "restore", command.removeprefix("restore:"), "--into", "restored"),
            *("--yes", "--no-safety-backup"),
        ]
        execute_from_command_line(["manage.py", *argv])
    finally:
        # The Python process alone: pg_dump, pg_restore and psql are not its memory.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        Path(config["peak_file"]).write_text(str(peak * 1024))


def _floor(command: str) -> None:
    """The process a backup cannot be smaller than: Django set up and, for ``libraries``,
    what the pipeline loads before its first byte."""
    import django

    django.setup()
    if command == "libraries":
        from django.db import connection

        from prodready_backup import compression, crypto

        key = crypto.parse_key(json.loads(os.environ[CONFIG_VARIABLE])["key"])
        crypto.Sealer(crypto.make_header("zstd", key), key)  # AES-GCM and HKDF
        compression.compressor("zstd")
        connection.ensure_connection()


def _worker() -> None:
    """One backup as a started Celery worker runs it: the process is warm, the call timed."""
    import django

    django.setup()
    from django.db import connection

    from prodready_backup import jobs

    connection.ensure_connection()
    started = time.perf_counter()
    jobs.backup_target("db-default", reason="benchmark")
    elapsed = time.perf_counter() - started
    Path(json.loads(os.environ[CONFIG_VARIABLE])["time_file"]).write_text(str(elapsed))


# --- the benchmark --------------------------------------------------------------------


def _timed(command: list[str], env: dict[str, str], timeout: float) -> float:
    """Wall seconds of a child process, killed after ``timeout`` s."""
    started = time.perf_counter()
    try:
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"{command[0]} took longer than {timeout:.0f} s; killed") from None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{' '.join(command[:4])} ... failed: {exc}") from None
    return time.perf_counter() - started


def _psql(sql: str, env: dict[str, str], database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-X", "-tAc", sql, database], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def _size_mib(env: dict[str, str]) -> float:
    return int(_psql(f"SELECT pg_database_size('{DATABASE}')", env)) / 2**20


def _fill(scale: int, env: dict[str, str]) -> float:
    """pgbench's tables at ``scale`` (again: ``-i`` drops them first); the size in MiB."""
    print(f"Filling {DATABASE} with pgbench scale {scale} ...", flush=True)
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale), DATABASE],
        env=env,
        check=True,
        timeout=1200,
        stderr=subprocess.DEVNULL,
    )
    return _size_mib(env)


def _empty_database(env: dict[str, str]) -> None:
    subprocess.run(
        ["dropdb", "--if-exists", "--force", EMPTY], env=env, check=True, stderr=subprocess.DEVNULL
    )
    subprocess.run(["createdb", EMPTY], env=env, check=True)


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Run:
    """The children of one benchmark run: their environment and what they leave behind."""

    def __init__(self, workdir: Path, env: dict[str, str], timeout: float) -> None:
        self.workdir = workdir
        self.backups = workdir / "backups"
        self.timeout = timeout
        self.pg_env = env
        self.config = {
            "database": DATABASE,
            "empty": EMPTY,
            "directory": str(self.backups),
            "key": base64.b64encode(os.urandom(32)).decode(),
            "peak_file": str(workdir / "peak"),
            "time_file": str(workdir / "time"),
        }
        self.env = {
            **env,
            CONFIG_VARIABLE: json.dumps(self.config),
            "PYTHONPYCACHEPREFIX": str(workdir / "bytecode"),
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def child(self, command: str) -> tuple[float, float]:
        """Wall seconds and the Python process's peak RSS (MiB) of this script's child."""
        seconds = _timed([sys.executable, __file__, "--child", command], self.env, self.timeout)
        return seconds, int(Path(self.config["peak_file"]).read_text()) / 2**20

    def newest_backup(self) -> str:
        newest = max(self.backups.rglob("*.json"), key=lambda path: path.stat().st_mtime)
        return newest.stem

    def pipeline(self) -> float:
        self.child("worker")
        return float(Path(self.config["time_file"]).read_text())

    def zstd_pipe(self) -> float:
        out = self.workdir / "pipe.dump.zst"
        script = f"set -o pipefail; pg_dump -Fc -Z0 {DATABASE} | zstd -3 -q -f -o {out}"
        seconds = _timed(["bash", "-c", script], self.pg_env, self.timeout)
        out.unlink()
        return seconds

    def pg_dump(self) -> float:
        dump = self.workdir / "plain.dump"
        return _timed(["pg_dump", "-Fc", f"--file={dump}", DATABASE], self.pg_env, self.timeout)

    def pg_restore(self) -> float:
        _empty_database(self.pg_env)
        options = ["--single-transaction", "--exit-on-error", "--no-owner", f"--dbname={EMPTY}"]
        dump = str(self.workdir / "plain.dump")
        return _timed(["pg_restore", *options, dump], self.pg_env, self.timeout)

    def restore(self, backup_id: str) -> tuple[float, float]:
        _empty_database(self.pg_env)
        return self.child(f"restore:{backup_id}")


def _memory(run: Run, label: str, size: float) -> tuple[float, float]:
    """Peak memory of ``backup create`` and ``backup restore`` at the database's size."""
    _create_seconds, create_peak = run.child("create")
    _restore_seconds, restore_peak = run.restore(run.newest_backup())
    print(
        f"peak memory at {label} ({size:.0f} MiB): backup create {create_peak:.1f} MiB, "
        f"backup restore {restore_peak:.1f} MiB",
        flush=True,
    )
    return create_peak, restore_peak


def _floors(run: Run) -> dict[str, float]:
    """Peak memory (MiB) of each floor's process."""
    return {name: run.child(name)[1] for name in FLOORS}


def _rounds(run: Run, rounds: int) -> dict[str, list[float]]:
    """Interleaved rounds; each pair's ratio is ours / baseline within the round."""
    ratios: dict[str, list[float]] = {name: [] for name in TARGETS}
    peaks: dict[str, list[float]] = {"create": [], "restore": []}
    startup: list[float] = []
    for number in range(rounds):
        times: dict[str, float] = {}

        def pipeline_pair(times: dict[str, float] = times) -> None:
            times["zstd pipe"] = run.zstd_pipe()
            times["pipeline"] = run.pipeline()

        def create_pair(times: dict[str, float] = times) -> None:
            times["pg_dump"] = run.pg_dump()
            times["create"], peak = run.child("create")
            peaks["create"].append(peak)
            # What every command pays before its work: the start-up floor of both ratios.
            times["start-up"], _peak = run.child("setup")

        def restore_pair(times: dict[str, float] = times) -> None:
            times["pg_restore"] = run.pg_restore()
            times["restore"], peak = run.restore(run.newest_backup())
            peaks["restore"].append(peak)

        pairs = [pipeline_pair, create_pair, restore_pair]
        # The restore pair needs the round's pg_dump file and backup: only the first two turn.
        if number % 2:
            pairs[:2] = pairs[1::-1]
        for pair in pairs:
            pair()
        (run.workdir / "plain.dump").unlink()
        ratios["pipeline"].append(times["pipeline"] / times["zstd pipe"])
        ratios["create"].append(times["create"] / times["pg_dump"])
        ratios["restore"].append(times["restore"] / times["pg_restore"])
        startup.append(times["start-up"] / times["pg_dump"])
        print(
            f"round {number + 1}: "
            + "  ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items()),
            flush=True,
        )
    return {
        **ratios,
        "start-up": startup,
        "peak create": peaks["create"],
        "peak restore": peaks["restore"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=27, help="pgbench scale (27: ~400 MiB)")
    parser.add_argument("--small-scale", type=int, default=5, help="first size, memory only")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per child run")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    if args.small_scale >= args.scale:
        parser.error("--small-scale must be smaller than --scale")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        sys.exit(f"{', '.join(missing)} not installed (Debian: postgresql-client, zstd)")
    env = _pg_env()
    print(f"load before: {_uptime()}", flush=True)
    try:
        subprocess.run(["createdb", DATABASE], env=env, check=True)
        _empty_database(env)
        with tempfile.TemporaryDirectory(prefix="prodready-bench-backup-") as workdir:
            run = Run(Path(workdir), env, args.timeout)
            # Untimed: the site's tables exist before anyone backs up, and the bytecode
            # the timed runs load is compiled and cached once.
            run.child("migrate")
            small = _fill(args.small_scale, env)
            run.child("create")
            small_peaks = _memory(run, f"scale {args.small_scale}", small)
            small_floors = _floors(run)
            large = _fill(args.scale, env)
            results = _rounds(run, args.rounds)
            large_peaks = (max(results["peak create"]), max(results["peak restore"]))
            large_floors = _floors(run)
            _report(args, results, (small, small_peaks), (large, large_peaks))
            _report_floors((small, small_floors, small_peaks), (large, large_floors, large_peaks))
    finally:
        if not args.keep:
            for database in (DATABASE, EMPTY):
                subprocess.run(["dropdb", "--if-exists", "--force", database], env=env)
        print(f"load after: {_uptime()}", flush=True)


def _report(
    args: argparse.Namespace,
    results: dict[str, list[float]],
    small: tuple[float, tuple[float, float]],
    large: tuple[float, tuple[float, float]],
) -> None:
    labels = {
        "pipeline": "backup pipeline in a started worker / pg_dump -Fc -Z0 | zstd -3",
        "create": "manage.py backup create / pg_dump -Fc",
        "restore": "manage.py backup restore / pg_restore into an empty database",
    }
    print(
        f"\ndatabase sizes: {small[0]:.0f} MiB (scale {args.small_scale}) and "
        f"{large[0]:.0f} MiB (scale {args.scale}); {args.rounds} interleaved rounds"
    )
    for name, target in TARGETS.items():
        ratios = results[name]
        median = statistics.median(ratios)
        verdict = "met" if median <= target else "NOT MET"
        print(
            f"{labels[name]}: median {median:.2f}x (rounds {min(ratios):.2f}-{max(ratios):.2f})"
            f"  target <= {target}x  {verdict}"
        )
    startup = results["start-up"]
    print(
        f"start-up alone (a process that only runs django.setup()) / pg_dump -Fc: median "
        f"{statistics.median(startup):.2f}x (rounds {min(startup):.2f}-{max(startup):.2f})"
    )
    for index, what in enumerate(("backup create", "backup restore")):
        low, high = small[1][index], large[1][index]
        verdict = "met" if max(low, high) < MAX_MEMORY_MIB else "NOT MET"
        print(
            f"peak memory of {what}: {low:.1f} MiB at {small[0]:.0f} MiB, {high:.1f} MiB at "
            f"{large[0]:.0f} MiB (growth {high / low:.2f}x)  target < {MAX_MEMORY_MIB} MiB  "
            f"{verdict}"
        )


def _report_floors(
    *sizes: tuple[float, dict[str, float], tuple[float, float]],
) -> None:
    """Each floor at each size, and what ``backup create`` and ``restore`` add above it."""
    for name, label in FLOORS.items():
        figures = "; ".join(
            f"{floors[name]:.1f} MiB at {size:.0f} MiB (create +{create - floors[name]:.1f}, "
            f"restore +{restore - floors[name]:.1f})"
            for size, floors, (create, restore) in sizes
        )
        print(f"floor: {label}: {figures}")


if __name__ == "__main__":
    main()
