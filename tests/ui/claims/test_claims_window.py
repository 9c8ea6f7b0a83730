"""Claims in the desktop app: the Billing menu, claimed days in the calendar and the month view
(never billed twice, issue 5), packets from the menu, and the clearinghouse settings (837P)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from models.billing import loading
from models.billing.month import patient_months
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.claims import batches as claim_batches
from models.db import unit_of_work
from models.records import clinical, reference, registry
from models.records.tables import PharmacyBase
from reports.claims import claims_csv
from tests.support.gui_wait import settle
from ui.billing.billing_models import CLAIMED, DAY_ROLE, STATUS_ROLE, CalendarTableModel
from ui.billing.calendar_view import PatientCalendar
from ui.billing.month_model import MonthTableModel
from ui.billing.month_view import MonthView
from ui.claims import packet_actions
from ui.claims.billing_menu import MonthPickDialog, PacketPeriodDialog
from ui.claims.claims_dialog import ClaimsDialog
from ui.records.pharmacy_form import PharmacyDialog
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

TODAY = dt.date(2026, 11, 27)
OCT = dt.date(2026, 10, 1)
D7, D28, D29 = dt.date(2026, 10, 7), dt.date(2026, 10, 28), dt.date(2026, 10, 29)


@pytest.fixture
def ctx(example_engine, db_url) -> AppContext:
    return AppContext(example_engine, "tester", db_url)


@pytest.fixture
def window(qtbot, ctx, tmp_path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, settings, today=lambda: TODAY)
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)  # the patient list is read in the background
    return win


def claim_october(ctx: AppContext, tmp_path) -> claim_batches.ExportResult:
    """October's claims written as CSV and recorded as a batch, as `perdiem claims` does."""
    return ops.StepsOp(ctx, lambda work: claim_batches.export_claims(
        work, actor="biller", start=OCT, end=dt.date(2026, 10, 31), fmt="csv",
        out=tmp_path / "october.csv", render=claims_csv.render)).run()


def claim_info(ctx: AppContext, day: dt.date):
    return ctx.read(lambda s: claim_batches.claimed_days(s, "p-1001"))[("o-1", day)]


