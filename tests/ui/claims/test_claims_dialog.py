"""The claim drafts dialog: preview, refused claims with their problems, saving a batch."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from models.claims.batches import claimed_days
from models.db import unit_of_work
from models.records.tables import Order
from ui.claims.claims_dialog import ClaimsDialog
from ui.shell.context import AppContext

D = dt.date


def test_claims_dialog_previews_then_saves_a_batch(example_engine, tmp_path, qtbot):
    ctx = AppContext(example_engine, "tester", str(example_engine.url))
    dialog = ClaimsDialog(ctx, today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    assert (dialog.start_field.date(), dialog.end_field.date()) == (D(2026, 10, 1),
                                                                     D(2026, 10, 31))
    assert not dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    ModelTester(None).check(dialog.model)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 0).data() == "Ready"
    assert dialog.model.index(0, 7).data() == "$9,540.00"
    assert dialog.save_button.isEnabled()

    out = tmp_path / "oct.csv"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("csv"))
    assert not dialog.save_button.isEnabled()  # a changed choice needs a new preview
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.claims_saved, timeout=10000) as saved:
        dialog.save_to(out)
    assert saved.args[0].batch_id is not None and out.exists()
    assert "1 claim saved" in dialog.summary.text()
    with unit_of_work(example_engine) as session:
        assert len(claimed_days(session)) == 2

    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):  # nothing left to claim
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 0
    assert "already claimed" in dialog.summary.text()


def test_claims_dialog_lists_refused_claims_with_problems(example_engine, qtbot):
    with unit_of_work(example_engine) as session:
        o = session.get(Order, "o-1")
        o.per_diem_rate = None
        session.add(o)
    dialog = ClaimsDialog(AppContext(example_engine, "tester", "x"), today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.model.index(0, 0).data() == "Refused"
    assert "per diem rate" in dialog.model.index(0, 8).data()
    assert "per diem rate" in dialog.details.toPlainText()
    assert not dialog.save_button.isEnabled()


def test_claims_dialog_refuses_a_backwards_period(example_engine, qtbot):
    dialog = ClaimsDialog(AppContext(example_engine, "tester", "x"), today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.end_field.setText("09/01/2026")
    assert dialog._on_preview_clicked() is None
    assert dialog.end_field.property("problem") == "is before the start of the period"




def test_f8_refused_replacement_is_fixed_in_the_claims_panel(example_engine, tmp_path, qtbot,
                                                              monkeypatch):
    """Issue 11: a rebill whose original's payer claim number is unknown is refused
    (no-payer-claim-number); the claim's panel records the number, and the redrafted
    replacement is ready, naming it."""
    from ui.claims import claims_dialog

    ctx = AppContext(example_engine, "tester", str(example_engine.url))
    dialog = ClaimsDialog(ctx, today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("csv"))
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.claims_saved, timeout=10000):
        dialog.save_to(tmp_path / "oct.csv")

    dialog.rebill.setChecked(True)
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.model.index(0, 0).data() == "Refused"
    assert "no-payer-claim-number" in dialog.model.index(0, 8).data()
    assert "claim-number`" not in dialog.model.index(0, 8).data()  # no command-line hint
    assert not dialog.claim_number_button.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.claim_number_button.isEnabled()
    account = dialog.model.drafts[0].account_number
    monkeypatch.setattr(claims_dialog, "ask_payer_claim_number", lambda *_: "icn-77")
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.claim_number_button, Qt.MouseButton.LeftButton)
    assert dialog.model.index(0, 0).data() == "Replacement"
    assert dialog.model.drafts[0].original_reference == "ICN-77"
    assert dialog.save_button.isEnabled()
    with unit_of_work(example_engine) as session:
        assert {c.payer_claim_number for c in claimed_days(session).values()} == {"ICN-77"}
        assert {c.account_number for c in claimed_days(session).values()} == {account}


def test_saving_a_batch_commits_in_steps_and_announces_it_once(example_engine, tmp_path,
                                                               qtbot):
    """The export records its batch pending, writes the file, then completes the batch
    (ui.shell.ops.StepsOp): the views hear of it once, after the last step."""
    from sqlmodel import select

    from models.claims import batch_files
    from models.records.changes import CLAIM
    from models.records.tables import ClaimBatch

    ctx = AppContext(example_engine, "tester", str(example_engine.url))
    notices = []
    ctx.data_changed.connect(notices.append)
    dialog = ClaimsDialog(ctx, today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_loaded, timeout=10000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.claims_saved, timeout=10000):
        dialog.save_to(tmp_path / "oct.837")
    assert len(notices) == 1
    assert CLAIM in notices[0].kinds and "p-1001" in notices[0].patient_ids
    with unit_of_work(example_engine) as session:
        (batch,) = session.exec(select(ClaimBatch)).all()
        assert batch.status == batch_files.COMPLETED


def test_the_drafts_table_sorts_on_every_column_by_clicking_its_header(demo_engine, qtbot):
    """Issue 11 item 6: a click on any header sorts the drafts by that column's value (the
    month as a date, lines, days and money as numbers, not text: $10,000 after $9,000), a
    second click reverses it, and the claim's panel follows the row picked in sorted order."""
    from PySide6.QtCore import QPoint

    from ui.claims.draft_table import SORT_ROLE

    ctx = AppContext(demo_engine, "tester", str(demo_engine.url))
    dialog = ClaimsDialog(ctx, today=D(2026, 11, 27))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start_field.set_date(D(2026, 9, 1))  # two months of the demo: months differ too
    with qtbot.waitSignal(dialog.preview_loaded, timeout=30000):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    ModelTester(None).check(dialog.proxy)
    rows = dialog.proxy.rowCount()
    assert rows >= 10
    header = dialog.table.horizontalHeader()

    def click(col: int) -> None:
        dialog.table.scrollTo(dialog.proxy.index(0, col))
        x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(x, header.height() // 2))

    def column(col: int, role=SORT_ROLE) -> list:
        return [dialog.proxy.index(r, col).data(role) for r in range(rows)]

    for col in range(dialog.model.columnCount()):
        orders = []
        for _ in range(2):
            click(col)
            assert header.sortIndicatorSection() == col
            order = header.sortIndicatorOrder()
            orders.append(order)
            keys = column(col)
            assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder), col
        assert orders[0] != orders[1]  # the second click reverses
        assert len(set(column(col))) > 1 or col in (0, 8), col  # values to order (the demo's
        # drafts are all ready, without problems)
    # money by amount and months by date, where their text would sort otherwise
    totals = [d.total_charge for d in dialog.model.drafts]
    click(7)
    if header.sortIndicatorOrder() != Qt.SortOrder.DescendingOrder:
        click(7)
    shown = [float(t.replace("$", "").replace(",", ""))
             for t in column(7, Qt.ItemDataRole.DisplayRole)]
    assert shown == sorted(map(float, totals), reverse=True)
    assert dialog.proxy.mapToSource(dialog.proxy.index(0, 0)).row() != 0  # moved by the sort
    dialog.table.selectRow(0)  # the panel shows the row picked, in sorted order
    (top,) = [d for d in dialog.model.drafts if d.account_number == column(1)[0]]
    assert top.total_charge == max(totals)
    assert dialog.details.toPlainText().startswith(top.title)
    click(4)
    months = [dialog.proxy.index(r, 4).data() for r in range(rows)]
    assert {months[0], months[-1]} == {"Sep 2026", "Oct 2026"}
