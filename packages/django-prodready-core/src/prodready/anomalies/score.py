"""The robust z-score and the episode state machine: pure functions, no Django.

The score of a point is its distance from the median of the points before it, in units
of their median absolute deviation (MAD) scaled to a normal distribution's standard
deviation, so a few outliers in the window move neither. A departure smaller than the
series' ``min_change`` never counts: on a quiet series one extra error is not news.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from statistics import median
from typing import Literal

# MAD x 1.4826 estimates the standard deviation of normally distributed data.
MAD_TO_SIGMA = 1.4826
# Fewer points than this before the latest one say too little about what is normal.
MIN_HISTORY = 10

Change = Literal["started", "ended"]


@dataclass(frozen=True)
class Score:
    value: float
    median: float
    z: float  # signed; infinite when the history does not vary at all
    anomalous: bool


def robust_z(history: Sequence[float], value: float) -> tuple[float, float]:
    """(median of ``history``, robust z-score of ``value`` against it)."""
    middle = median(history)
    departure = value - middle
    spread = MAD_TO_SIGMA * median(abs(point - middle) for point in history)
    if spread > 0:
        return middle, departure / spread
    return middle, math.copysign(math.inf, departure) if departure else 0.0


def score(
    history: Sequence[float],
    value: float,
    *,
    threshold: float,
    min_change: float,
    direction: Literal["up", "down", "both"] = "up",
) -> Score:
    """Whether ``value`` is anomalous after ``history`` (oldest first)."""
    if len(history) < MIN_HISTORY:
        return Score(value, math.nan, 0.0, False)
    middle, z = robust_z(history, value)
    departure = value - middle
    big_enough = abs(departure) >= min_change and departure != 0
    if direction == "up":
        unusual = z >= threshold
    elif direction == "down":
        unusual = z <= -threshold
    else:
        unusual = abs(z) >= threshold
    return Score(value, middle, z, big_enough and unusual)


@dataclass(frozen=True)
class State:
    """One series' episode state, kept between runs of the detector."""

    streak: int = 0  # anomalous points in a row
    calm: int = 0  # normal points in a row, during an episode
    started: int | None = None  # minute the current episode started, if one is on
    notified: bool = False  # whether the current episode's start was notified
    last_notified_end: int | None = None  # minute the last notified episode ended

    @property
    def active(self) -> bool:
        return self.started is not None


def advance(
    state: State,
    anomalous: bool,
    minute: int,
    *,
    confirm: int,
    calm: int,
    cooldown_minutes: int,
) -> tuple[State, Change | None]:
    """The state after one more point, and whether an episode started or ended there.

    An episode starts after ``confirm`` anomalous points in a row and ends after ``calm``
    normal ones. It is notified (``State.notified``) unless it starts within
    ``cooldown_minutes`` of the end of the last notified one; its end is notified only
    if its start was.
    """
    if not state.active:
        streak = state.streak + 1 if anomalous else 0
        if streak < confirm:
            return replace(state, streak=streak), None
        cooling = (
            state.last_notified_end is not None
            and minute - state.last_notified_end < cooldown_minutes
        )
        return replace(state, streak=streak, calm=0, started=minute, notified=not cooling), (
            "started"
        )
    if anomalous:
        return replace(state, streak=state.streak + 1, calm=0), None
    quiet = state.calm + 1
    if quiet < calm:
        return replace(state, streak=0, calm=quiet), None
    end = minute if state.notified else state.last_notified_end
    return State(last_notified_end=end), "ended"
