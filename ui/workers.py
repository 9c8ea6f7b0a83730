"""Run a read or a long job off the GUI thread in its own session; get the answer back on it.

    task = run_in_background(ctx, lambda s: services.billable_days(s, start, end),
                             receiver=self, on_result=self._on_days_loaded,
                             on_error=self._on_load_failed)

`fn` gets a fresh session (one `unit_of_work` on the context's engine, committed when it
returns). `on_result` / `on_error` are called on the GUI thread, and only while `receiver` is
alive, so a view closed mid-load is never called back. The returned `BackgroundTask` also emits
`succeeded` / `failed` / `finished`, which tests wait on with `qtbot.waitSignal`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from sqlalchemy import Engine
from sqlmodel import Session

from models.db import unit_of_work

# Tasks not yet delivered; holding them here keeps their Python wrappers alive until then.
_pending: set[BackgroundTask] = set()
# Whether automatic garbage collection was on before the first pending task turned it off.
_gc_was_enabled = False


def _hold_garbage_collection() -> None:
    """Collect now, on the GUI thread, and stop automatic collection while a job runs: a
    collection triggered by the job's allocations would run on the pool thread and could
    destroy dead Qt widgets there, which crashes the app ("Garbage-collecting" in a worker)."""
    global _gc_was_enabled
    if not _pending:
        _gc_was_enabled = gc.isenabled()
        gc.disable()
        gc.collect()


def _release_garbage_collection() -> None:
    if not _pending and _gc_was_enabled:
        gc.enable()


class BackgroundTask(QObject):
    """The GUI-thread end of one background job."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    # emitted from the worker thread; a queued connection brings it to this object's thread
    _completed = Signal(bool, object)

    def __init__(
        self,
        receiver: QObject | None,
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[Exception], None] | None,
    ) -> None:
        super().__init__()
        self._receiver = receiver
        self._on_result = on_result
        self._on_error = on_error
        self.done = False
        self._completed.connect(self._on_completed)

    @Slot(bool, object)
    def _on_completed(self, ok: bool, value: Any) -> None:
        self.done = True
        _pending.discard(self)
        _release_garbage_collection()
        alive = self._receiver is None or shiboken6.isValid(self._receiver)
        try:
            if ok:
                if alive and self._on_result is not None:
                    self._on_result(value)
                self.succeeded.emit(value)
            else:
                if alive and self._on_error is not None:
                    self._on_error(value)
                self.failed.emit(value)
        finally:
            self.finished.emit()


class _Job(QRunnable):
    def __init__(self, engine: Engine, fn: Callable[[Session], Any], task: BackgroundTask):
        super().__init__()
        self._engine = engine
        self._fn = fn
        self._task = task

    def run(self) -> None:
        try:
            with unit_of_work(self._engine) as session:
                result = self._fn(session)
        except Exception as exc:  # handed to the GUI thread, which decides how to show it
            self._task._completed.emit(False, exc)
        else:
            self._task._completed.emit(True, result)


def run_in_background(
    ctx: Any,
    fn: Callable[[Session], Any],
    *,
    receiver: QObject | None = None,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
) -> BackgroundTask:
    """Start `fn(session)` on a pool thread with its own session on `ctx.engine`.

    The result (or the exception) comes back on the GUI thread. Must be called from the GUI
    thread, which is where the task object lives.
    """
    task = BackgroundTask(receiver, on_result, on_error)
    _hold_garbage_collection()
    _pending.add(task)
    (pool or QThreadPool.globalInstance()).start(_Job(ctx.engine, fn, task))
    return task
