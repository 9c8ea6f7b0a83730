"""The main window: patient list, the selected patient's tabs, the billing month, the menus.

The Billing menu opens the claim drafts (models.claims.batches through ui.claims.claims_dialog) and
makes documentation packets (ui.claims.packet_actions) for the selected patient or a whole month;
both load ReportLab, so they are imported when first used, not when the window starts.

The window paints before it reads anything: the patient list, the title's pharmacy name and
each tab's records come from background reads, and only the tab in front reads when a
patient is chosen (the others when they come to the front).
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from models.db import open_database, sqlite_path
from models.records import services
from models.records.services import Changes
from models.records.tables import PatientRead
from ui.records.patients import PatientListPanel, us_date
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.import_export import ImportExport
from ui.shell.workers import run_in_background

if TYPE_CHECKING:  # the dialogs' modules load when a dialog is first opened
    from models.claims.batches import ExportResult
    from ui.billing.month_view import MonthView
    from ui.claims.billing_menu import MonthPickDialog, PacketPeriodDialog
    from ui.claims.claims_dialog import ClaimsDialog
    from ui.forms.patient_form import PatientDialog
    from ui.records.reference import PharmacyDialog, ReferenceListDialog
    from ui.shell.first_run import FirstRunDialog

DB_FILTER = "PerDiem databases (*.sqlite *.db);;All files (*)"



@dataclass(frozen=True)
class PatientTab:
    """One per-patient tab. Its module is imported when the tab is first built (after the
    window's first paint, see `_prepare_the_rest`), never skipped: a missing module or class
    is an error."""

    module: str
    class_name: str
    title: str

    def widget_class(self) -> type[QWidget]:
        return getattr(importlib.import_module(self.module), self.class_name)


# the per-patient tabs, in the paper chart's order
PATIENT_TABS: tuple[PatientTab, ...] = (
    PatientTab("ui.records.orders_tab", "OrdersTab", "&Orders"),
    PatientTab("ui.records.mar_tab", "InfusionLogTab", "&Infusion log (MAR)"),
    PatientTab("ui.records.documents_tab", "DocumentsTab", "&Documents"),
    PatientTab("ui.records.authorizations_tab", "AuthorizationsTab", "&Authorizations"),
    PatientTab("ui.billing.calendar_view", "PatientCalendar", "&Billing calendar"),
)
CALENDAR_CLASS = "PatientCalendar"
MONTH_VIEW_MODULE = "ui.billing.month_view"


def app_version() -> str:
    try:
        return metadata.version("perdiem")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "development version"


def batch_status(result: ExportResult) -> str:
    """The status-bar line for a saved claim batch, naming every file it wrote: an 837P
    without a clearinghouse is one file per payer, and each must reach its payer."""
    if not result.batch_id:
        return "No claim was saved."
    paths = list(result.paths)
    if len(paths) == 1:
        return f"Claim batch {result.batch_id} saved to {paths[0]}."
    names = ", ".join(p.name for p in paths)
    return (f"Claim batch {result.batch_id} saved as {len(paths)} files (one per payer) in "
            f"{paths[0].parent}: {names}.")


def app_settings(parent: QObject | None = None) -> QSettings:
    return QSettings("PerDiem", "PerDiem", parent)


class MainWindow(QMainWindow):
    """Patients on the left, the chosen patient's records in tabs on the right; a second page
    shows the whole pharmacy's billing month."""

    patient_changed = Signal(object)  # str | None
    page_changed = Signal(int)

    PATIENTS_PAGE, MONTH_PAGE = 0, 1

    def __init__(self, ctx: AppContext, settings: QSettings | None = None,
                 today: Callable[[], dt.date] = dt.date.today):
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
        self.resize(1400, 860)
        self.setMinimumSize(QSize(760, 520))

        self.patients = PatientListPanel(ctx, self, today=today)
        self.patients.setMinimumWidth(340)
        self.header = QLabel(self)
        self.header.setObjectName("patientHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("patientTabs")
        # a tab is built (its module imported) when first needed: none before the first
        # paint (no patient is chosen yet); until then an empty page stands in its place
        self._built_tabs: dict[str, QWidget] = {}
        for spec in PATIENT_TABS:
            self.tabs.addTab(QWidget(self.tabs), spec.title)
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
        self.splitter.setSizes([400, 1000])
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
        self.setCentralWidget(self.pages)

        self.import_export = ImportExport(ctx, self)
        self.import_export.status = self.show_status
        self.db_label = QLabel(self)
        self.db_label.setObjectName("databaseLabel")
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()

        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.patients.patient_selected.connect(self._on_patient_selected)
        self.patients.patient_activated.connect(self._on_patient_activated)
        self.patients.loaded.connect(self._on_patients_loaded)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self._restore_window_state()
        self._update_title()
        self._load_names()
        self._show_patient(self.patients.current_patient_id())

    # --- building -------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], None], shortcut: QKeySequence | str | None
                = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.action_new_db = self._action("&New database…", self._on_new_database,
                                          tip="Create an empty database file and open it")
        self.action_open_db = self._action("&Open database…", self._on_open_database,
                                           QKeySequence.StandardKey.Open,
                                           "Open another PerDiem database file")
        self.action_import = self._action("&Import…", self.import_export.ask_import, "Ctrl+I",
                                          "Import an interchange file (all or nothing)")
        self.action_export = self._action("&Export…", self.import_export.ask_export,
                                          "Ctrl+Shift+E", "Export everything as an "
                                          "interchange file")
        self.action_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.action_pharmacy = self._action("P&harmacy settings…", self._on_pharmacy_settings,
                                            tip="Name, NPI, tax ID and address of the pharmacy")
        self.action_payers = self._action("P&ayers…", lambda: self._open_list("payer"),
                                          tip="Payers, prior authorization and modifiers")
        self.action_prescribers = self._action("P&rescribers…",
                                               lambda: self._open_list("prescriber"),
                                               tip="Prescribers and their NPIs")
        self.action_new_patient = self._action("&New patient…", self._on_new_patient,
                                               "Ctrl+N", "Add a patient and coverages")
        self.action_edit_patient = self._action("&Edit patient…", self._on_edit_patient,
                                                "Ctrl+E", "Edit the selected patient and "
                                                "coverages")
        self.action_find = self._action("&Find patient", self._on_find_patient,
                                        QKeySequence.StandardKey.Find,
                                        "Search the patient list")
        self.action_patients_page = self._action(
            "&Patients", lambda: self.show_page(self.PATIENTS_PAGE), "Ctrl+1",
            "Patients and their records")
        self.action_month_page = self._action(
            "&Billing month", lambda: self.show_page(self.MONTH_PAGE), "Ctrl+2",
            "Every patient's billing days for a month")
        self.page_group = QActionGroup(self)
        for action in (self.action_patients_page, self.action_month_page):
            action.setCheckable(True)
            self.page_group.addAction(action)
        self.action_patients_page.setChecked(True)
        self.action_refresh = self._action("&Refresh", self.refresh,
                                           QKeySequence.StandardKey.Refresh,
                                           "Reload everything from the database")
        self.action_about = self._action("&About PerDiem", self._on_about)
        self.action_claims = self._action(
            "&Claim drafts…", self.open_claims, "Ctrl+Shift+C",
            "Preview a period's claims (837P, CMS-1500 or CSV), see their problems, save them")
        self.action_packet = self._action(
            "Documentation &packet…", self.open_packet_dialog, "Ctrl+Shift+P",
            "One PDF with the selected patient's records for a period, for an auditor or a "
            "claim")
        self.action_month_packets = self._action(
            "Packets for a &month…", self.open_month_packets_dialog, "Ctrl+Shift+M",
            "One documentation packet per patient with service days in a month")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_new_db, self.action_open_db])
        file_menu.addSeparator()
        file_menu.addActions([self.action_import, self.action_export])
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_pharmacy, self.action_payers, self.action_prescribers])
        edit_menu.addSeparator()
        edit_menu.addActions([self.action_new_patient, self.action_edit_patient,
                              self.action_find])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.action_patients_page, self.action_month_page])
        view_menu.addSeparator()
        view_menu.addAction(self.action_refresh)
        billing_menu = bar.addMenu("Bi&lling")
        billing_menu.addAction(self.action_claims)
        billing_menu.addSeparator()
        billing_menu.addActions([self.action_packet, self.action_month_packets])
        self.billing_menu = billing_menu
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_about)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addActions([self.action_patients_page, self.action_month_page])
        bar.addSeparator()
        bar.addActions([self.action_new_patient, self.action_edit_patient])
        bar.addSeparator()
        bar.addAction(self.action_claims)
        bar.addSeparator()
        bar.addActions([self.action_import, self.action_export, self.action_refresh])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    # --- state ----------------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        geometry = self.settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
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
        return [self._build_tab(i) for i in range(len(PATIENT_TABS))]

    def tab(self, class_name: str) -> QWidget | None:
        """The patient tab of that class (built if needed), or None if there is none."""
        for i, spec in enumerate(PATIENT_TABS):
            if spec.class_name == class_name:
                return self._build_tab(i)
        return None

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
        (self.action_month_page if page == self.MONTH_PAGE
         else self.action_patients_page).setChecked(True)
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

    def open_claims(self) -> ClaimsDialog:
        """The claim drafts window (not modal, so the calendar can be checked beside it)."""
        from ui.claims.claims_dialog import (
            ClaimsDialog,  # ReportLab loads only when claims are made
        )

        dialog = getattr(self, "claims_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        if dialog is not None and (dialog.task is None or dialog.task.done):
            dialog.deleteLater()  # a closed one still saving stays to say where its batch went
        dialog = ClaimsDialog(self.ctx, self, today=self.today())
        dialog.claims_saved.connect(lambda result: self.show_status(batch_status(result)))
        dialog.show()
        self.claims_dialog = dialog
        return dialog

    def shown_month(self) -> dt.date:
        """The first day of the month the billing calendar (or else the month view) shows."""
        calendar = self._built_tabs.get(CALENDAR_CLASS)
        if calendar is not None:
            return calendar.month
        if self._month_view is not None:
            return self._month_view.month
        return self.today().replace(day=1)

    def open_packet_dialog(self) -> PacketPeriodDialog | None:
        """Ask the period of the selected patient's packet (the calendar's month to start)."""
        if self.patient_id is None:
            self.show_status("Choose a patient first: the packet is one patient's records.")
            return None
        patient_id = self.patient_id
        patient = self.ctx.read(lambda s: services.get_patient(s, patient_id))
        first = self.shown_month()
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        from ui.claims.billing_menu import PacketPeriodDialog

        dialog = PacketPeriodDialog(patient.display_name, first, last, self)

        def make(start: dt.date, end: dt.date) -> None:
            from ui.claims.packet_actions import make_packet  # ReportLab loads only when needed

            self.packet_job = make_packet(self.ctx, self, patient_id, start, end)

        dialog.chosen.connect(make)
        dialog.open()
        self.packet_dialog = dialog
        return dialog

    def open_month_packets_dialog(self) -> MonthPickDialog:
        """Ask the month, then write one packet per patient with service days in it."""
        month = (self.month_view.month if self.pages.currentIndex() == self.MONTH_PAGE
                 else self.shown_month())
        from ui.claims.billing_menu import MonthPickDialog

        dialog = MonthPickDialog(month, self)

        def make(year: int, month_number: int) -> None:
            from ui.claims.packet_actions import make_month_packets

            self.packet_job = make_month_packets(self.ctx, self, year, month_number)

        dialog.chosen.connect(make)
        dialog.open()
        self.month_packets_dialog = dialog
        return dialog

    def open_first_run(self) -> FirstRunDialog:
        """Offer the demo data or the pharmacy's settings (used for an empty database)."""
        from ui.shell.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.ctx, self, today=self.today)
        dialog.demo_loaded.connect(self._on_demo_loaded)
        dialog.settings_chosen.connect(self._on_pharmacy_settings)
        dialog.open()
        self.first_run_dialog = dialog
        return dialog

    # --- slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_patient_selected(self, patient_id: str | None) -> None:
        self._show_patient(patient_id)

    @Slot(str)
    def _on_patient_activated(self, patient_id: str) -> None:
        self._open_patient_form(patient_id)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        self._build_tab(index)
        self._put_tabs_in_front()
        # Alt+I (or a click on the tab) goes straight to typing the day's MAR line
        entry = getattr(self.tabs.currentWidget(), "focus_entry", None)
        if entry is not None and self.patient_id is not None:
            entry()

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

    def _on_new_patient(self) -> None:
        self._open_patient_form(None)

    def _on_edit_patient(self) -> None:
        if self.patient_id:
            self._open_patient_form(self.patient_id)

    def _on_find_patient(self) -> None:
        self.show_page(self.PATIENTS_PAGE)
        self.patients.search.setFocus()
        self.patients.search.selectAll()

    def _open_patient_form(self, patient_id: str | None) -> PatientDialog:
        from ui.forms.patient_form import PatientDialog

        dialog = PatientDialog(self.ctx, patient_id, self)
        dialog.patient_saved.connect(self._on_patient_saved)
        dialog.open()
        self.patient_dialog = dialog
        return dialog

    @Slot(str)
    def _on_patient_saved(self, patient_id: str) -> None:
        self.select_patient(patient_id)
        self.show_status("Patient saved.")

    def _on_pharmacy_settings(self) -> PharmacyDialog:
        from ui.records.reference import PharmacyDialog

        dialog = PharmacyDialog(self.ctx, self)
        dialog.record_saved.connect(lambda _name: self.show_status("Pharmacy settings saved."))
        dialog.open()
        self.pharmacy_dialog = dialog
        return dialog

    def _open_list(self, kind: str) -> ReferenceListDialog:
        from ui.records.reference import ReferenceListDialog

        dialog = ReferenceListDialog(self.ctx, kind, self)
        dialog.open()
        self.reference_dialog = dialog
        return dialog

    @Slot(dict)
    def _on_demo_loaded(self, counts: dict) -> None:
        self.show_status(f"Demo data loaded: {counts.get('patients', 0)} patients.")

    def _on_new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New database", "perdiem.sqlite", DB_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return
        if Path(path).exists():
            QMessageBox.information(
                self, "New database", f"{path} already exists. Use File ▸ Open database… to "
                "open it, or choose a new file name.")
            return
        from ui.shell.first_run import needs_first_run

        if self.open_database_file(Path(path)) and needs_first_run(self.ctx):
            self.open_first_run()

    def _on_open_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open database", "", DB_FILTER)
        if path:
            self.open_database_file(Path(path))

    def open_database_file(self, path: Path) -> bool:
        """Switch the whole app to the database at `path`; a clear message if it cannot."""
        url = f"sqlite:///{path.resolve()}"
        try:
            engine = open_database(url)
        except Exception as exc:  # not a database, unreadable, from a newer PerDiem...
            QMessageBox.warning(self, "Database not opened",
                                f"PerDiem could not open {path}.\n\n{exc}\n\n"
                                "The database that was open stays open.")
            return False
        self.ctx.replace_engine(engine, url)
        self.show_status(f"Opened {path}.")
        return True

    def _on_about(self) -> None:
        path = sqlite_path(self.ctx.url)
        QMessageBox.about(
            self, "About PerDiem",
            f"<h3>PerDiem {app_version()}</h3>"
            "<p>Per diem billing and audit documentation for home infusion pharmacies.</p>"
            f"<p>Database: {path if path else self.ctx.url}<br>"
            f"Signed in as: {self.ctx.actor}</p>")

    # --- helpers --------------------------------------------------------------------------

    def _show_patient(self, patient_id: str | None) -> None:
        changed = patient_id != self.patient_id
        self.patient_id = patient_id
        self.action_edit_patient.setEnabled(patient_id is not None)
        self.action_packet.setEnabled(patient_id is not None)
        if changed:
            if patient_id is not None:
                self._build_tab(self.tabs.currentIndex())
            # the tab in front starts its read first; the others read when brought forward
            current = self.tabs.currentWidget()
            for widget in sorted(self._built_tabs.values(), key=lambda w: w is not current):
                widget.set_patient(patient_id)
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
        modules = [spec.module for spec in PATIENT_TABS
                   if spec.class_name not in self._built_tabs] + [MONTH_VIEW_MODULE]
        run_in_background(self.ctx, lambda _s: [importlib.import_module(m) for m in modules],
                          receiver=self, on_result=lambda _modules: self._build_next())

    @Slot()
    def _build_next(self) -> None:
        for i, spec in enumerate(PATIENT_TABS):
            if spec.class_name not in self._built_tabs:
                self._build_tab(i)
                QTimer.singleShot(0, self, self._build_next)  # dropped if the window goes
                return
        _ = self.month_view

    def _build_tab(self, index: int) -> QWidget | None:
        """The tab at `index`, built in place of its stand-in page if it is not yet."""
        if not 0 <= index < len(PATIENT_TABS):
            return None
        spec = PATIENT_TABS[index]
        if spec.class_name in self._built_tabs:
            return self._built_tabs[spec.class_name]
        widget = spec.widget_class()(self.ctx, self.tabs)
        widget.setObjectName(spec.class_name)
        current = self.tabs.currentIndex() == index
        stand_in = self.tabs.widget(index)
        self.tabs.blockSignals(True)  # the same tab stays current: nothing changed to say
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, spec.title)
        if current:
            self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        stand_in.deleteLater()
        self._built_tabs[spec.class_name] = widget
        set_in_front = getattr(widget, "set_in_front", None)
        if set_in_front is not None:
            set_in_front(current)
        if self.patient_id is not None:
            widget.set_patient(self.patient_id)
        return widget

    def _put_tabs_in_front(self) -> None:
        current = self.tabs.currentWidget()
        for widget in self._built_tabs.values():
            set_in_front = getattr(widget, "set_in_front", None)
            if set_in_front is not None:
                set_in_front(widget is current)

    def _load_names(self) -> None:
        """Read the pharmacy's name (title) and the payers' names (header) in the
        background."""

        def load(s: Any) -> tuple[str, dict[str, str]]:
            pharmacy = services.get_pharmacy(s)
            return (pharmacy.name if pharmacy else "",
                    {p.id: p.name for p in services.list_payers(s)})

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
        if self._pharmacy_name is None:  # still being read
            self.setWindowTitle(f"{shown} — PerDiem")
        else:
            name = self._pharmacy_name or "No pharmacy set"
            self.setWindowTitle(f"{name} — {shown} — PerDiem")
        self.db_label.setText(f"Database: {where}")
