"""Issue 15 part 3 from the GUI: the order form's components table. Rows are typed from the
keyboard (Tab from the last cell adds a row, Ctrl+Delete removes one), codes complete from the
code table, a bad cell is named and marked, and the saved order bills each component (R21)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.components import Component
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from ui.forms import kit
from ui.forms.components_table import FIELDS, code_items
from ui.forms.record_forms import make_record_dialog
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", SERVICE_DAY.isoformat())
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def saved_order(engine):
    with unit_of_work(engine) as s:
        return clinical.get_record(s, registry.ORDER, ORDER)


def type_row(qtbot, table, values: dict[str, str]) -> None:
    """Type one row from its first cell as a user does, keyboard only: the current cell's
    editor is open (the table edits the cell it moves to), type, Tab to the next."""
    assert table.currentColumn() == 0
    for name in FIELDS:
        editor = table.focusWidget()
        assert isinstance(editor, QLineEdit), name
        if name in values:
            editor.selectAll()
            qtbot.keyClicks(editor, values[name])
        if name != FIELDS[-1]:
            qtbot.keyClick(editor, Qt.Key.Key_Tab)


def open_order(ctx, qtbot):
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT, record_id=ORDER)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_components_typed_in_the_table_are_saved_in_order_and_shown_again(ctx, engine, qtbot,
                                                                          monkeypatch):
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "TPN formula added")
    dialog = open_order(ctx, qtbot)
    part = dialog.form.components
    table = part.table
    assert table.rowCount() == 0
    qtbot.mouseClick(part.add_button, Qt.MouseButton.LeftButton)
    type_row(qtbot, table, {"hcpcs": "b4197", "name": "Amino acids 5% dextrose 20%",
                            "quantity": "1", "per": "bag", "unit_charge": "318.00"})
    # Tab from the last cell (NDC unit) adds the second row, its first cell open
    qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Tab)
    assert table.rowCount() == 2 and (table.currentRow(), table.currentColumn()) == (1, 0)
    type_row(qtbot, table, {"hcpcs": "B4185", "name": "Lipids 20% 250 mL", "quantity": "5",
                            "unit_charge": "11.40", "ndc": "00338051909",
                            "ndc_quantity": "250", "ndc_unit": "ml"})
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.form.message.text()

    saved = saved_order(engine)
    assert saved.components == [
        Component(kind="nutrient", name="Amino acids 5% dextrose 20%", hcpcs="B4197", per="bag",
                  quantity=Decimal(1), unit_charge=Decimal("318.00")),
        Component(kind="nutrient", name="Lipids 20% 250 mL", hcpcs="B4185", per="day",
                  quantity=Decimal(5), unit_charge=Decimal("11.40"), ndc="00338051909",
                  ndc_unit="ML", ndc_quantity=Decimal(250))]
    assert saved.version == 2

    again = open_order(ctx, qtbot)
    t = again.form.components.table
    assert t.rowCount() == 2
    assert [t.item(1, FIELDS.index(n)).text() for n in ("hcpcs", "quantity", "ndc_unit")] == [
        "B4185", "5", "ML"]
    # nothing changed: nothing to save (the components compare as values)
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert "Nothing was changed" in again.form.message.text()


def test_ctrl_delete_removes_the_current_row_and_the_order_saves_without_it(ctx, engine, qtbot,
                                                                           monkeypatch):
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "formula changed")
    dialog = open_order(ctx, qtbot)
    part = dialog.form.components
    for code in ("B4216", "B4224"):
        part.add_row({"hcpcs": code, "name": f"part {code}", "quantity": "1",
                      "unit_charge": "9.00"})
    table = part.table
    table.setCurrentCell(0, 1)  # its editor opens: Ctrl+Delete there removes the row
    assert isinstance(table.focusWidget(), QLineEdit)
    qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert table.rowCount() == 1 and table.item(0, 0).text() == "B4224"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.form.message.text()
    assert [c.hcpcs for c in saved_order(engine).components] == ["B4224"]


def test_a_bad_component_is_named_marked_and_nothing_is_saved(ctx, engine, qtbot):
    dialog = open_order(ctx, qtbot)
    part = dialog.form.components
    part.add_row({"hcpcs": "S9366", "name": "Per diem by mistake", "quantity": "1"})
    part.add_row({"hcpcs": "B4185", "name": "Lipids", "quantity": "five"})
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    message = dialog.form.message.text()
    assert 'Component 2 Units: "five" is not a number' in message
    qtbot.waitUntil(lambda: True)
    part.table.item(1, FIELDS.index("quantity")).setText("5")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    message = dialog.form.message.text()
    assert "Component 1 HCPCS: S9366 is a per diem code" in message
    bad = part.table.item(0, FIELDS.index("hcpcs"))
    assert "per diem code" in bad.toolTip() and bad.background().color().name() == "#fdecea"
    assert saved_order(engine).components == [] and saved_order(engine).version == 1


def test_the_hcpcs_cell_completes_from_the_code_table(ctx, qtbot):
    items = code_items()
    assert items[0].startswith("B4164 ") and any(i.startswith("B4185 ") for i in items)
    assert not any(i.startswith("S9366") for i in items)  # per diem codes are not components
    dialog = open_order(ctx, qtbot)
    part = dialog.form.components
    qtbot.mouseClick(part.add_button, Qt.MouseButton.LeftButton)
    table = part.table
    editor = table.focusWidget()  # the new row's HCPCS cell, open
    qtbot.keyClicks(editor, "lipids")
    completer = editor.completer()
    assert completer.currentCompletion().startswith("B4185 ")
    editor.setText(completer.currentCompletion())
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert table.item(0, 0).text() == "B4185"