@pytest.fixture
def cal(qtbot, ctx) -> PatientCalendar:
    widget = PatientCalendar(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_month(OCT)
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_patient("p-1001")
    return widget


def cell(cal: PatientCalendar, day: dt.date, role=Qt.ItemDataRole.DisplayRole):
    return cal.model.index_of(day).data(role)


# --- the Billing menu -----------------------------------------------------------------------


def test_billing_menu_opens_the_claims_dialog_once(qtbot, window):
    titles = [a.text() for a in window.billing_menu.actions() if not a.isSeparator()]
    assert titles == ["&Claim drafts…", "Documentation &packet…", "Packets for a &month…"]
    assert window.action_claims.shortcut().toString() == "Ctrl+Shift+C"
    assert window.action_claims in window.toolbar.actions()

    window.action_claims.trigger()
    dialog = window.claims_dialog
    assert isinstance(dialog, ClaimsDialog) and dialog.isVisible()
    assert not dialog.isModal()  # the calendar stays usable beside it
    # the window's today (2026-11-27) sets the default period: the last full month
    assert (dialog.start_field.date(), dialog.end_field.date()) == (OCT, dt.date(2026, 10, 31))
    window.action_claims.trigger()
    assert window.claims_dialog is dialog  # raised again, not a second window


def test_batch_saved_in_the_dialog_shows_days_claimed_in_the_calendar(qtbot, window, ctx,
                                                                     tmp_path):
    window.select_patient("p-1001", "PatientCalendar")
    cal = window.tabs.currentWidget()
    assert isinstance(cal, PatientCalendar)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    assert cell(cal, D7) == "7\n✔ Billable\nS9338"
    assert cal.total_labels[CLAIMED].text() == "☑ 0 claimed"

    window.action_claims.trigger()
    dialog = window.claims_dialog
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.model.index(0, 0).data() == "Ready"
    with qtbot.waitSignal(cal.data_loaded, timeout=10000):  # the saved batch reloads it
        with qtbot.waitSignal(dialog.claims_saved, timeout=10000):
            dialog.save_to(tmp_path / "october.837")
    assert (tmp_path / "october.837").exists()
    info = claim_info(ctx, D7)
    stamp = f"batch {info.batch_id} on {info.batch_created_at:%m/%d/%Y}"
    assert f"Claim batch {info.batch_id} saved" in window.statusBar().currentMessage()

    # billable days now read "Claimed" in words and symbol; the rules' status is unchanged
    assert cell(cal, D7) == "7\n☑ Claimed\nS9338"
    assert cell(cal, D29) == "29\n☑ Claimed\nS9338 SS"
    assert cell(cal, D7, STATUS_ROLE) == BILLABLE
    assert cell(cal, D28) == "28\n✖ Not billable\nS9338"  # R1: nothing to claim
    tip = cell(cal, D7, Qt.ItemDataRole.ToolTipRole)
    assert f"Claimed in {stamp}, claim {info.account_number}" in tip
    assert cal.total_labels[BILLABLE].text() == "✔ 2 billable"
    assert cal.total_labels[CLAIMED].text() == "☑ 2 claimed"

    cal.select_day(D7)
    QApplication.processEvents()  # new labels in a shown panel are shown by a queued call
    panel = cal.panel.text()
    assert f"Claimed in {stamp}\nClaim {info.account_number}\n" in panel
    assert "837P file: october.837" in panel
    assert "leaves this day out unless you rebill" in panel
    assert "Ready to bill" not in panel


def test_claimed_day_that_stops_being_billable_says_so(qtbot, cal, ctx, tmp_path):
    with qtbot.waitSignal(cal.data_loaded):  # the batch's change notice reloads it
        claim_october(ctx, tmp_path)
    assert cal.day(D7).shown_status == CLAIMED
    info = claim_info(ctx, D7)
    with qtbot.waitSignal(cal.data_loaded):
        ops.call(ctx, clinical.void_record, kind=registry.PREP_NOTE, record_id="rx-1",
                 reason="wrong order")
    # R9 puts the claimed day on hold: the hold shows first, and the claim is still named
    day = cal.day(D7)
    assert day.status == HOLD and day.shown_status == HOLD
    assert cell(cal, D7).startswith("7\n⚠ Hold")
    cal.select_day(D7)
    panel = cal.panel.text()
    assert f"Claimed in batch {info.batch_id}" in panel
    assert "This day was claimed but is now on hold" in panel
    assert "No preparation note covers this day" in panel
    assert cal.total_labels[CLAIMED].text() == "☑ 1 claimed"  # only 10-29 is still billable


def test_month_view_marks_claimed_days_and_counts_them(qtbot, ctx, tmp_path):
    claim_october(ctx, tmp_path)
    view = MonthView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.data_loaded):
        view.set_month(OCT)
    m = view.model
    row = next(r for r in range(m.rowCount()) if m.patient_at(r).patient_id == "p-1001")
    assert [m.index(row, m.column_of_day(d)).data() for d in (7, 8, 28, 29)] == [
        "☑", None, "✖", "☑"]
    assert m.index(row, m.column_of_day(7)).data(STATUS_ROLE) == BILLABLE
    assert m.index(row, m.column_of_day(7)).data(Qt.ItemDataRole.AccessibleTextRole) == "Claimed"
    assert "Claimed in batch" in m.index(row, m.column_of_day(29)).data(
        Qt.ItemDataRole.ToolTipRole)
    assert view.total_labels[CLAIMED].text() == "☑ 2 claimed"
    assert view.total_labels[BILLABLE].text() == "✔ 2 billable"


def test_models_with_claimed_days_pass_modeltester(qtmodeltester, ctx, tmp_path):
    claim_october(ctx, tmp_path)
    claimed = ctx.read(lambda s: claim_batches.claimed_days(s))
    days = ctx.read(lambda s: loading.billable_days(s, OCT, dt.date(2026, 10, 31)))
    cal = CalendarTableModel()
    cal.set_month(2026, 10, days, {}, claimed)
    qtmodeltester.check(cal)
    assert cal.index_of(D7).data(DAY_ROLE).shown_status == CLAIMED
    assert cal.index_of(D28).data(DAY_ROLE).shown_status == NOT_BILLABLE
    month = MonthTableModel()
    month.set_month(2026, 10, patient_months(days, {}, {}, claimed))
    qtmodeltester.check(month)


# --- packets from the menu ------------------------------------------------------------------


def test_packet_menu_asks_the_period_of_the_calendar_month(qtbot, window, monkeypatch):
    calls = []
    monkeypatch.setattr(packet_actions, "make_packet",
                        lambda ctx, parent, pid, start, end: calls.append((pid, start, end)))
    assert not window.action_packet.isEnabled()  # no patient chosen yet
    window.select_patient("p-1001", "PatientCalendar")
    window.tabs.currentWidget().set_month(OCT)
    assert window.action_packet.isEnabled()
    window.action_packet.trigger()
    dialog = window.packet_dialog
    assert isinstance(dialog, PacketPeriodDialog) and dialog.isVisible()
    assert (dialog.start_field.date(), dialog.end_field.date()) == (OCT, dt.date(2026, 10, 31))

    dialog.end_field.setText("09/30/2026")  # before the start: refused, the field named
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and calls == []
    assert "To: is before the start of the period" in dialog.error_label.text()
    dialog.start_field.setText("09/15/2026")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert calls == [("p-1001", dt.date(2026, 9, 15), dt.date(2026, 9, 30))]


