"""The first-run dialog: an empty database offers the demo pharmacy or the pharmacy's settings.

The demo never goes into the database that was opened: it has its own file beside it
(`perdiem-demo.sqlite` for `perdiem.sqlite`), which the window switches to and fills, and
whose title bar says DEMO (issue 16), so made-up patients never mix with real ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models import clock
from models.db import sqlite_path
from models.records import reference
from models.records.rows import count_records
from ui.shell.context import AppContext
from ui.shell.import_export import ProgressJob

DEMO_SEED = 1
DEMO_SUFFIX = "-demo"  # perdiem.sqlite -> perdiem-demo.sqlite


def demo_file_for(path: Path) -> Path:
    """The demo's own file beside the database at `path` (itself if it is a demo file)."""
    if is_demo_file(path):
        return path
    return path.with_name(f"{path.stem}{DEMO_SUFFIX}{path.suffix or '.sqlite'}")


def is_demo_file(path: Path | None) -> bool:
    return path is not None and path.stem.endswith(DEMO_SUFFIX)


def load_demo_into(ctx: AppContext, parent: QWidget | None,
                   today: Callable[[], dt.date]) -> ProgressJob:
    """Fill the (empty, demo) database `ctx` has open with the demo pharmacy, in the
    background with a progress dialog."""
    actor, day = ctx.actor, today()
    path = sqlite_path(ctx.url)
    if not is_demo_file(path):  # never the real database
        raise ValueError(f"{ctx.url} is not a demo database file")

    def _load(session: Session) -> dict[str, int]:
        from models import demo

        return demo.load_demo(session, actor=actor, seed=DEMO_SEED, today=day)

    return ProgressJob(ctx, parent, "Demo pharmacy", "Loading the demo pharmacy…", _load)


def first_run_wanted(s: Session) -> bool:
    """True for a database with no records and no pharmacy settings."""
    return count_records(s) == 0 and reference.get_pharmacy(s) is None


def needs_first_run(ctx: AppContext) -> bool:
    return ctx.read(first_run_wanted)


class FirstRunDialog(QDialog):
    """Welcome: open the demo pharmacy (in its own file) to look around, or enter the
    pharmacy's own settings."""

    demo_requested = Signal(object)  # Path of the demo's own file
    settings_chosen = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.setWindowTitle("Welcome to PerDiem")
        self.setMinimumWidth(560)
        path = sqlite_path(ctx.url)
        where = path.name if path else ctx.url
        self.demo_path = demo_file_for(path) if path else None
        title = QLabel("<h2>Welcome to PerDiem</h2>", self)
        demo_where = self.demo_path.name if self.demo_path else "a file of its own"
        text = QLabel(
            f"The database <b>{where}</b> is empty. How would you like to start?"
            "<ul>"
            "<li><b>Open the demo pharmacy</b>: a made-up pharmacy with payers, prescribers "
            "and patients whose orders, infusion logs and documents show every billing "
            f"status. It opens in its own file, <b>{demo_where}</b>, marked DEMO in the title "
            f"bar; {where} stays empty for real work (File ▸ Open database… goes back).</li>"
            "<li><b>Enter pharmacy settings</b>: start real work by entering your pharmacy's "
            "name, NPI, tax ID and address, then add payers, prescribers and patients.</li>"
            "</ul>", self)
        text.setWordWrap(True)
        self.demo_button = QPushButton("Open the &demo pharmacy", self)
        self.demo_button.setEnabled(self.demo_path is not None)
        self.settings_button = QPushButton("Enter pharmacy &settings…", self)
        self.later_button = QPushButton("&Not now", self)
        self.settings_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(buttons)

        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.settings_button.clicked.connect(self._on_settings_clicked)
        self.later_button.clicked.connect(self.reject)

    @Slot()
    def _on_demo_clicked(self) -> None:
        self.accept()
        self.demo_requested.emit(self.demo_path)

    @Slot()
    def _on_settings_clicked(self) -> None:
        self.settings_chosen.emit()
        self.accept()
