"""The robust z-score and the episode state machine (prodready.anomalies.score)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prodready.anomalies.score import MIN_HISTORY, State, advance, robust_z, score

levels = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
noise = st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=60, max_size=60)


def run(values, *, min_change=0.0, threshold=6.0, confirm=2, calm=5, cooldown=30, window=60):
    """Episode changes as (minute, change, notified), the detector driven point by point."""
    state, changes = State(), []
    for minute, value in enumerate(values):
        history = values[max(0, minute - window) : minute]
        found = score(history, value, threshold=threshold, min_change=min_change)
        state, change = advance(
            state, found.anomalous, minute, confirm=confirm, calm=calm, cooldown_minutes=cooldown
        )
        if change:
            changes.append((minute, change, state.notified if change == "started" else None))
    return changes


@given(level=levels, length=st.integers(min_value=1, max_value=200))
def test_a_constant_series_never_alerts(level, length):
    assert run([level] * length) == []


@given(base=st.floats(min_value=0, max_value=1000), jitter=noise, factor=st.floats(10, 1000))
def test_a_huge_step_always_alerts_within_two_minutes(base, jitter, factor):
    before = [base + 1 + point for point in jitter]  # noisy, at most 2 apart
    step = (base + 1) * factor + 100
    changes = run([*before, step, step, step], min_change=5.0)
    assert changes  # the second minute after the step:
    assert changes[0][:2] == (61, "started")


def test_the_minimum_change_keeps_a_quiet_series_quiet():
    quiet = [0.0] * 60 + [1.0, 1.0, 1.0]  # one more error a minute: infinite z, tiny change
    assert run(quiet, min_change=2.0) == []
    assert run(quiet, min_change=0.5)[0][:2] == (61, "started")


def test_robust_z_ignores_outliers_in_the_window():
    history = [10.0, 11.0, 9.0, 10.0, 1000.0, 10.0, 11.0, 9.0, 10.0, -500.0, 10.0]
    middle, z = robust_z(history, 10.0)
    assert (middle, z) == (10.0, 0.0)
    assert robust_z(history, 20.0)[1] > 6


def test_too_short_a_history_is_not_scored():
    found = score([1.0] * (MIN_HISTORY - 1), 1e9, threshold=3, min_change=0)
    assert not found.anomalous
    assert math.isnan(found.median)


@pytest.mark.parametrize(
    ("direction", "value", "anomalous"),
    [("up", 50.0, True), ("up", -30.0, False), ("down", -30.0, True), ("both", -30.0, True)],
)
def test_direction(direction, value, anomalous):
    history = [10.0, 11.0, 9.0] * 10
    found = score(history, value, threshold=6, min_change=1, direction=direction)
    assert found.anomalous is anomalous


def test_an_episode_starts_once_and_ends_once():
    values = [10.0, 11.0, 9.0] * 20 + [100.0] * 5 + [10.0] * 10
    assert run(values) == [(61, "started", True), (69, "ended", None)]


def test_an_episode_soon_after_a_notified_one_is_flagged_but_not_notified():
    state = State()
    changes = []
    # anomalous at 0-1 (starts at 1), calm 2-6 (ends at 6), again at 10-11 (within 30 min)
    pattern = [True, True, False, False, False, False, False, False, False, False, True, True]
    for minute, anomalous in enumerate(pattern):
        state, change = advance(state, anomalous, minute, confirm=2, calm=5, cooldown_minutes=30)
        if change:
            changes.append((minute, change, state.notified, state.last_notified_end))
    assert changes == [
        (1, "started", True, None),
        (6, "ended", False, 6),
        (11, "started", False, 6),
    ]
    assert state.active
    # Past the cooldown, the next episode is notified again.
    state, _ = advance(
        State(last_notified_end=6), True, 40, confirm=1, calm=5, cooldown_minutes=30
    )
    assert state.notified
