"""The pharmacy-wide month view: filters, totals, CSV export, opening a patient (R1-R18)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from models.billing.month import MonthFilter
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.records import clinical, reference, registry
from models.records.tables import (
    CoverageBase,
    InfusionBase,
    OrderBase,
    PatientBase,
    PayerBase,
)
from tests.support.recorded import create_on_its_day
from ui.billing import calendar_view
from ui.billing.billing_models import ROW_ROLE, STATUS_ROLE
from ui.billing.month_model import MonthTableModel
from ui.billing.month_view import MonthView
from ui.shell import ops
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)


def add_patient(s, pid: str, last: str, payer: str, code: str, days: list[int]) -> None:
    reference.save_patient(
        s,
        actor="t",
        data=PatientBase(
            id=pid,
            first_name="Test",
            last_name=last,
            birth_date=dt.date(1950, 1, 1),
            sex="F",
            address_line1="1 Main St",
            city="Peoria",
            state="IL",
            zip="61602",
        ),
        coverages=[
            CoverageBase(payer_id=payer, member_id=f"M{pid}", start_date=dt.date(2026, 1, 1))
        ],
    )
    order = create_on_its_day(
        s,
        actor="t",
        kind=registry.ORDER,
        data=OrderBase(
            id=f"o-{pid}",
            patient_id=pid,
            prescriber_id="dr-okafor",
            per_diem_code=code,
            drug_name="Drug",
            diagnosis_codes=["D80.1"],
            start_date=OCT,
            signed_date=OCT,
        ),
    )
    for d in days:
        create_on_its_day(
            s,
            actor="t",
            kind=registry.INFUSION,
            data=InfusionBase(
                id=f"mar-{pid}-{d}",
                order_id=order.id,
                date=dt.date(2026, 10, d),
                status="completed",
                start_time=dt.time(9),
                end_time=dt.time(10),
                dose_given=1,
                administered_by="RN",
            ),
        )


@pytest.fixture
def ctx(example_engine, db_url):
    """The example patient (2 billable, 1 not billable in October) plus a Medicaid patient on
    hold (no authorization, plan, preparation note, delivery or care note: R5, R8-R10, R12) and
    a Medicare patient whose S-code days are not billable (R4)."""
    c = AppContext(example_engine, "tester", db_url)
    ops.WriteOp(
        c,
        lambda s: (
            add_patient(s, "p-2", "Ahn", "ilmcd", "S9500", [5, 6]),
            add_patient(s, "p-3", "Zimmer", "mcr", "S9338", [10]),
        ),
    ).run()
    return c


@pytest.fixture
def view(qtbot, ctx):
    ctx.view_state["month_view.month"] = OCT
    widget = MonthView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1400, 600)
    assert widget.model.rowCount() == 0  # nothing is computed before the view is shown
    with qtbot.waitSignal(widget.data_loaded):
        widget.show()
    assert widget.model.rowCount() == 3
    return widget


def visible(view: MonthView) -> list[str]:
    return [p.patient_id for p in view.visible_patients()]


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_rows_cells_and_totals(view):
    m = view.model
    assert visible(view) == ["p-2", "p-1001", "p-3"]  # by name: Ahn, Lindqvist, Zimmer
    assert m.headerData(m.column_of_day(7), Qt.Orientation.Horizontal) == "We\n7"
    lindqvist = m.index(1, 0)
    assert lindqvist.data(Qt.ItemDataRole.DisplayRole) == "Lindqvist, Maria"
    assert m.index(1, 1).data(Qt.ItemDataRole.DisplayRole) == "Blue Prairie PPO"
    assert [m.index(1, m.column_of_day(d)).data() for d in (7, 8, 28, 29)] == ["✔", None, "✖", "✔"]
    assert m.index(1, m.column_of_day(28)).data(STATUS_ROLE) == NOT_BILLABLE
    tip = m.index(1, m.column_of_day(29)).data(Qt.ItemDataRole.ToolTipRole)
    assert "S9338 SS" in tip and "order o-1" in tip and "PA20261001" in tip  # R14 suite: SS
    tip = m.index(0, m.column_of_day(5)).data(Qt.ItemDataRole.ToolTipRole)
    assert "S9500 U1" in tip  # R17: Medicaid's own modifier
    assert "No preparation note covers this day" in tip  # R9
    totals = {m.total_status(c): m.index(1, c).data() for c in range(2, 5)}
    assert totals == {BILLABLE: 2, HOLD: 0, NOT_BILLABLE: 1}
    # a patient on three therapies has 3 a day: the heading says what is counted
    assert "one per order and day" in m.headerData(2, Qt.Orientation.Horizontal,
                                                    Qt.ItemDataRole.ToolTipRole)
    assert view.total_labels[BILLABLE].text() == "✔ 2 billable"
    assert view.total_labels[HOLD].text() == "⚠ 2 on hold"
    assert view.total_labels[NOT_BILLABLE].text() == "✖ 2 not billable"
    assert view.count_label.text() == "3 patients"


def test_filters_change_visible_rows_and_footer(view):
    choose(view.status_combo, HOLD)
    assert visible(view) == ["p-2"]
    assert view.count_label.text() == "1 of 3 patients shown"
    assert view.total_labels[HOLD].text() == "⚠ 2 on hold"
    assert view.total_labels[BILLABLE].text() == "✔ 0 billable"
    choose(view.status_combo, NOT_BILLABLE)
    assert visible(view) == ["p-1001", "p-3"]
    assert view.total_labels[NOT_BILLABLE].text() == "✖ 2 not billable"
    view.status_combo.setCurrentIndex(0)

    choose(view.reason_combo, "medicare-s-code")  # R4
    assert visible(view) == ["p-3"]
    choose(view.reason_combo, "no-infusion")  # R1
    assert visible(view) == ["p-1001"]
    view.reason_combo.setCurrentIndex(0)

    choose(view.payer_combo, "ilmcd")
    assert visible(view) == ["p-2"]
    choose(view.status_combo, BILLABLE)  # every filter must hold on the same day
    assert visible(view) == []
    assert view.empty_label.text() == "No patient has a day matching these filters."
    view.clear_button.click()
    assert visible(view) == ["p-2", "p-1001", "p-3"]
    assert view.status_combo.currentIndex() == view.payer_combo.currentIndex() == 0


def test_filter_fades_cells_that_do_not_match(view):
    view.set_filter(MonthFilter(status=NOT_BILLABLE))
    row = visible(view).index("p-1001")
    billable = view.proxy.index(row, view.model.column_of_day(7))
    not_billable = view.proxy.index(row, view.model.column_of_day(28))
    assert billable.data() == "✔"  # still marked, only faded
    assert billable.data(Qt.ItemDataRole.BackgroundRole) != not_billable.data(
        Qt.ItemDataRole.BackgroundRole
    )


def test_day_cells_are_painted_in_their_status_colour_and_faded_by_a_filter(qtbot, view):
    """The day cells' own delegate paints what the model says (colour and symbol)."""
    from ui.billing.billing_models import FADED_BACKGROUND, STATUS_BACKGROUND

    def colour_at(day: int) -> str:
        row = visible(view).index("p-1001")
        rect = view.table.visualRect(view.proxy.index(row, view.model.column_of_day(day)))
        image = view.table.viewport().grab().toImage()
        return image.pixelColor(rect.topLeft() + QPoint(2, 2)).name()  # beside the symbol

    view.table.clearSelection()
    qtbot.waitExposed(view)
    assert colour_at(7) == STATUS_BACKGROUND[BILLABLE].name()
    assert colour_at(28) == STATUS_BACKGROUND[NOT_BILLABLE].name()
    assert colour_at(8) != STATUS_BACKGROUND[BILLABLE].name()  # no service that day
    view.set_filter(MonthFilter(status=NOT_BILLABLE))
    view.table.clearSelection()
    assert colour_at(7) == FADED_BACKGROUND.name()
    assert colour_at(28) == STATUS_BACKGROUND[NOT_BILLABLE].name()


