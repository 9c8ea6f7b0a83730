"""The first-run dialog: an empty database offers the demo data or the pharmacy's settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
from models.records import services
from ui.common import show_error
from ui.shell.context import AppContext
from ui.shell.import_export import Cancelled, ProgressJob

DEMO_SEED = 1


def first_run_wanted(s: Session) -> bool:
    """True for a database with no records and no pharmacy settings."""
    return services.count_records(s) == 0 and services.get_pharmacy(s) is None


def needs_first_run(ctx: AppContext) -> bool:
    return ctx.read(first_run_wanted)


class FirstRunDialog(QDialog):
    """Welcome: load a demo pharmacy to look around, or enter the pharmacy's own settings."""

    demo_loaded = Signal(dict)
    settings_chosen = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.job: ProgressJob | None = None
        self.setWindowTitle("Welcome to PerDiem")
        self.setMinimumWidth(560)
        path = sqlite_path(ctx.url)
        where = path.name if path else ctx.url
        title = QLabel("<h2>Welcome to PerDiem</h2>", self)
        text = QLabel(
            f"The database <b>{where}</b> is empty. How would you like to start?"
            "<ul>"
            "<li><b>Load demo data</b>: a made-up pharmacy with payers, prescribers and patients "
            "whose orders, infusion logs and documents show every billing status. Good for "
            "trying PerDiem out; use a separate database file for real work.</li>"
            "<li><b>Enter pharmacy settings</b>: start real work by entering your pharmacy's "
            "name, NPI, tax ID and address, then add payers, prescribers and patients.</li>"
            "</ul>", self)
        text.setWordWrap(True)
        self.demo_button = QPushButton("Load &demo data", self)
        self.settings_button = QPushButton("Enter pharmacy &settings…", self)
        self.later_button = QPushButton("&Not now", self)
        self.settings_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.settings_button)
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
        actor, today = self.ctx.actor, self.today()

        def _load(session: Session) -> dict[str, int]:
            from models import demo

            return demo.load_demo(session, actor=actor, seed=DEMO_SEED, today=today)

        self.demo_button.setEnabled(False)
        self.settings_button.setEnabled(False)
        self.job = ProgressJob(self.ctx, self, "Demo data", "Loading the demo pharmacy…", _load)
        self.job.succeeded.connect(self._on_demo_loaded)
        self.job.failed.connect(self._on_demo_failed)

    @Slot(object)
    def _on_demo_loaded(self, counts: dict[str, int]) -> None:
        self.demo_loaded.emit(counts)
        self.accept()

    @Slot(object)
    def _on_demo_failed(self, exc: Exception) -> None:
        self.demo_button.setEnabled(True)
        self.settings_button.setEnabled(True)
        if not isinstance(exc, Cancelled):
            show_error(self, exc, "Demo data not loaded")

    @Slot()
    def _on_settings_clicked(self) -> None:
        self.settings_chosen.emit()
        self.accept()
