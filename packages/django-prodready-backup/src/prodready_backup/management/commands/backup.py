"""``manage.py backup create|list|show|verify|restore|prune``.

Exit status: 0 success, 1 the operation failed (a bad backup, a failed dump, ...),
2 bad input (an unknown target or backup id, a wrong option).

``create``, ``verify`` and ``restore`` report their progress on stderr (bytes read and
written, elapsed time) at verbosity 1 and above: every second on a terminal, every 30
seconds otherwise (cron and Celery logs), so a long run is visibly alive without
flooding a log.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prodready_backup.progress import Counters, Reading

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from prodready_backup.errors import BackupError, IntegrityError, NotFound, RefusedError

FAILED = 1
BAD_INPUT = 2
#: Seconds between two progress lines, on a terminal and in a log.
PROGRESS_EVERY_TTY = 1.0
PROGRESS_EVERY_LOG = 30.0
NO_TERMINAL = (
    "`backup restore` asks for confirmation, and there is no terminal to answer it: "
    "pass --yes to restore without asking."
)


def _size(count: int | None) -> str:
    if count is None:
        return "-"
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


class Command(BaseCommand):
    help = (
        "Create, list, show, verify, restore and prune backups. "
        "Exit status: 0 success; 1 the operation failed (a failed dump or upload, a "
        "corrupt, foreign or wrongly keyed backup, a failed verification, a refused or "
        "cancelled restore); 2 bad input (an unknown target or backup id, a wrong option)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="Back up every target, or --target.")
        create.add_argument("--target", help="Only this target (see `backup list`).")
        create.add_argument(
            "--no-verify", action="store_true", help="Skip reading the new backup back."
        )
        listing = sub.add_parser("list", help="List complete backups, newest first.")
        listing.add_argument("--target")
        listing.add_argument("--format", choices=["text", "json"], default="text")
        listing.add_argument(
            "--orphans",
            action="store_true",
            help="List what crashed runs left instead (prune removes it after a grace period).",
        )
        show = sub.add_parser("show", help="Show one backup's manifest and verification.")
        show.add_argument("backup_id")
        show.add_argument("--format", choices=["text", "json"], default="text")
        verify = sub.add_parser(
            "verify", help="Check a backup and restore it into a scratch copy."
        )
        verify.add_argument("backup_id", nargs="?", help="Default: the newest of each target.")
        verify.add_argument("--target")
        verify.add_argument("--checksum-only", action="store_true", help="Skip the restore test.")
        restore = sub.add_parser("restore", help="Restore a backup into its target.")
        restore.add_argument("backup_id", nargs="?", help="Or --latest.")
        restore.add_argument(
            "--latest",
            action="store_true",
            help="The newest complete backup of --target (needed with several targets).",
        )
        restore.add_argument(
            "--target", help="Restore into this target instead (with --latest: its newest)."
        )
        restore.add_argument(
            "--into",
            metavar="ALIAS",
            help="Restore into this database of DATABASES instead (another server, a copy).",
        )
        restore.add_argument(
            "--yes",
            "--noinput",
            action="store_true",
            dest="yes",
            help="Do not ask for confirmation (needed without a terminal).",
        )
        restore.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="Do not back up the current data first.",
        )
        restore.add_argument(
            "--allow-plaintext",
            action="store_true",
            help="Restore an unencrypted backup although this site has encryption keys.",
        )
        prune = sub.add_parser("prune", help="Delete backups the retention settings let go.")
        prune.add_argument("--target")
        prune.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except RefusedError as exc:
            raise CommandError(str(exc), returncode=FAILED) from exc
        except IntegrityError as exc:
            raise CommandError(f"Refused: {exc}", returncode=FAILED) from exc
        except BackupError as exc:
            raise CommandError(
                str(exc), returncode=BAD_INPUT if isinstance(exc, NotFound) else FAILED
            ) from exc
        except OperationalError as exc:  # the database holding the records, through Django
            cause = " ".join(str(exc).split())
            raise CommandError(
                f"A database cannot be reached: {cause}", returncode=FAILED
            ) from exc

    # Actions ------------------------------------------------------------------------------

    def _create(self, options: dict[str, Any]) -> None:
        from prodready_backup.backups import create_backup, targets_by_name

        failures = []
        for target in targets_by_name(options["target"]):
            self.stdout.write(f"Backing up {target.name} ...")
            try:
                record = create_backup(
                    target,
                    verify=False if options["no_verify"] else None,
                    progress=self._progress(options, target.name),
                    progress_every=self._progress_every(),
                )
            except BackupError as exc:
                self.stderr.write(f"  failed: {exc}")
                failures.append(target.name)
                continue
            self.stdout.write(
                f"  {record.backup_id}: {_size(record.source_bytes)} -> "
                f"{_size(record.stored_bytes)} in {record.duration_seconds:.1f} s"
                + (", verified" if record.verified_ok else "")
            )
        if failures:
            raise CommandError(f"Backup failed for: {', '.join(failures)}.", returncode=FAILED)

    def _progress_every(self) -> float:
        return PROGRESS_EVERY_TTY if self.stderr.isatty() else PROGRESS_EVERY_LOG

    def _progress(
        self, options: dict[str, Any], name: str
    ) -> Callable[[Counters | Reading], None] | None:
        """A progress callback printing to stderr, or None at verbosity 0.

        A backup being written (:class:`Counters`) is labelled ``name``; a backup being
        read back (:class:`Reading`) by its id and the pass ("check", "restore", ...).
        """
        import time

        from prodready_backup.progress import Reading

        if options["verbosity"] < 1:
            return None

        def report(state: Counters | Reading) -> None:
            elapsed = time.monotonic() - state.started
            if isinstance(state, Reading):
                done = state.read_bytes
                share = 100 * done // state.total_bytes if state.total_bytes else 100
                text = (
                    f"{state.backup_id} {state.what}: {_size(done)} of "
                    f"{_size(state.total_bytes)} read ({share}%)"
                )
            else:
                done = state.source_bytes
                text = f"{name}: {_size(done)} read, {_size(state.stored_bytes)} written"
            rate = done / elapsed if elapsed > 0 else 0.0
            self.stderr.write(f"  {text}, {elapsed:.0f} s ({_size(int(rate))}/s)")

        return report

    def _list(self, options: dict[str, Any]) -> None:
        from prodready_backup.backups import list_backups, targets_by_name

        if options["target"]:
            targets_by_name(options["target"])  # an unknown name is bad input
        if options["orphans"]:
            self._list_orphans(options)
            return
        infos = list_backups(options["target"])
        if options["format"] == "json":
            self.stdout.write(json.dumps([i.as_dict() for i in infos], indent=2))
            return
        if not infos:
            self.stdout.write("No complete backups.")
            return
        for info in infos:
            m = info.manifest
            verified = (
                f"verified ({info.record.verified_how})"
                if info.verified and info.record
                else ("VERIFY FAILED" if info.record and info.record.verified_ok is False else "")
            )
            if info.record and info.record.restore_test_seconds is not None:
                verified += f", restored in {info.record.restore_test_seconds:.1f} s"
            self.stdout.write(
                f"{m.backup_id}  {m.target:<16} {m.created_at[:19]}  {_size(m.stored_bytes):>9}"
                f"  {verified}".rstrip()
            )

    def _list_orphans(self, options: dict[str, Any]) -> None:
        from prodready_backup import leftovers, storage
        from prodready_backup.conf import conf

        store = storage.backup_storage()
        names = [options["target"]] if options["target"] else storage.targets_in(store)
        found = [leftover for name in names for leftover in leftovers.find(store, name)]
        if options["format"] == "json":
            rows = [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "modified": f.modified.isoformat() if f.modified else None,
                    "size": f.size,
                }
                for f in found
            ]
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not found:
            self.stdout.write("No leftovers of crashed runs.")
            return
        for leftover in found:
            modified = f"{leftover.modified:%Y-%m-%d %H:%M:%S}" if leftover.modified else "-"
            self.stdout.write(
                f"{leftover.name}  {leftover.kind:<11}  {modified}  {_size(leftover.size):>9}"
            )
        self.stdout.write(
            f"`backup prune` removes those older than "
            f"{conf.BACKUP_LEFTOVER_GRACE_SECONDS} s (PRODREADY_BACKUP_LEFTOVER_GRACE_SECONDS)."
        )

    def _show(self, options: dict[str, Any]) -> None:
        from prodready_backup.backups import find_backup

        data = find_backup(options["backup_id"]).as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
            return
        for key in sorted(data):
            value = data[key]
            if isinstance(value, dict | list):
                value = json.dumps(value) if len(json.dumps(value)) < 80 else f"{len(value)} items"
            self.stdout.write(f"{key}: {value}")

    def _verify(self, options: dict[str, Any]) -> None:
        from prodready_backup.backups import find_backup, list_backups, targets_by_name
        from prodready_backup.verify import How, verify_backup

        how: How = "checksum" if options["checksum_only"] else "restore"
        if options["backup_id"]:
            infos = [find_backup(options["backup_id"])]
        else:
            infos = []
            for target in targets_by_name(options["target"]):
                newest = list_backups(target.name)[:1]
                if not newest:
                    self.stderr.write(f"{target.name}: no complete backup to verify.")
                infos.extend(newest)
        failed = []
        for info in infos:
            self.stdout.write(f"Verifying {info.backup_id} ({info.manifest.target}, {how}) ...")
            result = verify_backup(
                info,
                how=how,
                progress=self._progress(options, info.backup_id),
                progress_every=self._progress_every(),
            )
            for note in result.notes:
                self.stdout.write(f"  note: {note}")
            if result.cannot_verify:
                self.stderr.write(f"  cannot verify here: {result.cannot_verify}")
                failed.append(info.backup_id)
            elif result.ok:
                restore = (
                    f" (restore test: {result.restore_test_seconds:.1f} s)"
                    if result.restore_test_seconds is not None
                    else ""
                )
                self.stdout.write(f"  OK in {result.seconds:.1f} s{restore}")
            else:
                for problem in result.problems:
                    self.stderr.write(f"  {problem}")
                failed.append(info.backup_id)
        if failed:
            raise CommandError(f"Verification failed for: {', '.join(failed)}.", returncode=FAILED)

    def _restore(self, options: dict[str, Any]) -> None:
        import sys

        from prodready_backup.manifest import Manifest
        from prodready_backup.restore import restore_backup

        backup_id = self._restore_choice(options)
        # Refused before the backup is read: no terminal, no one to answer the question.
        if not options["yes"] and not (sys.stdin is not None and sys.stdin.isatty()):
            raise CommandError(NO_TERMINAL, returncode=BAD_INPUT)

        def confirm(manifest: Manifest) -> bool:
            if options["yes"]:
                return True
            into = (f"database {options['into']}" if options["into"] else None) or (
                options["target"] or manifest.target
            )
            try:
                answer = input(
                    f"Replace the current data of {into} with backup {manifest.backup_id} "
                    f"of {manifest.created_at[:19]}? Type 'yes' to continue: "
                )
            except EOFError:  # Ctrl-D, or the terminal went away
                raise CommandError(NO_TERMINAL, returncode=BAD_INPUT) from None
            except KeyboardInterrupt:
                raise CommandError(
                    "Restore cancelled; nothing was changed.", returncode=FAILED
                ) from None
            return answer.strip().lower() == "yes"

        result = restore_backup(
            backup_id,
            target_name=options["target"],
            into_database=options["into"],
            confirm=confirm,
            safety_backup=not options["no_safety_backup"],
            progress=self._progress(options, "safety backup"),
            progress_every=self._progress_every(),
            allow_plaintext=options["allow_plaintext"],
        )
        if result.safety_backup_id:
            self.stdout.write(f"Safety backup of the previous data: {result.safety_backup_id}")
        self.stdout.write(f"Restored {result.backup_id} into {result.target}.")
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")

    def _restore_choice(self, options: dict[str, Any]) -> str:
        """The backup id to restore: the one given, or with --latest the newest of a target."""
        from prodready_backup.backups import list_backups, targets_by_name

        if options["into"] and options["target"] and not options["latest"]:
            raise CommandError("Give --target or --into, not both.", returncode=BAD_INPUT)
        if not options["latest"]:
            if not options["backup_id"]:
                raise CommandError(
                    "Name the backup to restore (`backup list` shows them), or pass --latest.",
                    returncode=BAD_INPUT,
                )
            return str(options["backup_id"])
        if options["backup_id"]:
            raise CommandError("Give a backup id or --latest, not both.", returncode=BAD_INPUT)
        names = [t.name for t in targets_by_name(options["target"])]
        if len(names) > 1:
            raise CommandError(
                f"--latest needs --target: the targets are {', '.join(names)}.",
                returncode=BAD_INPUT,
            )
        newest = list_backups(names[0])[:1]
        if not newest:
            raise CommandError(f"{names[0]} has no complete backup to restore.", returncode=FAILED)
        self.stdout.write(f"The newest backup of {names[0]} is {newest[0].backup_id}.")
        return newest[0].backup_id

    def _prune(self, options: dict[str, Any]) -> None:
        from prodready_backup.backups import targets_by_name
        from prodready_backup.prune import prune

        if options["target"]:
            targets_by_name(options["target"])
        for result in prune(options["target"], dry_run=options["dry_run"]):
            verb = "would delete" if result.dry_run else "deleted"
            self.stdout.write(
                f"{result.target}: keep {len(result.plan.keep)}, {verb} {len(result.plan.delete)}"
            )
            for backup_id, reasons in result.plan.keep.items():
                self.stdout.write(f"  keep    {backup_id}  ({', '.join(reasons)})")
            for backup_id in result.plan.delete:
                self.stdout.write(f"  {'delete' if result.dry_run else 'deleted'}  {backup_id}")
            for leftover in result.leftovers:
                verb = "delete" if result.dry_run else "deleted"
                self.stdout.write(f"  {verb}  {leftover.name}  (leftover: {leftover.kind})")
