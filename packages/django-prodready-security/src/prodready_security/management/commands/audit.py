"""``manage.py audit <subcommand>``: check, seal and prune the audit log.

- ``verify``                 walk the hash chain; exit non-zero at the first broken link,
                             or when events stay unsealed longer than they should
- ``seal``                   link committed, unsealed events into the chain now
- ``checkpoint``             sign the sealed head now and store it as a checkpoint
- ``checkpoint-key ID``      print a new Ed25519 key pair for the checkpoint settings
- ``export``                 the log and its checkpoints as JSON lines
- ``verify --from FILE --public-key ID:KEY``  verify an export offline
- ``prune --before DATE``    remove older events, on record, and re-anchor the chain
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from prodready_security.audit import checkpoints
from prodready_security.audit.export import export_lines, verify_lines
from prodready_security.audit.models import HEAD_ID, AuditChainHead
from prodready_security.audit.prune import ChainBroken, prune_before
from prodready_security.audit.sealing import overdue, seal_pending
from prodready_security.audit.verify import verify_chain
from prodready_security.conf import conf


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, seal pending events, or prune old events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        verify = sub.add_parser("verify", help="Check every event's hash and link, oldest first.")
        seal = sub.add_parser("seal", help="Link committed, unsealed events into the chain.")
        checkpoint = sub.add_parser("checkpoint", help="Sign and store a checkpoint now.")
        key = sub.add_parser("checkpoint-key", help="Print a new checkpoint key pair.")
        key.add_argument("key_id", help="A name for the key, such as 2026-12.")
        export = sub.add_parser("export", help="Write the log and checkpoints as JSON lines.")
        export.add_argument("--output", help="File to write (default: standard output).")
        verify.add_argument("--from", dest="source", help="Verify this export, offline.")
        verify.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="ID:BASE64 public key that signs checkpoints (repeatable).",
        )
        prune = sub.add_parser("prune", help="Remove events that occurred before a date.")
        for subparser in (verify, seal, checkpoint, export, prune):
            subparser.add_argument(
                "--database",
                help="Alias of the database holding the log (default: PRODREADY_AUDIT_DATABASE).",
            )
        prune.add_argument(
            "--before",
            required=True,
            help="Cut-off: YYYY-MM-DD (midnight, current time zone) or an ISO 8601 date-time.",
        )
        prune.add_argument(
            "--dry-run", action="store_true", help="Say what would be removed; remove nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        using = options.get("database") or conf.AUDIT_DATABASE
        if using not in connections:
            raise CommandError(f"--database {using!r} is not an alias in DATABASES.")
        subcommand = options["subcommand"]
        if subcommand == "verify" and options["source"]:
            self.verify_export(options["source"], options["public_key"])
        elif subcommand == "verify":
            self.verify(using, options["public_key"])
        elif subcommand == "seal":
            count = seal_pending(using)
            self.stdout.write(f"Sealed {count} audit events.")
        elif subcommand == "checkpoint":
            self.checkpoint(using)
        elif subcommand == "checkpoint-key":
            private, public = checkpoints.generate_key(options["key_id"])
            self.stdout.write(f"PRODREADY_AUDIT_CHECKPOINT_KEYS entry (secret): {private}")
            self.stdout.write(f"public key (for --public-key and auditors): {public}")
        elif subcommand == "export":
            self.export(using, options["output"])
        else:
            self.prune(using, _parse_cut_off(options["before"]), options["dry_run"])

    def verify(self, using: str, extra_keys: list[str]) -> None:
        result = verify_chain(using)
        if result.problem is not None:
            raise CommandError(
                f"Audit chain broken at {result.problem}. {result.checked} events before "
                "it verified. Nothing was changed; investigate before pruning."
            )
        late, oldest = overdue(using, conf.AUDIT_SEAL_MAX_DELAY)
        if oldest is not None:
            raise CommandError(
                f"{late} audit events are unsealed for more than {conf.AUDIT_SEAL_MAX_DELAY:g} s "
                f"(oldest: id {oldest.pk}, {oldest.action} at "
                f"{oldest.occurred_at:%Y-%m-%d %H:%M:%S}); sealing is not running. Check that "
                "Celery beat runs "
                "prodready_security.audit_seal, and run `manage.py audit seal`."
            )
        agreed = self.check_checkpoints(using, result.last_sequence or 0, extra_keys)
        if not result.checked:
            self.stdout.write("Audit chain intact: no events.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} events "
                f"(#{result.first_sequence} to #{result.last_sequence}) verified{agreed}."
            )
        )

    def check_checkpoints(self, using: str, last: int, extra_keys: list[str]) -> str:
        if not conf.AUDIT_CHECKPOINT_STORAGE:
            return ""
        stored = checkpoints.stored()
        head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).first()
        anchor = head.anchor_sequence if head else 0
        hashes = checkpoints.database_hashes(using, [c.sequence for c in stored])
        problem = checkpoints.contradiction(stored, _keys(extra_keys), hashes, anchor, last)
        if problem:
            raise CommandError(
                f"Audit log does not match its signed checkpoints: {problem}. Nothing was "
                "changed; investigate, starting from that checkpoint's time."
            )
        return f"; {len(stored)} signed checkpoints agree"

    def checkpoint(self, using: str) -> None:
        if not conf.AUDIT_CHECKPOINT_STORAGE or not conf.AUDIT_CHECKPOINT_KEYS:
            raise CommandError(
                "Checkpoints are off: set PRODREADY_AUDIT_CHECKPOINT_STORAGE to a STORAGES "
                "alias and PRODREADY_AUDIT_CHECKPOINT_KEYS (make one with "
                "`manage.py audit checkpoint-key ID`)."
            )
        seal_pending(using)
        written = checkpoints.write(using, force=True)
        if written is None:
            self.stdout.write("No new sealed events since the last checkpoint; none written.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Checkpoint #{written.sequence} written to {written.name}.")
        )

    def export(self, using: str, output: str | None) -> None:
        if output is None:
            for line in export_lines(using):
                self.stdout.write(line)
            return
        with open(output, "w", encoding="utf-8") as handle:
            for line in export_lines(using):
                handle.write(line + "\n")
        self.stdout.write(f"Exported the audit log to {output}.")

    def verify_export(self, source: str, extra_keys: list[str]) -> None:
        if not extra_keys:
            raise CommandError("--from needs --public-key ID:KEY for the checkpoints' signatures.")
        try:
            with open(source, encoding="utf-8") as handle:
                checked, problem = verify_lines(handle, _keys(extra_keys, site=False))
        except OSError as exc:
            raise CommandError(f"Cannot read --from {source!r}: {exc.strerror}.") from exc
        if problem:
            raise CommandError(f"Export {source} does not verify: {problem}.")
        self.stdout.write(self.style.SUCCESS(f"Export intact: {checked} events verified."))

    def prune(self, using: str, before: datetime.datetime, dry_run: bool) -> None:
        try:
            result = prune_before(before, using, dry_run=dry_run)
        except ChainBroken as exc:
            raise CommandError(
                f"Audit chain broken at {exc.problem}. Nothing was pruned: pruning would "
                "destroy the evidence. Run `manage.py audit verify` and investigate."
            ) from exc
        if not result.count:
            self.stdout.write(f"No audit events before {before.isoformat()}; nothing pruned.")
            return
        span = f"#{result.first_sequence} to #{result.last_sequence}"
        if dry_run:
            self.stdout.write(f"Would prune {result.count} audit events ({span}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Pruned {result.count} audit events ({span}) before {before.isoformat()}; "
                f"the chain now starts after #{result.last_sequence}, recorded as audit.pruned."
            )
        )


def _parse_cut_off(value: str) -> datetime.datetime:
    parsed: datetime.datetime | None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(
            f"--before {value!r} is not a date; use YYYY-MM-DD or an ISO 8601 date-time "
            "such as 2024-01-31T00:00:00+00:00."
        )
    if timezone.is_naive(parsed) and timezone.is_aware(timezone.now()):
        parsed = timezone.make_aware(parsed)
    if parsed > timezone.now():
        raise CommandError(f"--before {value!r} is in the future; it would prune every event.")
    return parsed


def _keys(values: list[str], site: bool = True) -> dict[str, Any]:
    try:
        if site:
            return checkpoints.public_keys(values)
        return dict(checkpoints.parse_key(value, private=False) for value in values)
    except checkpoints.InvalidKey as exc:
        raise CommandError(
            f"A checkpoint key is not valid: {exc}. Make a pair with "
            "`manage.py audit checkpoint-key ID`."
        ) from exc
