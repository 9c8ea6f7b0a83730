"""The billing calendar's "Payer claim number…" button for a claimed day, and its prompt."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton

from models.claims import batches as claim_batches
from models.db import unit_of_work
from models.records.history import history
from tests.support.claimed_october import D7, ICN, OCT, export
from tests.support.databases import billing_ready
from ui.billing import day_panel
from ui.billing.calendar_view import PatientCalendar
from ui.shell.context import AppContext


@pytest.fixture
def example_engine(example_engine):
    """The example with its pharmacy's ZIP+4: a 5-digit one refuses every claim (issue 11)."""
    return billing_ready(example_engine)


@pytest.fixture
def claimed(example_engine, tmp_path) -> str:
    """October of the example billed once (an original claim); returns its account number."""
    return export(example_engine, tmp_path / "oct.837").written[0].account_number


@pytest.fixture
def cal(qtbot, example_engine, db_url, claimed) -> PatientCalendar:
    widget = PatientCalendar(AppContext(example_engine, "clerk", db_url))
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_month(OCT[0])
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_patient("p-1001")
    widget.select_day(D7)
    return widget


def number_buttons(cal: PatientCalendar) -> list:
    """The panel's "Payer claim number" buttons (a redrawn panel's old ones are hidden)."""
    return [b for b in cal.panel.findChildren(QPushButton, "payer-claim-number")
            if b.isVisibleTo(cal.panel)]


def test_calendar_button_records_the_number_and_the_panel_shows_it(qtbot, cal, claimed,
                                                                  monkeypatch):
    asked = []

    def answer(parent, info):
        asked.append(info.account_number)
        return "icn-20261105-77"

    monkeypatch.setattr(day_panel, "ask_payer_claim_number", answer)
    assert "Payer's claim no." not in cal.panel.text()
    (button,) = number_buttons(cal)
    with qtbot.waitSignal(cal.data_loaded):  # the saved change reloads the calendar
        button.click()
    assert asked == [claimed]
    assert f"Payer's claim no. {ICN}" in cal.panel.text()
    with unit_of_work(cal.ctx.engine) as session:
        info = claim_batches.claimed_days(session)[("o-1", D7)]
        (version,) = history(session, "claim", str(info.claim_id))
    assert version.recorded_by == "clerk"


def test_calendar_cancel_saves_nothing(qtbot, cal, monkeypatch):
    monkeypatch.setattr(day_panel, "ask_payer_claim_number", lambda parent, info: None)
    (button,) = number_buttons(cal)
    button.click()
    with unit_of_work(cal.ctx.engine) as session:
        assert claim_batches.claimed_days(session)[("o-1", D7)].payer_claim_number is None


def test_the_prompt_takes_only_what_ref_f8_can_carry(qtbot, cal):
    with unit_of_work(cal.ctx.engine) as session:
        info = claim_batches.claimed_days(session)[("o-1", D7)]
    dialog = day_panel.payer_claim_number_dialog(cal, info)
    qtbot.addWidget(dialog)
    dialog.show()
    field = dialog.findChild(QLineEdit, "payer-claim-number-field")
    qtbot.keyClicks(field, "ab-12*3 4~5")
    assert field.text() == "ab-12345"  # the star, space and tilde were never typed
    field.setText("9" * 60)
    assert field.text() == "9" * 50
