"""What the main window's commands open: forms, reference lists, the claim drafts, packets,
the first run, database files and About.

The Billing menu opens the claim drafts (models.claims.batches through ui.claims.claims_dialog)
and makes documentation packets (ui.claims.packet_actions) for the selected patient or a whole
month; both load ReportLab, so they are imported when first used, not when the window starts;
so are the forms and dialogs. Each opener keeps the dialog it opened on the window (tests
find it there) and returns it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

from models.db import DatabaseDamaged, UpgradeFailed, open_database, sqlite_path
from models.records import reference
from ui.shell.daily_backup import start_daily_backup
from ui.shell.patient_tabs import CALENDAR_CLASS

if TYPE_CHECKING:  # the dialogs' modules load when a dialog is first opened
    from models.claims.batches import ExportResult
    from ui.claims.billing_menu import MonthPickDialog, PacketPeriodDialog
    from ui.claims.claims_dialog import ClaimsDialog
    from ui.forms.patient_form import PatientDialog
    from ui.records.pharmacy_form import PharmacyDialog
    from ui.records.reference import ReferenceListDialog
    from ui.shell.first_run import FirstRunDialog

DB_FILTER = "PerDiem databases (*.sqlite *.db);;All files (*)"


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


class WindowCommands:
    """Mixin for `MainWindow`: the commands of its menus that open something."""

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
        calendar_tab = self.tabs.built.get(CALENDAR_CLASS)
        if calendar_tab is not None:
            return calendar_tab.month
        if self._month_view is not None:
            return self._month_view.month
        return self.today().replace(day=1)

    def open_packet_dialog(self) -> PacketPeriodDialog | None:
        """Ask the period of the selected patient's packet (the calendar's month to start)."""
        if self.patient_id is None:
            self.show_status("Choose a patient first: the packet is one patient's records.")
            return None
        patient_id = self.patient_id
        patient = self.ctx.read(lambda s: reference.get_patient(s, patient_id))
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
        dialog.demo_requested.connect(self.open_demo)
        dialog.settings_chosen.connect(self._on_pharmacy_settings)
        dialog.open()
        self.first_run_dialog = dialog
        return dialog

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
        from ui.records.pharmacy_form import PharmacyDialog

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

    def open_demo(self, path: Path) -> bool:
        """Switch to the demo's own file (never the database that was open), filling it with
        the demo pharmacy the first time."""
        from ui.shell.first_run import first_run_wanted, load_demo_into

        if not self.open_database_file(path):
            return False
        if self.ctx.read(first_run_wanted):
            self.demo_job = load_demo_into(self.ctx, self, self.today)
            self.demo_job.succeeded.connect(self._on_demo_loaded)
        return True

    @Slot(object)
    def _on_demo_loaded(self, counts: dict) -> None:
        self.show_status(f"Demo pharmacy loaded: {counts.get('patients', 0)} patients, in "
                         "its own file (DEMO in the title bar).")
        self.demo_loaded.emit(counts)

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
        from ui.shell.passphrase import database_key

        url = f"sqlite:///{path.resolve()}"
        notices: list[str] = []
        key = database_key(path.resolve(), self)  # an encrypted file's passphrase (issue 12)
        try:
            engine = open_database(url, report=notices.append, key=key)  # backed up once open
        except (DatabaseDamaged, UpgradeFailed) as exc:  # the reason, and backups to restore
            from ui.shell.damaged import DatabaseProblemDialog

            dialog = DatabaseProblemDialog(path.resolve(), exc, self, key=key)
            if dialog.exec() != DatabaseProblemDialog.DialogCode.Accepted:
                return False
            engine = dialog.engine
        except Exception as exc:  # not a database, unreadable, from a newer PerDiem...
            QMessageBox.warning(self, "Database not opened",
                                f"PerDiem could not open {path}.\n\n{exc}\n\n"
                                "The database that was open stays open.")
            return False
        from ui.shell.in_use import take_writer_lock

        if not take_writer_lock(self.ctx, url, self):  # written elsewhere and not waited for
            engine.dispose()
            return False
        self.ctx.replace_engine(engine, url)
        start_daily_backup(self, path.resolve(), key)
        self.show_status(" ".join([f"Opened {path}.", *notices]
                                  + ([f"Read-only: {self.ctx.read_only}."]
                                     if self.ctx.read_only else [])))
        return True

    def open_connect_dialog(self) -> QDialog:
        """File ▸ Connect to the pharmacy server… (ui/shell/connect_dialog.py): on Connect,
        the whole app switches to the server's database."""
        from ui.shell.connect_dialog import ConnectDialog

        dialog = ConnectDialog(self.ctx, self.settings, self)
        dialog.accepted.connect(lambda: self._switch_to_server(dialog))
        dialog.open()
        self.connect_dialog = dialog
        return dialog

    def _switch_to_server(self, dialog) -> None:
        from models.db import _shown
        from ui.shell.in_use import take_writer_lock

        take_writer_lock(self.ctx, dialog.url, self)  # a server: this releases a file's lock
        self.ctx.replace_engine(dialog.engine, dialog.url)
        self.show_status(f"Connected to the pharmacy server: {_shown(dialog.url)}.")

    def open_shortcuts(self) -> QDialog:
        from ui.shell.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog([a for menu in self.menuBar().findChildren(QMenu)
                                  for a in menu.actions()], self)
        dialog.open()
        self.shortcuts_dialog = dialog
        return dialog

    def _on_about(self) -> None:
        from models.db import _shown

        path = sqlite_path(self.ctx.url)
        QMessageBox.about(
            self, "About PerDiem",
            f"<h3>PerDiem {app_version()}</h3>"
            "<p>Per diem billing and audit documentation for home infusion pharmacies.</p>"
            f"<p>Database: {path if path else _shown(self.ctx.url)}<br>"
            f"Signed in as: {self.ctx.actor}</p>")
