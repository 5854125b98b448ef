"""Retention: which backups a policy keeps, as a table of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prodready_backup.retention import Candidate, Policy, plan

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def daily(days: int, verified: set[int] | None = None) -> list[Candidate]:
    """One backup a day at 03:00 for ``days`` days, newest first; id is the age in days."""
    return [
        Candidate(str(age), NOW - timedelta(days=age, hours=9), age in (verified or set()))
        for age in range(days)
    ]


def kept(policy: Policy, backups: list[Candidate]) -> list[int]:
    return sorted(int(i) for i in plan(backups, policy, NOW).keep)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (Policy(keep_last=3, keep_daily=0, keep_weekly=0, keep_monthly=0), [0, 1, 2]),
        (Policy(keep_last=0, keep_daily=5, keep_weekly=0, keep_monthly=0), [0, 1, 2, 3, 4]),
        # ISO weeks: 2026-06-15 is a Monday, so day 0 is alone in its week.
        (Policy(keep_last=0, keep_daily=0, keep_weekly=3, keep_monthly=0), [0, 1, 8]),
        (Policy(keep_last=0, keep_daily=0, keep_weekly=0, keep_monthly=3), [0, 15, 46]),
        (Policy(keep_last=2, keep_daily=3, keep_weekly=2, keep_monthly=2), [0, 1, 2, 15]),
    ],
)
def test_generations(policy: Policy, expected: list[int]) -> None:
    assert kept(policy, daily(100)) == expected


def test_several_backups_a_day_keep_the_newest_of_the_day() -> None:
    backups = [
        Candidate("morning", NOW - timedelta(hours=8)),
        Candidate("noon", NOW - timedelta(hours=1)),
        Candidate("yesterday", NOW - timedelta(days=1)),
    ]
    result = plan(backups, Policy(keep_last=0, keep_daily=2, keep_weekly=0, keep_monthly=0), NOW)
    assert sorted(result.keep) == ["noon", "yesterday"]
    assert result.delete == ["morning"]


def test_max_age_overrides_generations_but_not_keep_last() -> None:
    policy = Policy(keep_last=2, keep_daily=0, keep_weekly=0, keep_monthly=12, max_age_days=30)
    assert kept(policy, daily(100)) == [0, 1, 15]


def test_newest_verified_backup_is_never_pruned() -> None:
    policy = Policy(keep_last=1, keep_daily=0, keep_weekly=0, keep_monthly=0, max_age_days=1)
    result = plan(daily(10, verified={6, 8}), policy, NOW)
    assert sorted(result.keep) == ["0", "6"]
    assert result.keep["6"] == ["newest verified"]


def test_reasons_are_listed() -> None:
    result = plan(daily(3), Policy(keep_last=1, keep_daily=2, keep_weekly=1, keep_monthly=1), NOW)
    assert result.keep["0"] == ["last", "daily", "weekly", "monthly"]
    assert result.keep["1"] == ["daily"]
    assert result.delete == ["2"]


def test_nothing_to_plan() -> None:
    result = plan([], Policy(), NOW)
    assert result.keep == {}
    assert result.delete == []
