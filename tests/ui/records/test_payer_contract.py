"""The payer form's contract (R29-R32) and the pharmacy's price list, typed into the real
widgets: the choices and prices are saved and shown again, a bad price is refused naming the
row and the field with nothing saved, and both dialogs fit a 1366x768 screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from models.records import reference
from models.vocab import ACCESS_DAYS
from tests.ui.records.test_reference import make_ctx
from ui.records.pharmacy_form import PharmacyDialog
from ui.records.reference import PayerDialog


def type_row(qtbot, editor, *values: str) -> None:
    """Add a row with the button and type each cell as a user would (Tab to the next)."""
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    table = editor.table
    row = table.rowCount() - 1
    for col, value in enumerate(values):
        if col:  # Add opened the code's cell; then each amount's, as a click would
            qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState)
            table.setCurrentCell(row, col)  # any edit trigger: the current cell opens
            if table.state() != QAbstractItemView.State.EditingState:
                table.editItem(table.item(row, col))
        (editor_widget,) = [w for w in table.viewport().findChildren(QLineEdit)
                            if w.isVisible()]
        qtbot.keyClicks(editor_widget, value)
        qtbot.keyClick(editor_widget, Qt.Key.Key_Return)  # commits the cell (queued)
        qtbot.waitUntil(lambda c=col, v=value: table.item(row, c).text() == v)


def test_r29_r32_payer_contract_saved_and_shown_again(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    dlg = PayerDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.name, "Access Health Plan")
    qtbot.keyClicks(dlg.claim_id, "AHP09")
    combos = dlg.contract.combos
    assert [c.currentData() for c in combos.values()] == ["infusion-days", "12", "runs"]
    combos["per_diem_basis"].setCurrentIndex(combos["per_diem_basis"].findData(ACCESS_DAYS))
    combos["suite_place_of_service"].setCurrentIndex(
        combos["suite_place_of_service"].findData("49"))
    combos["line_layout"].setCurrentIndex(combos["line_layout"].findData("month"))
    type_row(qtbot, dlg.contract.rates, "s9500", "92.00", "84.50")
    type_row(qtbot, dlg.contract.rates, "J0878", "$0.30")

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    payer = ctx.read(lambda s: reference.get_payer(s, dlg.payer_id))
    assert (payer.per_diem_basis, payer.suite_place_of_service, payer.line_layout) == (
        ACCESS_DAYS, "49", "month")
    assert payer.rates == [{"code": "S9500", "rate": "92.00", "expected": "84.50"},
                           {"code": "J0878", "rate": "0.30"}]

    again = PayerDialog(ctx, payer.id)
    qtbot.addWidget(again)
    assert again.contract.values() == {
        "per_diem_basis": ACCESS_DAYS, "suite_place_of_service": "49", "line_layout": "month",
        "rates": payer.rates}


def test_r32_a_bad_price_is_refused_naming_row_and_field(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    dlg = PayerDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.name, "Blue")
    qtbot.keyClicks(dlg.claim_id, "BPP01")
    type_row(qtbot, dlg.contract.rates, "S9338", "one fifty")
    assert not dlg.save()
    assert ('Price list: row 1 (S9338): rate "one fifty" is not an amount of money'
            in dlg.error_label.text())
    assert ctx.read(reference.list_payers) == []  # nothing saved
    qtbot.mouseClick(dlg.contract.rates.remove_button, Qt.MouseButton.LeftButton)
    assert dlg.contract.rates.items() == []
    assert dlg.save()


def test_pharmacy_price_list_saved(qtbot, example_engine, db_url):
    from tests.support.databases import billing_ready

    billing_ready(example_engine)
    ctx = make_ctx(example_engine, db_url)
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    type_row(qtbot, dlg.prices, "S9338", "250.00")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    assert ctx.read(reference.get_pharmacy).prices == [{"code": "S9338", "charge": "250.00"}]


def test_the_contract_dialogs_fit_a_laptop_screen(qtbot, engine, db_url):
    """1366x768 with the taskbar: both dialogs at their size hints stay within 1366x728."""
    ctx = make_ctx(engine, db_url)
    for dlg in (PayerDialog(ctx), PharmacyDialog(ctx)):
        qtbot.addWidget(dlg)
        dlg.show()
        hint = dlg.sizeHint()
        assert hint.width() <= 1366 and hint.height() <= 728, (type(dlg).__name__, hint)
