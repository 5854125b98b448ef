"""The circuit breaker's states: closed, open (fail fast), one try per interval."""

import logging
from collections.abc import Iterator

import pytest
from django.test import override_settings

from prodready import breaker as breaker_module
from prodready.breaker import CircuitBreaker, breaker, reset


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fake = Clock()
    monkeypatch.setattr(breaker_module.time, "monotonic", fake)
    with override_settings(PRODREADY_BREAKER_SECONDS=5.0):
        yield fake


def test_closed_lets_every_call_through(clock: Clock) -> None:
    state = CircuitBreaker("dep")
    assert not state.is_open
    assert all(state.allow() for _ in range(3))


def test_a_failure_opens_it_for_the_interval(clock: Clock) -> None:
    state = CircuitBreaker("dep")
    state.failed(ConnectionError("refused"))
    assert state.is_open
    assert [state.allow() for _ in range(3)] == [False] * 3
    clock.now += 4.9
    assert not state.allow()
    assert "dep is skipped for up to 5 s" in state.refusal()
    assert "ConnectionError: refused" in state.refusal()


def test_one_call_tries_again_after_the_interval(clock: Clock) -> None:
    state = CircuitBreaker("dep")
    state.failed(TimeoutError("timed out"))
    clock.now += 5
    assert [state.allow() for _ in range(3)] == [True, False, False]  # only the try
    state.succeeded()
    assert not state.is_open
    assert all(state.allow() for _ in range(3))


def test_a_failed_try_opens_it_for_another_interval(clock: Clock) -> None:
    state = CircuitBreaker("dep")
    state.failed(TimeoutError("timed out"))
    clock.now += 5
    assert state.allow()
    state.failed(TimeoutError("still"))
    clock.now += 4
    assert not state.allow()
    clock.now += 1
    assert state.allow()


def test_a_try_that_never_reports_does_not_keep_it_open_for_good(clock: Clock) -> None:
    state = CircuitBreaker("dep")
    state.failed(TimeoutError("timed out"))
    clock.now += 5
    assert state.allow()  # this caller never says how it went
    clock.now += 5
    assert state.allow()


def test_it_logs_when_it_opens_and_when_it_closes_not_per_call(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    state = CircuitBreaker("redis://cache:6379")
    with caplog.at_level(logging.INFO, "prodready.breaker"):
        for _ in range(3):
            state.failed(ConnectionError("refused"))
            state.allow()
        clock.now += 12
        state.allow()
        state.succeeded()
        state.succeeded()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("redis://cache:6379 failed (ConnectionError: refused)")
    assert "every 5 s (PRODREADY_BREAKER_SECONDS)" in messages[0]
    assert messages[1] == "redis://cache:6379 answers again after 12.0 s; calls go through."


def test_one_breaker_per_name_per_process() -> None:
    reset()
    assert breaker("redis://a:6379") is breaker("redis://a:6379")
    assert breaker("redis://a:6379") is not breaker("redis://b:6379")
    first = breaker("redis://a:6379")
    reset()
    assert breaker("redis://a:6379") is not first
