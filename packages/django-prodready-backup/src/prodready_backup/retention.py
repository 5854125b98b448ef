"""Which backups to keep: the newest N, plus daily, weekly and monthly generations.

``plan()`` is a pure function of the backups, the policy and the time, so it is tested
as a table of cases and ``prune --dry-run`` shows exactly what ``prune`` would do.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prodready_backup.conf import conf


@dataclass(frozen=True)
class Candidate:
    backup_id: str
    created: datetime
    verified: bool = False


@dataclass(frozen=True)
class Policy:
    keep_last: int = 3
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 6
    max_age_days: int | None = None

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            keep_last=conf.BACKUP_KEEP_LAST,
            keep_daily=conf.BACKUP_KEEP_DAILY,
            keep_weekly=conf.BACKUP_KEEP_WEEKLY,
            keep_monthly=conf.BACKUP_KEEP_MONTHLY,
            max_age_days=conf.BACKUP_MAX_AGE_DAYS,
        )


@dataclass
class Plan:
    keep: dict[str, list[str]] = field(default_factory=dict)  # backup id -> reasons
    delete: list[str] = field(default_factory=list)


def plan(backups: Sequence[Candidate], policy: Policy, now: datetime) -> Plan:
    newest_first = sorted(backups, key=lambda b: b.created, reverse=True)
    reasons: dict[str, list[str]] = {b.backup_id: [] for b in newest_first}

    for backup in newest_first[: policy.keep_last]:
        reasons[backup.backup_id].append("last")

    too_old = (
        now - timedelta(days=policy.max_age_days) if policy.max_age_days is not None else None
    )
    generations: list[tuple[str, int, Callable[[datetime], Hashable]]] = [
        ("daily", policy.keep_daily, lambda d: d.date()),
        ("weekly", policy.keep_weekly, lambda d: d.isocalendar()[:2]),
        ("monthly", policy.keep_monthly, lambda d: (d.year, d.month)),
    ]
    for label, count, bucket_of in generations:
        seen: set[Hashable] = set()
        for backup in newest_first:
            if len(seen) >= count:
                break
            bucket = bucket_of(backup.created)
            if bucket in seen:
                continue
            seen.add(bucket)  # the newest backup of each period represents it
            if too_old is None or backup.created >= too_old:
                reasons[backup.backup_id].append(label)

    # Whatever the policy, the newest backup known to restore is never removed.
    verified = next((b for b in newest_first if b.verified), None)
    if verified is not None:
        reasons[verified.backup_id].append("newest verified")

    result = Plan()
    for backup in newest_first:
        if reasons[backup.backup_id]:
            result.keep[backup.backup_id] = reasons[backup.backup_id]
        else:
            result.delete.append(backup.backup_id)
    return result
