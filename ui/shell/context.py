"""The app's shared context: database engine, acting staff member, and change notices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine
from sqlmodel import Session

from models.records.changes import changes_of

R = TypeVar("R")


class ReadWrote(RuntimeError):
    """A read tried to write; writes go through ui.shell.ops.WriteOp."""


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading: it never commits, so whatever a read might change is dropped;
    a read that called a service write is refused (`ReadWrote`) instead of passing quietly."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        if session.new or session.dirty or session.deleted or changes_of(session).kinds:
            raise ReadWrote("a read changed records; GUI writes go through ui.shell.ops")


class AppContext(QObject):
    """One per open database. Views read through `read` (or ui.shell.workers in the
    background) and write through ui.shell.ops, which announces each write's `Changes` on
    `data_changed`: the one signal every view listens to and decides whether to read again."""

    data_changed = Signal(object)  # models.records.changes.Changes
    database_replaced = Signal()

    def __init__(self, engine: Engine, actor: str, url: str, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.actor = actor
        self.url = url
        # why this window may not write (another PerDiem writes to the database), or None
        self.read_only: str | None = None
        self.writer_lock: Any = None  # models.dbfile.WriterLock, taken by ui.shell.in_use
        # what views remember for this run of the app only (e.g. the month a calendar shows)
        self.view_state: dict[str, Any] = {}

    def read(self, fn: Callable[[Session], R]) -> R:
        with read_session(self.engine) as session:
            return fn(session)

    def replace_engine(self, engine: Engine, url: str) -> None:
        self.engine.dispose()
        self.engine = engine
        self.url = url
        self.database_replaced.emit()