def test_csv_export_writes_the_visible_table(view, tmp_path, monkeypatch):
    choose(view.status_combo, NOT_BILLABLE)
    path = tmp_path / "october.csv"
    monkeypatch.setattr(
        "ui.billing.month_view.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(path), "CSV files (*.csv)"),
    )
    view.export_button.click()
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][:3] == ["patient_id", "name", "2026-10-01"]
    assert rows[0][-4:] == ["2026-10-31", "billable_days", "hold_days", "not_billable_days"]
    assert len(rows[0]) == 2 + 31 + 3
    assert [r[0] for r in rows[1:]] == ["p-1001", "p-3"]
    lindqvist = dict(zip(rows[0], rows[1], strict=True))
    assert lindqvist["name"] == "Lindqvist, Maria"
    assert (lindqvist["2026-10-07"], lindqvist["2026-10-08"], lindqvist["2026-10-28"]) == (
        "billable",
        "",
        "not-billable",
    )
    assert rows[1][-3:] == ["2", "0", "1"]
    assert rows[2][-3:] == ["0", "0", "1"]
    assert not list(tmp_path.glob(".export-*"))  # no temporary file left behind


def test_double_click_opens_the_patient_on_this_month(qtbot, view, ctx):
    view.show()
    qtbot.waitExposed(view)
    row = visible(view).index("p-3")
    index = view.proxy.index(row, 0)
    assert index.data(ROW_ROLE).patient_id == "p-3"
    rect = view.table.visualRect(index)
    # item views act on a double click only after a press on the same item
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(view.patient_activated) as blocker:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["p-3"]
    assert ctx.view_state[calendar_view.MONTH_KEY] == OCT


def test_hidden_view_reloads_when_shown_again(qtbot, view, ctx):
    view.hide()
    loads = view._generation
    ops.call(ctx, clinical.void_record, kind=registry.INFUSION, record_id="mar-2",
             reason="wrong day")
    assert view._generation == loads  # a hidden view starts no load...
    assert view.model.patient_at(1).totals[NOT_BILLABLE] == 1
    with qtbot.waitSignal(view.data_loaded):  # ...until it is shown
        view.show()
    assert view.model.patient_at(1).totals[NOT_BILLABLE] == 0


