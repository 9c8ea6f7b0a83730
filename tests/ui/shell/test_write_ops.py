"""The one way the GUI writes (ui.shell.ops): one transaction, one change notice, every view.

The source of ui/ is read to prove that no other module opens a write transaction or announces
a change; then a save typed into a real form is followed through the main window: one notice,
and the patient list, every patient tab, the calendar and the month view show what changed.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, QSettings, Qt
from PySide6.QtWidgets import QApplication

import ui
from models.billing.rules import BILLABLE
from models.records import clinical, registry
from models.records.changes import Changes
from tests.support.gui_wait import settle
from ui.forms import kit
from ui.forms.record_forms import RecordDialog
from ui.shell import ops, workers
from ui.shell.context import AppContext, ReadWrote
from ui.shell.main_window import MainWindow

UI = Path(ui.__file__).parent
OPS = UI / "shell" / "ops.py"
CONTEXT = UI / "shell" / "context.py"
OCT = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 27)


def writes_in(path: Path) -> set[str]:
    """Where a module opens a transaction (`unit_of_work`), builds a session (`Session(`),
    commits (`commit`) or announces a change (`data_changed.emit`), as "line: what"."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        what = None
        if isinstance(node, ast.ImportFrom) and "unit_of_work" in [a.name for a in node.names]:
            what = "unit_of_work"
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in ("unit_of_work", "commit"):
                what = name
            elif name == "emit" and isinstance(node, ast.Attribute) \
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "data_changed":
                what = "data_changed.emit"
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Session"):
            what = "Session("
        if what:
            found.add(f"{path.relative_to(UI.parent)}:{node.lineno}: {what}")
    return found


def kinds(hits: set[str]) -> set[str]:
    return {h.rsplit(": ", 1)[1] for h in hits}


def test_no_ui_module_writes_or_announces_outside_the_write_operation():
    elsewhere = sorted(hit for path in UI.rglob("*.py") if path not in (OPS, CONTEXT)
                       for hit in writes_in(path))
    assert elsewhere == []
    # the reader finds what it looks for: the operation opens the transaction and announces;
    # the context builds the sessions reads use, and they never commit
    assert kinds(writes_in(OPS)) == {"unit_of_work", "data_changed.emit"}
    assert kinds(writes_in(CONTEXT)) == {"Session("}


def test_a_read_that_writes_is_refused_and_saves_nothing(ctx):
    def sneaky(s):
        return clinical.void_record(s, actor="x", kind=registry.INFUSION, record_id="mar-1",
                                    reason="a read must not do this")

    with pytest.raises(ReadWrote):
        ctx.read(sneaky)
    assert not ctx.read(lambda s: clinical.get_record(s, registry.INFUSION, "mar-1")).voided


def test_a_failed_write_saves_nothing_and_announces_nothing(ctx, qtbot):
    notices: list[Changes] = []
    ctx.data_changed.connect(notices.append)

    def half_then_fail(s):
        for record_id, reason in (("mar-1", "first"), ("no-such", "then")):
            clinical.void_record(s, actor="x", kind=registry.INFUSION, record_id=record_id,
                                 reason=reason)

    with pytest.raises(Exception, match="no-such"):
        ops.WriteOp(ctx, half_then_fail).run()
    assert notices == []
    assert not ctx.read(lambda s: clinical.get_record(s, registry.INFUSION, "mar-1")).voided


def test_a_background_write_announces_once_even_when_its_window_is_gone(ctx, qtbot):
    from PySide6.QtWidgets import QWidget

    notices: list[Changes] = []
    results: list[object] = []
    ctx.data_changed.connect(notices.append)
    gone = QWidget()
    task = ops.WriteOp(ctx, lambda s: clinical.void_record(
        s, actor="x", kind=registry.INFUSION, record_id="mar-2", reason="wrong day").id
    ).run_in_background(receiver=gone, on_result=results.append)
    gone.deleteLater()
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert notices == [Changes(kinds={"infusion"}, patient_ids={"p-1001"})]
    assert results == []  # the window that asked is gone: nobody to tell but the views
    assert ctx.read(lambda s: clinical.get_record(s, registry.INFUSION, "mar-2")).voided


def test_a_background_write_cannot_be_cancelled_from_outside(ctx, qtbot):
    """Cancelling a task drops its answer; a write's answer is its change notice, which the
    views must get, so a write stops itself from inside instead (and rolls back)."""
    task = ops.WriteOp(ctx, lambda s: None).run_in_background()
    with pytest.raises(RuntimeError, match="from inside"):
        task.cancel()
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert not task.cancelled


@pytest.fixture
def ctx(example_engine, db_url):
    return AppContext(example_engine, "tester", db_url)