def test_month_packets_menu_asks_the_month(qtbot, window, monkeypatch):
    calls = []
    monkeypatch.setattr(packet_actions, "make_month_packets",
                        lambda ctx, parent, year, month: calls.append((year, month)))
    window.show_page(window.MONTH_PAGE)
    window.month_view.set_month(OCT)
    window.action_month_packets.trigger()
    dialog = window.month_packets_dialog
    assert isinstance(dialog, MonthPickDialog)
    assert (dialog.month_box.currentText(), dialog.year_box.value()) == ("October", 2026)
    dialog.month_box.setCurrentIndex(8)
    dialog._on_ok_clicked()
    assert calls == [(2026, 9)]


# --- the clearinghouse settings ---------------------------------------------------------------


def test_clearinghouse_settings_are_checked_saved_and_reloaded(qtbot, ctx):
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    f = dlg.fields
    assert f["submitter_id"].text() == "" and dlg.usage.currentData() == "T"
    qtbot.keyClicks(f["submitter_id"], "RIV*1")  # an X12 delimiter, marked as it is typed
    assert f["submitter_id"].property("problem") == "is 2-15 letters, digits or - . (no ~ * : ^)"
    qtbot.keyClicks(f["receiver_id_qualifier"], "z")
    assert f["receiver_id_qualifier"].text() == "Z"
    assert f["receiver_id_qualifier"].property("problem") == "is two characters, e.g. ZZ"
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible()
    assert "Submitter ID: is 2-15 letters" in dlg.error_label.text()
    assert "Receiver qualifier: is two characters" in dlg.error_label.text()
    assert ctx.read(reference.get_pharmacy).submitter_id is None  # nothing was saved
    assert f["submitter_id"].text() == "RIV*1"  # and nothing typed was lost

    f["submitter_id"].clear()
    qtbot.keyClicks(f["submitter_id"], "RIV001")
    qtbot.keyClicks(f["receiver_id_qualifier"], "z")
    qtbot.keyClicks(f["submitter_name"], "Riverbend Billing")
    qtbot.keyClicks(f["submitter_contact_name"], "Dana Ortiz")
    qtbot.keyClicks(f["submitter_contact_phone"], "(217) 555-0142")
    qtbot.keyClicks(f["receiver_id"], "CLEARHUB")
    qtbot.keyClicks(f["receiver_name"], "Clear Hub")
    assert [dlg.usage.itemText(i) for i in range(dlg.usage.count())] == [
        "Test (T): the clearinghouse only checks the files",
        "Production (P): the claims go to the payers"]
    dlg.usage.setCurrentIndex(dlg.usage.findData("P"))
    dlg.address["zip"].setText("61602-1234")  # the example's 5-digit ZIP is refused (ZIP+4)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()

    p = ctx.read(reference.get_pharmacy)
    assert (p.submitter_id, p.submitter_id_qualifier, p.submitter_name,
            p.submitter_contact_name, p.submitter_contact_phone, p.receiver_id,
            p.receiver_id_qualifier, p.receiver_name, p.usage_indicator) == (
        "RIV001", None, "Riverbend Billing", "Dana Ortiz", "2175550142", "CLEARHUB", "ZZ",
        "Clear Hub", "P")
    assert p.name == "Riverbend Home Infusion"  # the pharmacy's own details are kept

    again = PharmacyDialog(ctx)
    qtbot.addWidget(again)
    assert again.fields["submitter_id"].text() == "RIV001"
    assert again.fields["receiver_name"].text() == "Clear Hub"
    assert again.contact_phone.text() == "2175550142"
    assert again.usage.currentData() == "P"


def test_blank_clearinghouse_fields_stay_blank(qtbot, ctx):
    with unit_of_work(ctx.engine) as s:
        old = reference.get_pharmacy(s)
        reference.save_pharmacy(s, actor="t", data=PharmacyBase.model_validate(
            {**old.model_dump(exclude={"id"}), "receiver_id": "CLEARHUB"}))
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.fields["receiver_id"].clear()  # back to "each claim's payer"
    dlg.address["zip"].setText("616021234")  # ZIP+4, which the settings form requires
    assert dlg.save()
    p = ctx.read(reference.get_pharmacy)
    assert (p.receiver_id, p.submitter_id, p.submitter_contact_phone) == (None, None, None)


def test_claims_dialog_closed_then_reopened_is_a_fresh_one(qtbot, window):
    window.action_claims.trigger()
    first = window.claims_dialog
    first.buttons.rejected.emit()  # Close
    assert not first.isVisible()
    window.action_claims.trigger()
    assert window.claims_dialog is not first and window.claims_dialog.isVisible()
