"""The payer's claim number (ICN/DCN): recorded on a claim, named by its replacement (REF*F8,
box 22), warned about while unknown; through the service, the command line and the calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton
from x12_validator import x12_errors

import main
from models.claims import batches as claim_batches
from models.db import unit_of_work
from models.errors import FieldError
from models.records import services
from models.records.tables import Claim
from reports.claims import claims_csv, cms1500, x12_837p
from ui.billing import day_panel
from ui.billing.calendar_view import PatientCalendar
from ui.shell.context import AppContext

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
D7 = dt.date(2026, 10, 7)
NOW = dt.datetime(2026, 11, 27, 9, 30)
ICN = "ICN-20261105-77"
UNKNOWN = "is not recorded"


def export(engine, out: Path, fmt: str = "837p", render=x12_837p.render, rebill=False):
    with unit_of_work(engine) as session:
        return claim_batches.export_claims(session, actor="test", start=OCT[0], end=OCT[1],
                                           fmt=fmt, out=out, render=render, rebill=rebill,
                                           now=NOW)


def set_number(engine, number: str, account: str, actor: str = "biller"):
    with unit_of_work(engine) as session:
        claim = claim_batches.set_payer_claim_number(session, actor=actor,
                                                     account_number=account, number=number)
        return claim.id, claim.payer_claim_number


@pytest.fixture
def claimed(example_engine, tmp_path) -> str:
    """October of the example billed once (an original claim); returns its account number."""
    return export(example_engine, tmp_path / "oct.837").written[0].account_number


# --- the service ----------------------------------------------------------------------------


def test_the_number_is_recorded_uppercased_with_who_and_when(example_engine, claimed):
    claim_id, number = set_number(example_engine, " icn-20261105-77 ", claimed.lower())
    assert number == ICN
    with unit_of_work(example_engine) as session:
        (version,) = services.history(session, "claim", str(claim_id))
        info = claim_batches.claimed_days(session)[("o-1", D7)]
    assert info.payer_claim_number == ICN
    assert version.recorded_by == "biller" and version.recorded_at.date() >= dt.date(2026, 1, 1)
    assert version.data == {"account_number": claimed, "batch_id": info.batch_id,
                            "frequency_code": "1", "payer_claim_number": ICN}
    # a correction is a second version; the same number again adds nothing
    set_number(example_engine, "9931", claimed)
    set_number(example_engine, "9931", claimed)
    with unit_of_work(example_engine) as session:
        versions = services.history(session, "claim", str(claim_id))
    assert [v.data["payer_claim_number"] for v in versions] == [ICN, "9931"]


@pytest.mark.parametrize("number, problem", [
    ("", "is empty"),
    ("ICN*77", "'*'"),
    ("ICN 77", "' '"),
    ("ICN~77", "'~'"),
    ("9" * 51, "at most 50"),
])
def test_a_bad_number_is_refused_naming_the_field_and_nothing_saved(example_engine, claimed,
                                                                    number, problem):
    with pytest.raises(FieldError) as caught:
        set_number(example_engine, number, claimed)
    assert caught.value.field == "number" and problem in caught.value.problem
    with unit_of_work(example_engine) as session:
        info = claim_batches.claimed_days(session)[("o-1", D7)]
        assert info.payer_claim_number is None
        assert services.history(session, "claim", str(info.claim_id)) == []


def test_an_unknown_claim_is_refused(example_engine, claimed):
    with pytest.raises(FieldError) as caught:
        set_number(example_engine, ICN, "2610-NOSUCH")
    assert caught.value.field == "claim" and "2610-NOSUCH" in caught.value.problem


# --- the replacement ------------------------------------------------------------------------


def test_rebill_names_the_payers_number_in_ref_f8_and_passes_pyx12(example_engine, claimed,
                                                                  tmp_path):
    set_number(example_engine, ICN, claimed)
    result = export(example_engine, tmp_path / "rebill.837", rebill=True)
    text = result.path.read_text(encoding="ascii")
    assert x12_errors(text) == []
    assert f"CLM*{claimed}*9540***12:B:7*Y*A*Y*Y~" in text  # still PerDiem's own CLM01
    assert f"REF*F8*{ICN}~" in text and f"REF*F8*{claimed}~" not in text
    (draft,) = result.written
    assert not any(UNKNOWN in w for w in draft.warnings)
    with unit_of_work(example_engine) as session:  # the batch records what was sent
        info = claim_batches.claimed_days(session)[("o-1", D7)]
        replacement = session.get(Claim, info.claim_id)
        assert replacement.frequency_code == "7" and replacement.original_reference == ICN


def test_rebill_without_the_number_warns_and_keeps_perdiems_number(example_engine, claimed,
                                                                  tmp_path):
    result = export(example_engine, tmp_path / "rebill.837", rebill=True)
    text = result.path.read_text(encoding="ascii")
    assert f"REF*F8*{claimed}~" in text  # not refused: today's behaviour
    (draft,) = result.written
    (warning,) = [w for w in draft.warnings if UNKNOWN in w]
    assert f"original claim {claimed}" in warning and "REF*F8 carries PerDiem's" in warning
    assert "`claim-number`" in warning


def test_cms1500_box_22_shows_the_payers_number(example_engine, tmp_path):
    first = export(example_engine, tmp_path / "oct.pdf", "cms1500", cms1500.render)
    account = first.written[0].account_number
    unknown = export(example_engine, tmp_path / "r1.pdf", "cms1500", cms1500.render, rebill=True)
    assert any("box 22 carries PerDiem's" in w for w in unknown.written[0].warnings)
    set_number(example_engine, ICN, account)  # the newest claim: the replacement just sent
    result = export(example_engine, tmp_path / "r2.pdf", "cms1500", cms1500.render, rebill=True)
    (page,) = pypdf.PdfReader(result.path).pages
    text = " ".join(page.extract_text().split())
    assert f"7 {ICN}" in text and f"7 {account}" not in text
    assert not any(UNKNOWN in w for w in result.written[0].warnings)


def test_csv_rebill_gives_the_number_as_original_reference(example_engine, claimed, tmp_path):
    set_number(example_engine, ICN, claimed)
    result = export(example_engine, tmp_path / "r.csv", "csv", claims_csv.render, rebill=True)
    assert f",7,{ICN}," in result.path.read_text()


# --- the command line -----------------------------------------------------------------------


def run(capsys, db_url: str, *args: str):
    code = main.main(["--db", db_url.removeprefix("sqlite:///"), "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_claim_number_command(example_engine, claimed, db_url, capsys):
    example_engine.dispose()
    code, out, err = run(capsys, db_url, "claim-number", claimed, "icn-77")
    assert code == 0, err
    assert out == f"Claim {claimed}: the payer's claim number is ICN-77; a replacement names it.\n"
    code, out, err = run(capsys, db_url, "claim-number", claimed, "ICN*77")
    assert code == 1 and out == ""
    assert err.startswith("perdiem claim-number: number: ") and "'*'" in err
    code, _, err = run(capsys, db_url, "claim-number", "2610-NOSUCH", "77")
    assert code == 1 and "claim: no claim with the account number \"2610-NOSUCH\"" in err
    with unit_of_work(example_engine) as session:
        assert claim_batches.claimed_days(session)[("o-1", D7)].payer_claim_number == "ICN-77"


# --- the billing calendar -------------------------------------------------------------------


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
        (version,) = services.history(session, "claim", str(info.claim_id))
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
