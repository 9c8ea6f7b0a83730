"""Every dialog and window of the app besides the main window, the claims window and the
pharmacy, patient and order forms, opened on a database with the demo data (issue 16 item 3).

`dialogs(ctx, window, patient_id)` yields (file stem, dialog) one at a time, each shown and
not yet closed: scripts/dialog_screenshots.py grabs each one at 1366x768 and 1920x1080 and
tests/ui/shell/test_dialogs_fit.py checks each fits a 1366x768 screen less its taskbar.
The caller closes the dialog before asking for the next one.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

# the stems, in the order they are opened (docs/gui.md lists them)
NAMES = (
    "mar_entry_form", "plan_of_care_form", "prep_note_form", "delivery_form", "care_note_form",
    "authorization_form", "payer_form", "prescriber_form", "payer_list", "prescriber_list",
    "sent_claims", "history", "packet_period", "month_packets", "staff_accounts",
    "audit_viewer", "login", "first_administrator", "first_run", "damaged_database",
    "database_in_use", "keyboard_shortcuts", "import_warnings", "nursing_visit_form",
)


def _first(session: Any, kind: Any, patient_id: str) -> str | None:
    from models.records import clinical

    try:
        rows = clinical.list_records(session, kind, patient_id=patient_id)
    except Exception:  # a kind not listed per patient
        return None
    return rows[0].id if rows else None


def dialogs(ctx: Any, window: QWidget, patient_id: str,
            today: dt.date) -> Iterator[tuple[str, QDialog]]:
    from models.db import unit_of_work
    from models.dbfile import DatabaseInUse, Holder, WriterLock
    from models.records import registry
    from ui.claims.billing_menu import MonthPickDialog, PacketPeriodDialog
    from ui.claims.sent_claims import SentClaimsDialog
    from ui.forms.record_forms import make_record_dialog
    from ui.records.history import HistoryDialog
    from ui.records.reference import PayerDialog, PrescriberDialog, ReferenceListDialog
    from ui.shell.accounts_dialog import AccountsDialog
    from ui.shell.audit_viewer import AuditViewer
    from ui.shell.damaged import DatabaseProblemDialog
    from ui.shell.first_run import FirstRunDialog
    from ui.shell.import_export import ImportErrorsDialog
    from ui.shell.in_use import DatabaseInUseDialog
    from ui.shell.shortcuts import ShortcutsDialog
    from ui.shell.signin import FirstAdministratorDialog, LoginDialog

    kinds = {"mar_entry_form": registry.INFUSION, "plan_of_care_form": registry.PLAN_OF_CARE,
             "prep_note_form": registry.PREP_NOTE, "delivery_form": registry.DELIVERY,
             "care_note_form": registry.CARE_NOTE, "authorization_form": registry.AUTHORIZATION,
             "nursing_visit_form": registry.NURSING_VISIT}
    with unit_of_work(ctx.engine) as session:
        saved = {name: _first(session, kind, patient_id) for name, kind in kinds.items()}
        order_id = _first(session, registry.ORDER, patient_id)
    db_path = Path(ctx.engine.url.database or "perdiem.sqlite")

    def made(name: str) -> QDialog:
        if name in kinds:
            return make_record_dialog(ctx, window, kinds[name], patient_id=patient_id,
                                      record_id=saved[name])
        if name == "payer_form":
            return PayerDialog(ctx, parent=window)
        if name == "prescriber_form":
            return PrescriberDialog(ctx, parent=window)
        if name in ("payer_list", "prescriber_list"):
            return ReferenceListDialog(ctx, name.split("_")[0], window)
        if name == "sent_claims":
            return SentClaimsDialog(ctx, window)
        if name == "history":
            return HistoryDialog(ctx, registry.ORDER, order_id or "", window)
        if name == "packet_period":
            return PacketPeriodDialog("Ramirez, Ana", today.replace(day=1), today, window)
        if name == "month_packets":
            return MonthPickDialog(today.replace(day=1), window)
        if name == "staff_accounts":
            return AccountsDialog(ctx, window)
        if name == "audit_viewer":
            return AuditViewer(ctx, window)
        if name == "login":
            return LoginDialog(ctx, window)
        if name == "first_administrator":
            return FirstAdministratorDialog(ctx, window)
        if name == "first_run":
            return FirstRunDialog(ctx, window, today=lambda: today)
        if name == "damaged_database":
            return DatabaseProblemDialog(
                db_path, ValueError("file is not a database (sqlite3.DatabaseError)"), window)
        if name == "database_in_use":
            other = Holder("Morgan Lee, RN", "billing-office-pc", os.getpid() + 1,
                           dt.datetime(2026, 11, 27, 8, 15), "the app")
            return DatabaseInUseDialog(WriterLock(db_path, "Jordan Reyes, RN"),
                                       DatabaseInUse(db_path, other), window)
        if name == "keyboard_shortcuts":
            return ShortcutsDialog(window.findChildren(QAction), window)
        if name == "import_warnings":
            lines = [f"patients[{i}].orders[0].prescriber: NPI 1234567893 is not in the "
                     f"prescriber list of the pharmacy; the order was kept (R25)"
                     for i in range(40)]
            return ImportErrorsDialog(lines, Path("/home/billing/imports/pharmacy-2026-11.json"),
                                      window, warnings=True)
        raise KeyError(name)

    for name in NAMES:
        dialog = made(name)
        dialog.show()
        yield name, dialog