def shown(model: QAbstractItemModel) -> str:
    """Every cell's text of a table model, to look for what a change shows."""
    return "\n".join(str(model.index(r, c).data(Qt.ItemDataRole.DisplayRole))
                     for r in range(model.rowCount()) for c in range(model.columnCount()))


def test_a_saved_order_is_announced_once_and_every_view_shows_it(qtbot, ctx, tmp_path,
                                                                  monkeypatch):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx.view_state["month_view.month"] = OCT
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    window.select_patient("p-1001", "PatientCalendar")
    calendar = window.tab("PatientCalendar")
    calendar.set_month(OCT)
    window.show_page(window.MONTH_PAGE)  # the month view reads once while shown
    settle(qtbot)
    window.show_page(window.PATIENTS_PAGE)
    month = window.month_view
    day29 = month.model.index(0, month.model.column_of_day(29))
    assert calendar.day(dt.date(2026, 10, 29)).status == BILLABLE and day29.data() == "✔"
    for tab in window.tab_widgets:  # every tab read once, then behind the calendar
        window.tabs.setCurrentWidget(tab)
        settle(qtbot)
    window.tabs.setCurrentWidget(calendar)
    settle(qtbot)

    notices: list[Changes] = []
    ctx.data_changed.connect(notices.append)
    # the order's form, as Edit on the Orders tab opens it; a saved order asks why it changes
    monkeypatch.setattr(kit, "ask_reason", lambda *_a, **_k: "stopped early")
    orders = window.tab("OrdersTab")
    orders.panel.select("o-1")
    orders.panel.edit_button.click()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, RecordDialog) and w.isVisible())
    fields = dialog.form.fields
    for name, text in (("drug_name", "Gammagard Liquid 10% (Takeda)"),
                       ("end_date", "10/28/2026")):
        fields[name].selectAll()
        qtbot.keyClicks(fields[name], text)
    # the patient list (whether a patient is active depends on orders) and the calendar in
    # front read again at once
    with qtbot.waitSignals([window.patients.loaded, calendar.data_loaded], timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not shiboken6.isValid(dialog)  # saved, closed, deleted
    # one notice, with what the services recorded
    assert notices == [Changes(kinds={"order"}, patient_ids={"p-1001"})]
    settle(qtbot)
    assert calendar.day(dt.date(2026, 10, 29)).status != BILLABLE  # after the order's end
    # every tab behind reads again when it comes to the front, and shows the new drug name
    for tab in [w for w in window.tab_widgets if w is not calendar]:
        window.tabs.setCurrentWidget(tab)
        assert workers.pending_jobs() > 0, f"{type(tab).__name__} did not read again"
        settle(qtbot)
    assert "(Takeda)" in shown(orders.panel.model)
    assert "10/28/2026" in shown(orders.panel.model)
    # the lists of documents and of the MAR name each record's order as read with them
    panels = [*window.tab("DocumentsTab").panels.values(), window.tab("InfusionLogTab").panel]
    assert [p.model.orders["o-1"].drug_name for p in panels] == \
        ["Gammagard Liquid 10% (Takeda)"] * 6
    # the month view, hidden meanwhile, reads again when shown
    window.show_page(window.MONTH_PAGE)
    settle(qtbot)
    assert month.model.index(0, month.model.column_of_day(29)).data() != "✔"
    assert len(notices) == 1  # reading again announced nothing


def test_a_saved_patient_is_announced_once_and_the_list_header_and_month_show_it(
        qtbot, ctx, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx.view_state["month_view.month"] = OCT
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    window.show_page(window.MONTH_PAGE)
    settle(qtbot)
    window.show_page(window.PATIENTS_PAGE)
    window.select_patient("p-1001", "PatientCalendar")
    settle(qtbot)
    notices: list[Changes] = []
    ctx.data_changed.connect(notices.append)

    dialog = window._open_patient_form("p-1001")  # what Edit ▸ Edit patient… opens
    last = dialog.fields["last_name"]
    last.selectAll()
    qtbot.keyClicks(last, "Lindqvist-Berg")
    with qtbot.waitSignals([window.patients.loaded, window.tab("PatientCalendar").data_loaded],
                           timeout=20000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert notices == [Changes(kinds={"patient"}, patient_ids={"p-1001"})]
    settle(qtbot)
    assert window.patients.patient("p-1001").last_name == "Lindqvist-Berg"
    assert "Lindqvist-Berg, Maria" in window.header.text()
    window.show_page(window.MONTH_PAGE)
    settle(qtbot)
    assert window.month_view.model.index(0, 0).data() == "Lindqvist-Berg, Maria"
    assert len(notices) == 1