def test_reloads_after_a_write_and_navigates(qtbot, view, ctx):
    with qtbot.waitSignal(view.data_loaded):
        ops.call(
            ctx,
            clinical.void_record,
            kind=registry.INFUSION,
            record_id="mar-2",
            reason="charted on the wrong day",
        )
    row = visible(view).index("p-1001")
    assert view.model.patient_at(view.proxy.mapToSource(view.proxy.index(row, 0)).row()).totals == {
        BILLABLE: 2,
        HOLD: 0,
        NOT_BILLABLE: 0,
    }
    with qtbot.waitSignal(view.data_loaded):
        view.next_button.click()
    assert view.month_label.text() == "November 2026"
    assert view.model.rowCount() == 0 and view.model.columnCount() == 2 + 3 + 1 + 30
    assert view.empty_label.text() == "No service days recorded this month."


def test_month_models_pass_modeltester(qtmodeltester, view):
    qtmodeltester.check(view.model)
    view.set_filter(MonthFilter(status=HOLD))
    qtmodeltester.check(view.proxy)
    qtmodeltester.check(MonthTableModel())


def test_enter_on_a_row_opens_the_patient(qtbot, view):
    view.show()
    qtbot.waitExposed(view)
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(visible(view).index("p-2"), 0))
    with qtbot.waitSignal(view.patient_activated) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == ["p-2"]


def test_sorting_by_hold_days(view):
    hold_column = 2 + [BILLABLE, HOLD, NOT_BILLABLE].index(HOLD)
    view.table.sortByColumn(hold_column, Qt.SortOrder.DescendingOrder)
    assert visible(view)[0] == "p-2"


def test_packets_button_writes_one_packet_per_patient(qtbot, view, tmp_path, monkeypatch):
    """Issue 4 from the month view: one packet per patient with service days that month."""
    from PySide6.QtWidgets import QFileDialog

    from ui.claims import packet_actions

    folder = tmp_path / "october"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    jobs = []
    real = packet_actions.make_month_packets
    monkeypatch.setattr(packet_actions, "make_month_packets",
                        lambda *a, **k: jobs.append(real(*a, **k)) or jobs[-1])
    qtbot.mouseClick(view.packets_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(jobs[0].succeeded, timeout=30000):
        pass
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3 and all(n.startswith("2026-10_") for n in names)


def test_a_narrower_window_still_shows_every_day_of_the_month(qtbot, view):
    """At about 1300 pixels the days narrow (and the payer gives way) instead of the month's
    last days hiding behind a sideways scrollbar."""
    view.resize(1300, 600)
    hh, m = view.table.horizontalHeader(), view.model
    last = m.column_of_day(m.days)
    qtbot.waitUntil(lambda: hh.sectionViewportPosition(last) + hh.sectionSize(last)
                    <= view.table.viewport().width())
    assert view.table.columnWidth(0) >= 160  # the patient's name keeps its room
    view.resize(1900, 600)  # room again: the days widen back
    fm = view.fontMetrics()
    full = max(fm.horizontalAdvance("We"), fm.horizontalAdvance("30")) + 9
    qtbot.waitUntil(lambda: hh.sectionSize(last) == full)


def test_the_month_prints_as_shown(view, tmp_path):
    """Issue 16: Print… saves the visible rows as a PDF (read back with pypdf)."""
    from pypdf import PdfReader

    path = view.save_pdf(tmp_path / "october.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(str(path)).pages)
    assert "Billing month: October 2026" in text
    for row in view.proxy.visible_rows():
        assert row.name in text



def test_expected_revenue_per_patient_and_in_total(qtbot, view):
    """Lindqvist's two billable October days: the S9338 per diem at the order's 150.00 and
    J1569 at 92.40 a unit of 500 mg, 30 g and 20 g given (R21): 150 + 60 x 92.40 and
    150 + 40 x 92.40. The footer adds up the patients shown. When the payer's contract gives
    an expected amount (R32), that is what is expected."""
    m = view.model
    assert m.headerData(m.expected_column, Qt.Orientation.Horizontal) == "Expected\n$"
    assert [m.index(r, m.expected_column).data() for r in range(3)] == ["0", "9,540", "0"]
    assert "$9,540.00 expected" in m.index(1, m.expected_column).data(
        Qt.ItemDataRole.ToolTipRole)
    assert view.expected_label.text() == "Expected $9,540.00"

    def contract(s):
        payer = reference.get_payer(s, "bcx")
        reference.save_payer(s, actor="t", data=PayerBase(**payer.model_dump() | {"rates": [
            {"code": "S9338", "rate": "200.00", "expected": "120.00"},
            {"code": "J1569", "rate": "95.00", "expected": "80.00"}]}))

    with qtbot.waitSignal(view.data_loaded, timeout=10000):
        ops.WriteOp(view.ctx, contract).run()
    # 2 x 120.00 + 100 units x 80.00
    assert m.index(visible(view).index("p-1001"), m.expected_column).data() == "8,240"
    assert view.expected_label.text() == "Expected $8,240.00"
