"""Which step of a run failed: each stage of a backup or a restore runs inside its step.

A run keeps one :class:`Steps`; its stages run inside ``steps.step(name)``. A failure
belongs to the innermost step it leaves, however it travels afterwards: through the
storage that pulls the pipeline's bytes, or the steps around that one. The failed
record, the notification and the audit event name that step.
"""

from __future__ import annotations

from collections.abc import Callable

from prodready_backup.errors import BackupError

#: The steps of a backup, in the order the bytes meet them; a failed record names one.
#: "start" is taking the target's lock and recording the run. A restore's are
#: "safety backup" and "restore".
STEPS = ("start", "dump", "compress", "encrypt", "upload", "verify")

Explain = Callable[[Exception], BackupError]


class Steps:
    """The steps of one run; ``failed`` names the one that failed ("" while none has)."""

    def __init__(self) -> None:
        self.failed = ""

    def step(self, name: str, explain: Explain | None = None) -> Step:
        """The context manager of a stage that runs as step ``name`` (reusable).

        ``explain``, when given, turns an exception that is not a
        :class:`~prodready_backup.errors.BackupError` into one that says what failed.
        """
        return Step(self, name, explain)


class Step:
    """One stage of a run; see :meth:`Steps.step`.

    A class rather than a generator-based context manager: the pipeline enters a few
    per piece of the source, and this costs a fraction of one.
    """

    __slots__ = ("_explain", "_name", "_steps")

    def __init__(self, steps: Steps, name: str, explain: Explain | None) -> None:
        self._steps = steps
        self._name = name
        self._explain = explain

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if not isinstance(exc, Exception) or self._steps.failed:
            return  # no failure, not one to attribute, or a step inside this one failed first
        self._steps.failed = self._name
        if self._explain is not None and not isinstance(exc, BackupError):
            raise self._explain(exc) from exc
