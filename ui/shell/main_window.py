"""The main window: patient list, the selected patient's tabs, the billing month, the menus.

The window paints before it reads anything: the patient list, the title's pharmacy name and
each tab's records come from background reads, and only the tab in front reads when a
patient is chosen (the others when they come to the front). Its menus and toolbar are built
by ui.shell.menus, and what their commands open is in ui.shell.window_commands.

It is over 400 lines on purpose: it is where the window's parts meet (the Today list, the
patient tabs, the month, sign-in and the idle lock), each wired in a few lines.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRect, QSettings, QSize, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from models import clock
from models.db import sqlite_path
from models.records import reference
from models.records.changes import Changes
from models.records.tables import PatientRead
from ui.billing.today_view import TodayView
from ui.records.patients import PatientListPanel
from ui.records.table_models import us_date
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.first_run import is_demo_file
from ui.shell.import_export import ImportExport
from ui.shell.menus import WindowMenus
from ui.shell.patient_tabs import CALENDAR_CLASS, PatientTabs
from ui.shell.window_commands import WindowCommands
from ui.shell.window_security import WindowSecurity
from ui.shell.workers import run_in_background

if TYPE_CHECKING:  # the month view's module loads after the first paint
    from ui.billing.month_view import MonthView

MONTH_VIEW_MODULE = "ui.billing.month_view"
# what a window manager's title bar and borders take, before the window is shown and its
# frame is known
FRAME_ALLOWANCE = QSize(16, 40)


def app_settings(parent: QObject | None = None) -> QSettings:
    return QSettings("PerDiem", "PerDiem", parent)


class MainWindow(WindowMenus, WindowCommands, QMainWindow):
    """Patients on the left, the chosen patient's records in tabs on the right; a second page
    shows the whole pharmacy's billing month."""

    patient_changed = Signal(object)  # str | None
    demo_loaded = Signal(dict)  # the demo pharmacy's counts, in its own file
    page_changed = Signal(int)

    PATIENTS_PAGE, MONTH_PAGE, TODAY_PAGE = 0, 1, 2

    def __init__(self, ctx: AppContext, settings: QSettings | None = None,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__()
        self.ctx = ctx
        # the window's own settings are its child (Qt owns them: see ui.shell.workers)
        self.settings = settings if settings is not None else app_settings(self)
        self.today = today
        self.patient_id: str | None = None
        self._payer_names: dict[str, str] = {}  # for the header, read in the background
        self._prepared = False  # the tabs behind and the billing month built after start-up
        self._pharmacy_name: str | None = None  # for the title; "" when none is set
        self.setObjectName("mainWindow")
        self.setMinimumSize(QSize(760, 520))
        self.resize(self.first_size())

        self.patients = PatientListPanel(ctx, self, today=today)
        self.patients.setMinimumWidth(340)
        self.header = QLabel(self)
        self.header.setObjectName("patientHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs = PatientTabs(ctx, self)  # each built when first needed
        self.empty_hint = QLabel(self)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setObjectName("emptyHint")
        self.detail_stack = QStackedWidget(self)
        self.detail_stack.addWidget(self.empty_hint)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.setSpacing(8)
        detail_layout.addWidget(self.header)
        detail_layout.addWidget(self.tabs, 1)
        self.detail_stack.addWidget(detail)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(self.detail_stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 1000])
        patients_page = QWidget(self)
        page_layout = QVBoxLayout(patients_page)
        page_layout.setContentsMargins(10, 10, 10, 6)
        page_layout.addWidget(self.splitter)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(patients_page)
        # the billing month is built when first shown (see month_view)
        self._month_view: MonthView | None = None
        self._month_page = QWidget(self)
        QVBoxLayout(self._month_page).setContentsMargins(10, 10, 10, 6)
        self.pages.addWidget(self._month_page)
        # Today's work list, the first screen (issue 16)
        self.today_view = TodayView(ctx, self, today=today)
        today_page = QWidget(self)
        today_layout = QVBoxLayout(today_page)
        today_layout.setContentsMargins(10, 10, 10, 6)
        today_layout.addWidget(self.today_view)
        self.pages.addWidget(today_page)
        self.setCentralWidget(self.pages)

        self.import_export = ImportExport(ctx, self)
        self.import_export.status = self.show_status
        self.db_label = QLabel(self)
        self.db_label.setObjectName("databaseLabel")
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_actions()
        self.security = WindowSecurity(self)  # lock, switch user, accounts, audit (issue 12)
        self._build_menus()
        self._build_toolbar()

        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.patients.patient_selected.connect(self._on_patient_selected)
        self.patients.patient_activated.connect(self._on_patient_activated)
        self.patients.loaded.connect(self._on_patients_loaded)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.today_view.counts_changed.connect(self._show_counts)
        self.today_view.patient_requested.connect(self.select_patient)
        self.today_view.claims_requested.connect(self.open_claims)
        self._restore_window_state()
        self._update_title()
        self._load_names()
        self._show_patient(self.patients.current_patient_id())
        self.show_page(self.TODAY_PAGE)

    # --- building -------------------------------------------------------------------------


    # --- state ----------------------------------------------------------------------------

    def available_area(self) -> QRect:
        """The screen's area free of panels and docks (of the screen the window is on)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)

    def first_size(self) -> QSize:
        """1400x860 where that fits, else the available area less the window's frame (a
        1366x768 laptop shows the title-bar buttons and the status bar)."""
        area = self.available_area()
        return QSize(min(1400, area.width() - FRAME_ALLOWANCE.width()),
                     min(860, area.height() - FRAME_ALLOWANCE.height()))

    def fit_to_screen(self) -> None:
        """Bring the window, frame included, inside the available area: smaller if it is
        larger, moved if it hangs over an edge (a geometry remembered from a bigger screen)."""
        area = self.available_area()
        frame = self.frameGeometry()
        extra = QSize(frame.width() - self.width(), frame.height() - self.height())
        extra = extra.expandedTo(FRAME_ALLOWANCE) if not self.isVisible() else extra
        width = min(self.width(), area.width() - extra.width())
        height = min(self.height(), area.height() - extra.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.x()), area.right() + 1 - frame.width())
        y = min(max(frame.y(), area.y()), area.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, area.x()), max(y, area.y()))

    def _restore_window_state(self) -> None:
        geometry = self.settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if not self.isMaximized():
            self.fit_to_screen()
        state = self.settings.value("main_window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("main_window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_window_state(self) -> None:
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        self.settings.setValue("main_window/state", self.saveState())
        self.settings.setValue("main_window/splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.save_window_state()
        super().closeEvent(event)

    # --- public ---------------------------------------------------------------------------

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    @property
    def tab_widgets(self) -> list[QWidget]:
        """Every patient tab, in order (building those not built yet)."""
        return self.tabs.widgets()

    def tab(self, class_name: str) -> QWidget | None:
        """The patient tab of that class (built if needed), or None if there is none."""
        return self.tabs.tab(class_name)

    @property
    def month_view(self) -> MonthView:
        """The pharmacy's billing month (built on first use: its module loads then)."""
        if self._month_view is None:
            from ui.billing.month_view import MonthView

            self._month_view = MonthView(self.ctx, self._month_page)
            self._month_page.layout().addWidget(self._month_view)
            self._month_view.patient_activated.connect(self._on_month_patient_activated)
        return self._month_view

    def show_page(self, page: int) -> None:
        if page == self.MONTH_PAGE:
            _ = self.month_view
        self.pages.setCurrentIndex(page)
        {self.MONTH_PAGE: self.action_month_page, self.TODAY_PAGE: self.action_today_page,
         }.get(page, self.action_patients_page).setChecked(True)
        self.page_changed.emit(page)

    def select_patient(self, patient_id: str, tab_class: str | None = None) -> None:
        """Show a patient (optionally on one tab, e.g. the billing calendar)."""
        self.show_page(self.PATIENTS_PAGE)
        self.patients.select_patient(patient_id)
        widget = self.tab(tab_class) if tab_class else None
        if widget is not None:
            self.tabs.setCurrentWidget(widget)

    def refresh(self) -> None:
        """Reload every view, as if everything had changed."""
        ids = set(self.patients.model.patient_ids())
        ops.reload_everything(self.ctx, ids)
        self.show_status("Reloaded from the database.")


    # --- slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_patient_selected(self, patient_id: str | None) -> None:
        self._show_patient(patient_id)

    @Slot(str)
    def _on_patient_activated(self, patient_id: str) -> None:
        self._open_patient_form(patient_id)

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        # the tabs built and put the new one in front first (their own slot runs first);
        # Alt+I (or a click on the tab) goes straight to typing the day's MAR line
        entry = getattr(self.tabs.currentWidget(), "focus_entry", None)
        if entry is not None and self.patient_id is not None:
            entry()

    @Slot(dict)
    def _show_counts(self, counts: dict[str, int]) -> None:
        """The toolbar's Today button carries how much there is to do, section by section in
        its tip."""
        from models.billing.worklist import SECTIONS

        total = sum(counts.values())
        self.action_today_page.setText(f"&Today ({total})")
        self.action_today_page.setToolTip("\n".join(
            f"{title}: {counts.get(key, 0)}" for key, title in SECTIONS.items()))

    @Slot(str)
    def _on_month_patient_activated(self, patient_id: str) -> None:
        self.select_patient(patient_id, CALENDAR_CLASS)

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if changes.touches("pharmacy", "payer"):
            self._load_names()

    @Slot()
    def _on_database_replaced(self) -> None:
        self._pharmacy_name = None
        self._update_title()
        self._load_names()
        # the list, read again, selects the same patient if the new database has them
        self._show_patient(None)

    @Slot()
    def _on_patients_loaded(self) -> None:
        if not self._prepared:
            self._prepared = True
            self._prepare_the_rest()
        if self.patient_id is None:
            self._show_patient(None)  # the hint says whether there are patients at all
        else:
            self._update_header()  # the name or coverages may have changed


    # --- helpers --------------------------------------------------------------------------

    def _show_patient(self, patient_id: str | None) -> None:
        changed = patient_id != self.patient_id
        self.patient_id = patient_id
        self.action_edit_patient.setEnabled(patient_id is not None)
        self.action_packet.setEnabled(patient_id is not None)
        if changed:
            self.tabs.set_patient(patient_id)
            if patient_id is not None:
                self.security.patient_opened(patient_id)
        if patient_id is None:
            if self.patients.loading:
                text = "Loading patients…"
            elif self.patients.model.rowCount() > 0:
                text = ("Choose a patient on the left to see orders, the infusion log, "
                        "documents, authorizations and the billing calendar.")
            else:
                text = ("No patients yet. Add one with Edit ▸ New patient… (Ctrl+N), or import "
                        "a file with File ▸ Import….")
            self.empty_hint.setText(text)
            self.detail_stack.setCurrentIndex(0)
        else:
            self._update_header()
            self.detail_stack.setCurrentIndex(1)
        self.patient_changed.emit(patient_id)

    def _prepare_the_rest(self) -> None:
        """Once the window is up: import the modules of the tabs behind and of the billing
        month off the GUI thread, then build one of them per turn of the event loop (tens of
        milliseconds each), so that bringing one forward later waits for nothing."""
        modules = [*self.tabs.unbuilt_modules(), MONTH_VIEW_MODULE]
        run_in_background(self.ctx, lambda _s: [importlib.import_module(m) for m in modules],
                          receiver=self, on_result=lambda _modules: self._build_next())

    @Slot()
    def _build_next(self) -> None:
        if QThreadPool.globalInstance().activeThreadCount():
            # the start-up reads (the work list, today's backup) first: a tab built now would
            # compete with them for the CPU and the interpreter, and wait longer on the GUI thread
            QTimer.singleShot(50, self, self._build_next)
            return
        if self.tabs.build_next():
            QTimer.singleShot(0, self, self._build_next)  # dropped if the window goes
        else:
            _ = self.month_view

    def _load_names(self) -> None:
        """Read the pharmacy's name (title) and the payers' names (header) in the
        background."""

        def load(s: Any) -> tuple[str, dict[str, str]]:
            pharmacy = reference.get_pharmacy(s)
            return (pharmacy.name if pharmacy else "",
                    {p.id: p.name for p in reference.list_payers(s)})

        run_in_background(self.ctx, load, receiver=self, on_result=self._show_names)

    def _show_names(self, names: tuple[str, dict[str, str]]) -> None:
        self._pharmacy_name, self._payer_names = names
        self._update_title()
        if self.patient_id:
            self._update_header()

    def _update_header(self) -> None:
        """The patient's name, birth date, id and coverages in force, from the patient list
        (no read of its own)."""
        p: PatientRead | None = self.patients.patient(self.patient_id)
        if p is None:  # the list is being read again: keep what is shown
            return
        payers = self._payer_names
        today = self.today()
        current = [c for c in p.coverages if c.covers(today)] or p.coverages
        coverage = " · ".join(
            f"{payers.get(c.payer_id, c.payer_id)} ({c.priority}) {c.member_id}"
            for c in current) or "no coverage"
        self.header.setText(
            f"<span style='font-size:15pt; font-weight:600'>{p.display_name}</span>"
            f"&nbsp;&nbsp;<span style='color:#555'>born {us_date(p.birth_date)} · "
            f"id {p.id} · {coverage}</span>")

    def _update_title(self) -> None:
        path = sqlite_path(self.ctx.url)
        where = str(path) if path else self.ctx.url
        shown = path.name if path else where
        if getattr(self.ctx, "read_only", None):
            shown += " (read-only)"
        # made-up patients are never mistaken for the real pharmacy's
        demo = "DEMO — " if is_demo_file(path) else ""
        if self._pharmacy_name is None:  # still being read
            self.setWindowTitle(f"{demo}{shown} — PerDiem")
        else:
            name = self._pharmacy_name or "No pharmacy set"
            self.setWindowTitle(f"{demo}{name} — {shown} — PerDiem")
        self.db_label.setText(f"Database: {where}")
