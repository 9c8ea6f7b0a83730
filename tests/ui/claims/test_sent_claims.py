"""The sent claims window (issue 11 items 3 and 6): every recorded claim in a table sorted by
any column, a void of the selected claim, refused until the payer's claim number is recorded,
which releases the claim's days, and a copy of it in any format, which records nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from sqlalchemy import text

from models.claims.batches import claimed_days, list_batches
from models.db import unit_of_work
from reports.claims import claims_csv
from tests.support.claimed_october import D7, ICN, export, set_number
from ui.claims import sent_claims
from ui.claims.claims_dialog import ClaimsDialog
from ui.claims.sent_claims import SentClaimsDialog
from ui.shell.context import AppContext

OPEN: list = []  # the claims dialogs the sent claims windows belong to, kept while tested


def open_sent(qtbot, ctx) -> SentClaimsDialog:
    """Opened from the claim drafts dialog's Sent claims… button."""
    claims = ClaimsDialog(ctx)
    qtbot.addWidget(claims)
    OPEN[:] = [claims]
    qtbot.mouseClick(claims.sent_button, Qt.MouseButton.LeftButton)
    dialog = claims.sent_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=10000)
    return dialog


def test_void_from_the_sent_claims_window(example_engine, tmp_path, qtbot, monkeypatch):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    ctx = AppContext(example_engine, "biller", str(example_engine.url))
    dialog = open_sent(qtbot, ctx)
    ModelTester(None).check(dialog.model)
    dialog.select(account)
    assert dialog.void_button.isEnabled()
    assert "A void needs the payer's claim number" in dialog.details.text()

    errors = []
    monkeypatch.setattr(sent_claims, "show_error", lambda _w, exc, _t: errors.append(str(exc)))
    task = dialog.void_to(tmp_path / "void.837", "837p")
    qtbot.waitUntil(lambda: task.done and bool(errors), timeout=10000)
    assert errors and "(no-payer-claim-number)" in errors[0]
    assert not (tmp_path / "void.837").exists()

    monkeypatch.setattr(sent_claims, "ask_payer_claim_number", lambda *_a: ICN)
    with qtbot.waitSignal(dialog.claims_loaded, timeout=10000):  # the change reloads the list
        qtbot.mouseClick(dialog.claim_number_button, Qt.MouseButton.LeftButton)
    assert dialog.selected().payer_claim_number == ICN
    with qtbot.waitSignal(dialog.voided, timeout=10000):
        dialog.void_to(tmp_path / "void.837", "837p")
    assert "*12:B:8*" in (tmp_path / "void.837").read_text()
    assert "can be billed again" in dialog.summary.text()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10000)
    assert sorted(c.state for c in dialog.model.claims) == ["void sent", "voided"]
    with unit_of_work(example_engine) as s:
        assert ("o-1", D7) not in claimed_days(s)


def test_the_sent_claims_table_sorts_on_every_column(example_engine, tmp_path, qtbot):
    first = export(example_engine, tmp_path / "oct.837")
    set_number(example_engine, ICN, first.written[0].account_number)
    export(example_engine, tmp_path / "oct.csv", fmt="csv", render=claims_csv.render,
           rebill=True)  # a replacement: two rows that differ in every column but the patient's
    ctx = AppContext(example_engine, "biller", str(example_engine.url))
    dialog = open_sent(qtbot, ctx)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10000)
    assert dialog.table.isSortingEnabled()  # a click on any header sorts
    header = dialog.table.horizontalHeader()
    for col in range(dialog.model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            dialog.table.sortByColumn(col, order)
            assert header.sortIndicatorSection() == col
            keys = [dialog.proxy.index(r, col).data(sent_claims.SORT_ROLE)
                    for r in range(dialog.proxy.rowCount())]
            assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder), col
    dialog.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # kind: original first
    assert [dialog.proxy.index(r, 1).data() for r in range(2)] == ["original", "replacement"]


def test_copy_from_the_sent_claims_window(example_engine, tmp_path, qtbot, monkeypatch):
    """Issue 11 item 6: Copy… asks where and in which format (the save dialog's filter),
    writes the claim as sent, marked as a copy, and records nothing."""
    first = export(example_engine, tmp_path / "oct.837")
    account = first.written[0].account_number
    ctx = AppContext(example_engine, "biller", str(example_engine.url))
    dialog = open_sent(qtbot, ctx)
    assert not dialog.copy_button.isEnabled()  # nothing selected
    dialog.select(account)
    assert dialog.copy_button.isEnabled()
    asked = []

    def save_dialog(_parent, caption, name, filters, selected):
        asked.append((caption, name, selected))
        return str(tmp_path / "copy.csv"), sent_claims.FILTERS["csv"]

    monkeypatch.setattr(sent_claims.QFileDialog, "getSaveFileName", save_dialog)
    with qtbot.waitSignal(dialog.copied, timeout=10000):
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    # the dialog offers the format the claim was sent in first
    assert asked == [(f"Copy of claim {account}", f"copy-{account}.837",
                      sent_claims.FILTERS["837p"])]
    rows = (tmp_path / "copy.csv").read_text().splitlines()
    assert rows[0].endswith(",copy") and all(r.endswith(",COPY") for r in rows[1:])
    assert f"{account},1,," in rows[1]
    assert "nothing was recorded" in dialog.summary.text()
    with qtbot.waitSignal(dialog.copied, timeout=10000):
        dialog.copy_to(tmp_path / "copy.837", "837p")
    assert (tmp_path / "copy.837").read_text() == first.path.read_text().replace(
        "BHT*0019*00*", "BHT*0019*18*")
    with unit_of_work(example_engine) as s:
        assert len(list_batches(s)) == 1


def test_a_claim_without_snapshot_cannot_be_copied(example_engine, tmp_path, qtbot):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    with example_engine.begin() as conn:
        conn.execute(text("UPDATE claim SET snapshot = NULL"))
    dialog = open_sent(qtbot, AppContext(example_engine, "biller", str(example_engine.url)))
    dialog.select(account)
    assert not dialog.copy_button.isEnabled() and not dialog.void_button.isEnabled()
    assert "it cannot be written again" in dialog.details.text()
