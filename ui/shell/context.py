"""The app's shared context: database engine, acting staff member, and change notices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine
from sqlmodel import Session

from models.db import unit_of_work
from models.records.services import Changes, changes_of

R = TypeVar("R")


class AppContext(QObject):
    """One per open database. Views read through `read` and write through `write`; after each
    successful write `data_changed` carries what changed, and each view decides whether to
    reload."""

    data_changed = Signal(object)  # models.records.services.Changes
    database_replaced = Signal()

    def __init__(self, engine: Engine, actor: str, url: str, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.actor = actor
        self.url = url
        # what views remember for this run of the app only (e.g. the month a calendar shows)
        self.view_state: dict[str, Any] = {}

    def read(self, fn: Callable[[Session], R]) -> R:
        with unit_of_work(self.engine) as session:
            return fn(session)

    def write(self, fn: Callable[[Session], R]) -> R:
        """Run `fn` in one transaction; on success announce what it changed. Errors propagate
        (nothing is saved) so the calling form can show them and keep what was typed."""
        with unit_of_work(self.engine) as session:
            result = fn(session)
            changes: Changes = changes_of(session)
        self.data_changed.emit(changes)
        return result

    def replace_engine(self, engine: Engine, url: str) -> None:
        self.engine.dispose()
        self.engine = engine
        self.url = url
        self.database_replaced.emit()

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a service write function with this context's actor in one transaction."""
        return self.write(lambda s: fn(s, *args, actor=self.actor, **kwargs))
