"""Run a read or a long job off the GUI thread in its own session; get the answer back on it.

    task = run_in_background(ctx, lambda s: loading.billable_days(s, start, end),
                             receiver=self, on_result=self._on_days_loaded,
                             on_error=self._on_load_failed)

`fn` gets a fresh session on the context's engine: a read session, which never commits
(`ui.shell.context.read_session`); only a `ui.shell.ops.WriteOp` passes its transaction as
`session_scope`. `on_result` / `on_error` are called on the GUI thread, and only while
`receiver` is alive, so a view closed mid-load is never called back. The returned
`BackgroundTask` also emits `succeeded` / `failed` / `finished`, which tests wait on with
`qtbot.waitSignal`; `cancel()` drops a task whose answer is no longer wanted (a newer load
replaced it): a job still waiting for a thread then never runs, and a running one's answer is
thrown away.

Qt objects and threads. Qt's rule is that a QObject is deleted on the thread it lives on (a
widget only on the GUI thread), and Python's garbage collector runs on whichever thread
allocates when a collection is due, a pool thread too: freeing a Python wrapper that owns its
Qt object deletes that object on the spot. So no Qt object here is owned by anything a pool
thread could free, and the collector is left alone (on, with its usual thresholds):

- a `BackgroundTask` is a child of the relay, a QObject that lives on the GUI thread for the
  whole run: Qt owns the task, and deletes it with `deleteLater()` on the GUI thread once it
  is delivered, whoever drops the last Python reference, wherever;
- a pool thread holds a job number, the function and a ticket (plain Python); the answer goes
  back as plain data, stored under the job number before the relay's queued signal carries
  that number to the GUI thread, so the pool thread keeps nothing of it;
- the task keeps `fn`, its callbacks (lambdas that capture views) and its receiver until it is
  delivered and drops them then, on the GUI thread: a finished job keeps no view alive and
  leaves no cycle through one for a collection on another thread to break.

Views are widgets with parents; dialogs and jobs that end are deleted with `deleteLater()`;
the app's context and settings have parents too (ui.shell.app, ui.shell.main_window).
`tests/ui/shell/test_workers.py` collects on other threads all the time while the window works
hard and finds no live Python-owned Qt object in what they would free.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from sqlalchemy import Engine
from sqlmodel import Session

from models.server import server_away
from ui.shell.context import read_session

SessionScope = Callable[[Engine], AbstractContextManager[Session]]

# Tasks not yet delivered, by job number: this keeps each task (and with it `fn`, whose last
# reference must be dropped on the GUI thread) alive until its answer is back.
_pending: dict[int, BackgroundTask] = {}
# Answers handed over by pool threads, by job number, until the GUI thread takes them.
_answers: dict[int, tuple[bool, Any]] = {}
_numbers = itertools.count(1)
class _Relay(QObject):
    """Lives on the GUI thread for the whole run; a pool thread emits `completed` on it with a
    job number, and the queued connection brings the call over."""

    completed = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.completed.connect(self._deliver)

    @Slot(int)
    def _deliver(self, number: int) -> None:
        ok, value = _answers.pop(number)
        task = _pending.pop(number, None)
        if task is not None:
            task._deliver(ok, value)


_relay: _Relay | None = None


def _get_relay() -> _Relay:
    global _relay
    if _relay is None:  # made on first use, on the GUI thread
        _relay = _Relay()
    return _relay


class _Ticket:
    """What a pool thread may know of its task: whether it was cancelled (not a Qt object)."""

    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False


class BackgroundTask(QObject):
    """The GUI-thread end of one background job: a child of the relay, so Qt owns it."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        fn: Callable[[Session], Any],
        receiver: QObject | None,
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[Exception], None] | None,
    ) -> None:
        super().__init__(_get_relay())
        self.fn: Callable[[Session], Any] | None = fn
        self._receiver = receiver
        self._on_result = on_result
        self._on_error = on_error
        self.ticket = _Ticket()
        self.done = False
        self.cancellable = True  # a read's; a write's answer (its change notice) is always due

    @property
    def cancelled(self) -> bool:
        return self.ticket.cancelled

    def cancel(self) -> None:
        """No answer is wanted any more: the job is skipped if it has not started, and no
        callback is called (only `finished` is emitted). A write cannot be cancelled so: its
        function stops itself (raising, which rolls it back), as the import's Cancel does."""
        if not self.cancellable:
            raise RuntimeError("a background write is stopped from inside its function")
        if not self.done:
            self.ticket.cancelled = True

    def _deliver(self, ok: bool, value: Any) -> None:
        self.done = True
        cancelled = self.ticket.cancelled
        alive = self._receiver is None or shiboken6.isValid(self._receiver)
        on_result, on_error = self._on_result, self._on_error
        # a delivered task keeps no view alive, and no cycle through a lambda that captures one
        self.fn = self._receiver = self._on_result = self._on_error = None
        try:
            if cancelled:
                pass
            elif ok:
                if alive and on_result is not None:
                    on_result(value)
                self.succeeded.emit(value)
            else:
                if alive and on_error is not None:
                    on_error(value)
                self.failed.emit(value)
        finally:
            self.finished.emit()
            self.deleteLater()  # on the GUI thread, once the signals' receivers are done


class _Cancelled(Exception):
    """The job was cancelled before it started."""


class _Job(QRunnable):
    """Runs on a pool thread; it holds the function, a ticket and a job number, no Qt object
    but the relay that lives for the whole run."""

    def __init__(self, engine: Engine, number: int, task: BackgroundTask, scope: SessionScope):
        super().__init__()
        self._engine = engine
        self._scope = scope
        self._number = number
        self._fn = task.fn
        self._ticket = task.ticket
        self._relay = _get_relay()

    def run(self) -> None:
        fn, self._fn = self._fn, None
        try:
            if self._ticket.cancelled:
                raise _Cancelled()
            with self._scope(self._engine) as session:
                answer: tuple[bool, Any] = (True, fn(session))
        except Exception as exc:  # handed to the GUI thread, which decides how to show it
            # the server away: one sentence naming it, as every other failure is worded
            answer = (False, server_away(exc, str(self._engine.url)) or exc)
        # The task still holds `fn` and is the one to drop it, on the GUI thread. The answer is
        # handed over before the call is queued, so this thread holds nothing of it after.
        del fn
        _answers[self._number] = answer
        del answer
        self._relay.completed.emit(self._number)


def run_in_background(
    ctx: Any,
    fn: Callable[[Session], Any],
    *,
    receiver: QObject | None = None,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    pool: QThreadPool | None = None,
    session_scope: SessionScope = read_session,
) -> BackgroundTask:
    """Start `fn(session)` on a pool thread with its own session on `ctx.engine`.

    The result (or the exception) comes back on the GUI thread. Must be called from the GUI
    thread, which is where the task object lives.
    """
    task = BackgroundTask(fn, receiver, on_result, on_error)
    task.cancellable = session_scope is read_session
    number = next(_numbers)
    _pending[number] = task
    job = _Job(ctx.engine, number, task, session_scope)
    (pool or QThreadPool.globalInstance()).start(job)
    return task


def pending_jobs() -> int:
    """How many background jobs have not been delivered yet (tests wait for none)."""
    return len(_pending)
