"""The one way the GUI writes: a `WriteOp` runs a change in one transaction and announces it.

    saved = WriteOp(ctx, lambda s: reference.save_patient(s, actor=ctx.actor, ...)).run()
    call(ctx, clinical.void_record, kind=registry.ORDER, record_id="o-1", reason="duplicate")
    WriteOp(ctx, import_file, touches_all=True).run_in_background(
        receiver=self, on_result=self._on_imported, on_error=self._on_failed)

In the spirit of Anki's `CollectionOp`: `fn(session)` calls services, which flush and record
what they wrote on the session (`models.records.changes.changes_of`) but never commit. The
operation owns the transaction (`unit_of_work`): it commits when `fn` returns and rolls
everything back when it raises. After the commit it announces ONE change notice (`Changes`)
on `ctx.data_changed`, the app-wide signal every view listens to, and each view decides
whether to read again. Nothing else in ui/ opens a write transaction or emits that signal
(tests/ui/test_write_ops.py reads the source to check); reads get sessions that never commit
(`ui.shell.context.read_session`). A window that opened the database read-only (another
PerDiem writes to it: ui.shell.in_use) refuses every operation in words (`ReadOnly`).

- `run()` runs on the GUI thread, for a quick save a form waits on: it returns `fn`'s result,
  and an error propagates with nothing saved, so the form can show it and keep what was typed.
- `StepsOp` is the same for a write that must commit in steps (a claim export records its
  batch pending, writes its files to disk, then completes the batch: models/claims/
  batch_files.py): `fn(work)` gets a unit_of_work factory instead of a session, each `work()`
  is one transaction, and ONE notice, what all the steps wrote, is announced at the end
  (also when a later step fails, since the earlier ones were committed).
- `run_in_background()` runs on a pool thread (ui.shell.workers) for slow writes: an import,
  the demo data, a claim batch. The result comes back on the GUI thread; the notice is
  announced even when `receiver` is gone (the data changed all the same), then `on_result` is
  called while `receiver` lives. The task it returns cannot be cancelled (its answer is the
  notice the views need): a write stops itself inside `fn` (raising, so it rolls back), as
  the import's Cancel button does.
- Another desk's save (PostgreSQL's notices, ui/shell/other_desks.py) is announced here too
  (`announce_other_desk`), so views treat it as a local one. A lost or refused server
  connection surfaces as `models.server.ServerAway`: nothing was saved, and a form may retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from models.db import unit_of_work
from models.errors import DomainError
from models.records.changes import Changes, changes_of
from models.server import server_away
from ui.shell.context import AppContext
from ui.shell.workers import BackgroundTask, run_in_background

T = TypeVar("T")

# what an import or the demo data may have written: every view reads again after them
ALL_KINDS = frozenset({"pharmacy", "payer", "prescriber", "patient", "authorization", "order",
                       "plan_of_care", "prep_note", "delivery", "infusion", "care_note"})


class WriteOp(Generic[T]):
    """One write the user asked for: `fn(session)` in one transaction, then one notice.

    `touches_all=True` announces every kind of record (an import or the demo data writes
    records of every kind, more than a view should work out from the notice)."""

    def __init__(self, ctx: AppContext, fn: Callable[[Session], T], *,
                 touches_all: bool = False) -> None:
        self.ctx = ctx
        self._fn = fn
        self._touches_all = touches_all

    def run(self) -> T:
        """Write now, on the GUI thread; errors propagate and nothing is saved."""
        _writable(self.ctx)
        with _server_named(self.ctx):
            with unit_of_work(self.ctx.engine) as session:
                result = self._fn(session)
                changes = changes_of(session)
        _announce(self.ctx, changes, self._touches_all)
        return result

    def run_in_background(
        self,
        *,
        receiver: QObject | None = None,
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> BackgroundTask:
        """Write on a pool thread; announce, then `on_result(result)` on the GUI thread."""
        _writable(self.ctx)
        fn, ctx, touches_all = self._fn, self.ctx, self._touches_all
        # what the work recorded, handed from the pool thread as plain data (no Qt object);
        # the queued delivery comes after the commit, so it is complete when read
        noted: list[Changes] = []

        def work(session: Session) -> T:
            result = fn(session)
            noted.append(changes_of(session))
            return result

        def done(result: T) -> None:
            _announce(ctx, noted[0], touches_all)
            if on_result is not None and _alive(receiver):
                on_result(result)

        def failed(exc: Exception) -> None:
            if on_error is not None and _alive(receiver):
                on_error(exc)

        # the task's own receiver is None: the notice must go out even if `receiver` went
        return run_in_background(ctx, work, on_result=done, on_error=failed,
                                 session_scope=unit_of_work)


Transactions = Callable[[], AbstractContextManager[Session]]


class StepsOp(Generic[T]):
    """One write the user asked for that commits in steps: `fn(work)`, where each `work()`
    is one transaction; then ONE notice with what every committed step wrote."""

    def __init__(self, ctx: AppContext, fn: Callable[[Transactions], T]) -> None:
        self.ctx = ctx
        self._fn = fn

    def run(self) -> T:
        """Run the steps now, on the GUI thread; announce what committed, even on an error."""
        _writable(self.ctx)
        noted = Changes()
        try:
            with _server_named(self.ctx):
                return self._fn(_steps(self.ctx.engine, noted))
        finally:
            if noted.kinds or noted.patient_ids:
                _announce(self.ctx, noted, False)

    def run_in_background(
        self,
        *,
        receiver: QObject | None = None,
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> BackgroundTask:
        """Run the steps on a pool thread; announce, then call back on the GUI thread."""
        _writable(self.ctx)
        fn, ctx = self._fn, self.ctx
        noted = Changes()  # plain data filled on the pool thread, read after its delivery

        def scope(engine: Engine) -> AbstractContextManager[Transactions]:
            return nullcontext(_steps(engine, noted))

        def done(result: T) -> None:
            _announce(ctx, noted, False)
            if on_result is not None and _alive(receiver):
                on_result(result)

        def failed(exc: Exception) -> None:
            if noted.kinds or noted.patient_ids:
                _announce(ctx, noted, False)
            if on_error is not None and _alive(receiver):
                on_error(exc)

        return run_in_background(ctx, fn, on_result=done, on_error=failed,
                                 session_scope=scope)  # type: ignore[arg-type]


def _steps(engine: Engine, noted: Changes) -> Transactions:
    """A unit_of_work factory that adds what each committed step wrote to `noted`."""

    @contextmanager
    def work() -> Iterator[Session]:
        with unit_of_work(engine) as session:
            yield session
            step = changes_of(session)
        noted.kinds |= step.kinds  # only once the step committed
        noted.patient_ids |= step.patient_ids

    return work


def call(ctx: AppContext, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call one service write as the context's staff member, now: `service(session, *args,
    actor=ctx.actor, **kwargs)` as a `WriteOp`."""
    return WriteOp(ctx, lambda s: service(s, *args, actor=ctx.actor, **kwargs)).run()


