"""A failure belongs to the innermost step it leaves; explained once, never twice."""

from __future__ import annotations

import pytest

from prodready_backup.errors import BackupError, DumpError, StepError
from prodready_backup.steps import Steps


def explain(exc: Exception) -> BackupError:
    return StepError(f"explained: {type(exc).__name__}: {exc}")


def test_no_failure_names_no_step() -> None:
    steps = Steps()
    with steps.step("dump"), steps.step("upload"):
        pass
    assert steps.failed == ""


def test_the_innermost_step_left_is_the_one_that_failed() -> None:
    steps = Steps()
    with pytest.raises(OSError, match="disk gone"), steps.step("upload"), steps.step("dump"):
        raise OSError("disk gone")
    assert steps.failed == "dump"


def test_a_foreign_exception_is_explained_by_its_step_once() -> None:
    steps = Steps()
    with (
        pytest.raises(StepError, match=r"^explained: ValueError: bad$") as raised,
        steps.step("upload", explain),
        steps.step("compress", explain),
    ):
        raise ValueError("bad")
    assert steps.failed == "compress"
    assert isinstance(raised.value.__cause__, ValueError)


def test_our_own_errors_are_not_explained_again() -> None:
    steps = Steps()
    error = DumpError("pg_dump failed")
    with pytest.raises(DumpError) as raised, steps.step("dump", explain):
        raise error
    assert raised.value is error
    assert steps.failed == "dump"


def test_each_run_keeps_its_own_steps() -> None:
    outer, inner = Steps(), Steps()
    with (
        pytest.raises(OSError, match="disk gone"),
        outer.step("safety backup"),
        inner.step("upload"),
    ):
        raise OSError("disk gone")
    assert (outer.failed, inner.failed) == ("safety backup", "upload")
