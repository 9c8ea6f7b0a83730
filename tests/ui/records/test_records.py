"""GUI tests of the record tabs and forms: orders, documents (R9), authorizations (R13),
voids and edits with reasons, history, and every item model through qtmodeltester."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from models.billing import loading
from models.db import unit_of_work
from models.records import clinical, reference, registry
from models.records.changes import Changes
from models.records.history import history
from models.records.tables import InfusionBase, NursingVisitBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from tests.support.recorded import create_on_its_day
from ui.forms import kit, record_forms
from ui.forms.record_forms import RecordDialog, make_record_dialog
from ui.records.authorizations_tab import AuthorizationsTab
from ui.records.documents_tab import DocumentsTab
from ui.records.history import HistoryDialog
from ui.records.mar_tab import InfusionLogTab
from ui.records.orders_tab import OrdersTab
from ui.records.table_models import VOIDED_BRUSH
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    # the desktop app's today is the service day (R26: what is typed for it is on time)
    monkeypatch.setenv("PERDIEM_TODAY", SERVICE_DAY.isoformat())
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def fresh(engine, fn):
    """Read through a service in a new session, as another workstation would."""
    with unit_of_work(engine) as s:
        return fn(s)


def day_result(engine, day=SERVICE_DAY):
    rows = fresh(engine, lambda s: loading.billable_days(s, day, day, PATIENT))
    return rows[0] if rows else None


def add_infusion(engine, day=SERVICE_DAY, entry_id="mar-9"):
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.INFUSION, data=InfusionBase(
            id=entry_id, order_id=ORDER, date=day, status="completed", start_time=dt.time(9),
            end_time=dt.time(12, 30), dose_given=Decimal(30000), administered_by="Kate Moss RN"))


def retype(qtbot, widget, text):
    widget.selectAll()
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_order_form_refuses_a_bad_icd10_code_keeps_the_text_then_saves(ctx, engine, qtbot,
                                                                      monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-11-02")  # entered on its start date (R26)
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT)
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    assert f["prescriber_id"].currentData() == "dr-okafor"  # the only prescriber
    qtbot.keyClicks(f["per_diem_code"], "S9500")  # type-ahead in the code list
    assert f["per_diem_code"].currentData() == "S9500"
    qtbot.keyClicks(f["drug_name"], "Vancomycin 1 g")
    qtbot.keyClicks(f["dose"], "1 g q12h")
    qtbot.keyClicks(f["diagnosis_codes"], "A41-9")
    retype(qtbot, f["start_date"], "11/02/2026")
    retype(qtbot, f["end_date"], "11/01/2026")
    assert f["end_date"].property("problem") == "is before the start date"  # as you type

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert "Diagnoses (ICD-10)" in dialog.form.message.text()
    assert "End date: is before the start date" in dialog.form.message.text()
    assert f["diagnosis_codes"].property("problem")
    assert f["drug_name"].text() == "Vancomycin 1 g"  # nothing typed is lost
    assert len(fresh(engine, lambda s: clinical.list_records(s, registry.ORDER))) == 1

    retype(qtbot, f["diagnosis_codes"], "a41.9")  # lower case is raised to ICD-10 form
    retype(qtbot, f["end_date"], "12/15/2026")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == dialog.DialogCode.Accepted
    orders = fresh(engine, lambda s: clinical.list_records(s, registry.ORDER, patient_id=PATIENT))
    new = next(o for o in orders if o.id != ORDER)
    assert (new.per_diem_code, new.drug_name, new.diagnosis_codes) == (
        "S9500", "Vancomycin 1 g", ["A41.9"])
    assert (new.start_date, new.end_date, new.recorded_by) == (
        dt.date(2026, 11, 2), dt.date(2026, 12, 15), "Jia Lee")


def test_voiding_the_prep_note_turns_the_day_to_hold_r9(ctx, engine, qtbot, monkeypatch):
    add_infusion(engine)
    assert day_result(engine).status == "billable"
    tab = DocumentsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    tab.show_section(registry.PREP_NOTE)
    panel = tab.panels[registry.PREP_NOTE]
    settle(qtbot)  # the lists are read in the background
    panel.select("rx-1")
    asked = []
    monkeypatch.setattr(kit, "ask_reason",
                        lambda *args: asked.append(args) or "Label belongs to another batch")

    qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)

    assert asked, "voiding must ask why"
    assert asked[0][3] == "Void preparation note"  # the button names the act
    result = day_result(engine)
    assert (result.status, result.reasons) == ("hold", ("missing-prep-note",))  # R9
    settle(qtbot)
    assert panel.model.rowCount() == 0  # void records are hidden by default
    panel.show_voided.setChecked(True)
    settle(qtbot)
    assert panel.model.rowCount() == 1
    row = panel.model.index(0, 0)
    assert row.data(Qt.ItemDataRole.ForegroundRole) == VOIDED_BRUSH
    void_col = panel.model.void_column
    assert not panel.view.isColumnHidden(void_col)
    assert panel.model.index(0, void_col).data() == "Label belongs to another batch"
    assert not panel.void_button.isEnabled() or panel.selected_record() is None


def test_editing_the_beyond_use_date_asks_why_and_turns_the_day_to_hold_r9(
        ctx, engine, qtbot, monkeypatch):
    add_infusion(engine)
    dialog = make_record_dialog(ctx, None, registry.PREP_NOTE, patient_id=PATIENT, record_id="rx-1")
    qtbot.addWidget(dialog)
    dialog.show()
    bud = dialog.form.fields["beyond_use_date"]
    retype(qtbot, bud, "11/19/2026")

    monkeypatch.setattr(kit, "ask_reason", lambda *args: None)  # the user cancels
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and bud.text() == "11/19/2026"
    assert "needs a reason" in dialog.form.message.text()
    assert day_result(engine).status == "billable"

    monkeypatch.setattr(kit, "ask_reason", lambda *args: "BUD misread from label")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == dialog.DialogCode.Accepted
    result = day_result(engine)
    assert (result.status, result.reasons) == ("hold", ("missing-prep-note",))  # R9
    versions = fresh(engine, lambda s: history(s, "prep_note", "rx-1"))
    assert [(v.version, v.action, v.reason) for v in versions] == [
        (1, "created", None), (2, "edited", "BUD misread from label")]
    shown = HistoryDialog(ctx, registry.PREP_NOTE, "rx-1")
    qtbot.addWidget(shown)
    assert shown.panel.model.rowCount() == 2
    changed = shown.panel.model.index(1, 5).data()
    assert changed == "beyond use date: 11/22/2026 → 11/19/2026"
    assert shown.panel.model.index(1, 2).data() == "Jia Lee"


def test_authorizations_tab_shows_units_used_and_left_r13(ctx, engine, qtbot):
    tab = AuthorizationsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    settle(qtbot)  # the units are counted in the background
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(tab.model.columnCount())]
    used_col, left_col = headers.index("Used"), headers.index("Left")
    assert tab.model.index(0, used_col).data() == "1"  # mar-1 on 11/19 took a unit
    assert tab.model.index(0, left_col).data() == "5"

    add_infusion(engine, SERVICE_DAY, "mar-9")  # through another session: no notice
    ctx.data_changed.emit(Changes({"infusion"}, {PATIENT}))
    settle(qtbot)
    assert tab.model.index(0, used_col).data() == "2"
    assert tab.model.index(0, left_col).data() == "4"
    assert "4 units left" in tab.summary.text()


def test_authorization_form_names_the_bad_field_and_saves_nothing(ctx, engine, qtbot):
    dialog = make_record_dialog(ctx, None, registry.AUTHORIZATION, patient_id=PATIENT,
                                order_id=ORDER, day=dt.date(2027, 1, 1))
    qtbot.addWidget(dialog)
    f = dialog.form.fields
    assert f["payer_id"].currentData() == "bcx"  # the billed payer that day
    assert f["code"].currentData() == "S9338"  # the order's per diem code
    qtbot.keyClicks(f["number"], "PA 2027")
    retype(qtbot, f["end_date"], "12/31/2026")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = dialog.form.message.text()
    assert "End date: is before the start date" in text
    assert f["end_date"].property("problem")
    assert len(fresh(engine, lambda s: reference.list_authorizations(s, PATIENT))) == 1

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # still wrong
    retype(qtbot, f["end_date"], "03/31/2027")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Authorization number: uses letters, digits and dashes only" in (
        dialog.form.message.text())
    assert f["number"].text() == "PA 2027"
    retype(qtbot, f["number"], "PA-2027")
    f["units"].setValue(12)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    auths = fresh(engine, lambda s: reference.list_authorizations(s, PATIENT))
    assert [(a.number, a.units, a.end_date) for a in auths][1] == (
        "PA-2027", 12, dt.date(2027, 3, 31))


def test_open_record_form_explains_when_there_is_no_order(ctx, engine, qtbot, monkeypatch):
    from models.records.tables import PatientBase

    with unit_of_work(engine) as s:
        reference.save_patient(s, actor="x", data=PatientBase(
            id="p-2", first_name="Ann", last_name="Bell", birth_date=dt.date(1950, 1, 1),
            sex="F", address_line1="1 Elm St", city="Peoria", state="IL", zip="61604"),
            coverages=[])
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    assert record_forms.open_record_form(ctx, None, registry.PREP_NOTE, patient_id="p-2") is False
    assert "add the order first" in warned[0]


def test_open_record_form_for_incomplete_mar_opens_that_entry_r11(ctx, engine, qtbot):
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.INFUSION, data=InfusionBase(
            id="mar-5", order_id=ORDER, date=SERVICE_DAY, status="completed",
            start_time=dt.time(9), dose_given=Decimal(30000), administered_by="Kate Moss RN"))
    assert day_result(engine).reasons == ("incomplete-mar",)
    form = record_forms.make_record_form(ctx, registry.INFUSION, patient_id=PATIENT, order_id=ORDER,
                                         day=SERVICE_DAY)
    # qtbot deletes the form on the GUI thread: a parentless widget left to the collector can
    # be freed on a pool thread, which Qt does not survive (ui/shell/workers.py)
    qtbot.addWidget(form)
    assert form.record is not None and form.record.id == "mar-5"
    settle(qtbot)  # its lot list's read is back before the form goes


def test_every_record_table_model_passes_qtmodeltester(ctx, engine, qtbot, qtmodeltester,
                                                       monkeypatch):
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "wrong order")
    with unit_of_work(engine) as s:
        clinical.void_record(s, actor="x", kind=registry.DELIVERY, record_id="d-1", reason="dup")
        create_on_its_day(s, actor="x", kind=registry.NURSING_VISIT, data=NursingVisitBase(
            id="nv-1", patient_id=PATIENT, order_id=ORDER, date=dt.date(2026, 11, 19),
            start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
            note="IVIG at home", infusions=["mar-1"]))
    orders, mar, docs, auths = OrdersTab(ctx), InfusionLogTab(ctx), DocumentsTab(ctx), \
        AuthorizationsTab(ctx)
    for w in (orders, mar, docs, auths):
        qtbot.addWidget(w)
        w.set_patient(PATIENT)
    docs.panels[registry.DELIVERY].show_voided.setChecked(True)
    settle(qtbot)
    models = [orders.panel.model, mar.panel.model, auths.model,
              *(p.model for p in docs.panels.values())]
    for model in models:
        assert model.rowCount() >= 1, type(model).__name__
        qtmodeltester.check(model)
    shown = HistoryDialog(ctx, registry.DELIVERY, "d-1")
    qtbot.addWidget(shown)
    assert shown.panel.model.rowCount() == 2
    qtmodeltester.check(shown.panel.model)


def test_reason_dialog_needs_text_and_enter_gives_it(qtbot):
    dialog = kit.ReasonDialog("Why?", "Say why")
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.text() == "Save change"  # says what it does
    assert not ok.isEnabled()
    QTest.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.isVisible()  # no reason, nothing given
    qtbot.keyClicks(dialog.reason, "Dose was charted on the wrong day")
    assert ok.isEnabled()
    QTest.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.text() == "Dose was charted on the wrong day"


def test_a_care_note_added_from_its_list_shows_up_there(ctx, engine, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-11-25")  # written on its day (R24, R26)
    tab = DocumentsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    tab.show_section(registry.CARE_NOTE)
    panel = tab.panels[registry.CARE_NOTE]
    settle(qtbot)
    assert tab.sections.tabText(3) == "Care coordination notes (1)"
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    [dialog] = [d for d in panel.findChildren(RecordDialog) if d.isVisible()]
    f = dialog.form.fields
    assert f["author"].text() == "Jia Lee"  # the person signed in
    retype(qtbot, f["date"], "11/25/2026")
    qtbot.keyClicks(f["contact"], "prescriber")
    qtbot.keyClicks(f["text"], "Asked Dr. Okafor to sign the December plan of care.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    notes = fresh(engine, lambda s: clinical.list_records(s, registry.CARE_NOTE,
                                                          patient_id=PATIENT))
    assert [(n.date, n.contact, n.author) for n in notes][-1] == (
        dt.date(2026, 11, 25), "prescriber", "Jia Lee")
    settle(qtbot)
    assert panel.model.rowCount() == 2  # the list reloaded on the change notice
    assert tab.sections.tabText(3) == "Care coordination notes (2)"


def test_record_tables_fit_their_width_and_cut_text_shows_whole_in_a_tooltip(ctx, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QStyleOptionViewItem, QToolTip

    from ui.records.record_list import MIN_CUT_WIDTH, SHORT_COLUMN_WIDTH, ColumnFitter

    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    tab.resize(2400, 400)
    tab.show()
    qtbot.waitExposed(tab)
    settle(qtbot)
    view = tab.panel.view
    drug, start = 1, 4
    assert view.model().headerData(start, Qt.Orientation.Horizontal) == "Start"
    index = view.model().index(0, drug)
    text = index.data()
    assert view.columnWidth(drug) > view.fontMetrics().horizontalAdvance(text)  # whole
    natural = view.findChild(ColumnFitter).natural
    floor = sum(min(w, MIN_CUT_WIDTH) if w > SHORT_COLUMN_WIDTH else w for w in natural.values())
    chrome = tab.width() - view.viewport().width()
    tab.resize(chrome + (floor + sum(natural.values())) // 2, 400)  # too narrow for all
    columns = [c for c in range(view.model().columnCount()) if not view.isColumnHidden(c)]
    qtbot.waitUntil(lambda: view.columnWidth(drug) < natural[drug])
    assert sum(view.columnWidth(c) for c in columns) <= view.viewport().width()
    assert view.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    assert view.fontMetrics().horizontalAdvance(text) > view.columnWidth(drug)  # drug cut
    assert view.fontMetrics().horizontalAdvance(view.model().index(0, start).data()) < \
        view.columnWidth(start)  # a date never is
    option = QStyleOptionViewItem()
    option.rect = view.visualRect(index)
    option.fontMetrics = view.fontMetrics()
    pos = option.rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    assert view.itemDelegate().helpEvent(event, view, option, index)
    assert QToolTip.text() == text
    QToolTip.hideText()

    tab.resize(2400, 400)  # room again: the drug's whole name is back
    qtbot.waitUntil(lambda: view.columnWidth(drug) == natural[drug])


def test_payer_and_prescriber_choices_are_wide_enough_for_every_name(ctx, engine, qtbot):
    from models.records.tables import PayerBase, PrescriberBase

    with unit_of_work(engine) as s:  # names longer than the combo boxes' old width
        reference.save_payer(s, actor="x", data=PayerBase(
            id="gl", name="Great Lakes Casualty Workers Comp", payer_id="GLCWC", kind="other"))
        reference.save_prescriber(s, actor="x", data=PrescriberBase(
            id="dr-long", first_name="Bartholomew", last_name="Vanderhoeven-Castellanos",
            npi="1003000126"))
    auth = make_record_dialog(ctx, None, registry.AUTHORIZATION, patient_id=PATIENT)
    order = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT)
    for dialog, field in ((auth, "payer_id"), (order, "prescriber_id")):
        qtbot.addWidget(dialog)
        dialog.show()
        combo = dialog.form.fields[field]
        names = [combo.itemText(i) for i in range(combo.count())]
        assert names
        widest = max(combo.fontMetrics().horizontalAdvance(n) for n in names)
        assert combo.minimumSizeHint().width() > widest, field  # a name is never cut off


def test_order_form_names_missing_fields_with_the_badly_typed_ones(ctx, engine, qtbot):
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT)
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    qtbot.keyClicks(f["diagnosis_codes"], "XYZ")  # wrong as typed; no code, no drug chosen
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = dialog.form.message.text()
    assert "Diagnoses (ICD-10)" in text and "XYZ" in text
    assert "Per diem code" in text and "Drug" in text  # not left for the next Save
    assert text.startswith("Not saved. Please correct:\n• ")  # as the patient form says it
    assert "Diagnoses (ICD-10): is required" not in text
    assert f["per_diem_code"].property("problem")
    assert len(fresh(engine, lambda s: clinical.list_records(s, registry.ORDER))) == 1