def reload_everything(ctx: AppContext, patient_ids: set[str]) -> None:
    """View ▸ Refresh: nothing is written, but every view reads again as after an import."""
    _announce(ctx, Changes(patient_ids=set(patient_ids)), touches_all=True)


def announce_other_desk(ctx: AppContext, changes: Changes, *, touches_all: bool = False) -> None:
    """What another desk committed (ui/shell/other_desks.py, PostgreSQL's notices): announced
    like a local save, so every view decides the same way whether to read again."""
    _announce(ctx, changes, touches_all)


class ReadOnly(DomainError):
    """This window opened the database read-only; nothing was saved."""


@contextmanager
def _server_named(ctx: AppContext) -> Iterator[None]:
    """A lost or refused server connection as `ServerAway`, one sentence naming the server
    (models/server.py); nothing was saved, so the form keeps what was typed and may retry."""
    try:
        yield
    except SQLAlchemyError as exc:
        away = server_away(exc, ctx.url)
        if away is None:
            raise
        raise away from exc


def _writable(ctx: AppContext) -> None:
    """Refuse, in words and before anything is written, a write from a read-only window."""
    reason = getattr(ctx, "read_only", None)
    if reason:
        raise ReadOnly(f"Not saved: PerDiem opened this database read-only ({reason}). "
                       "Reopen it once it is closed there to make changes.")


def _announce(ctx: AppContext, changes: Changes, touches_all: bool) -> None:
    if touches_all:
        changes = Changes(kinds=set(ALL_KINDS) | changes.kinds,
                          patient_ids=set(changes.patient_ids))
    ctx.data_changed.emit(changes)


def _alive(receiver: QObject | None) -> bool:
    return receiver is None or shiboken6.isValid(receiver)
