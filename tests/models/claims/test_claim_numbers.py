"""The payer's claim number (ICN/DCN): recorded on a claim, named by its replacement (REF*F8,
box 22), warned about while unknown, through the service (the command line's and the calendar's
in tests/cli/test_claim_number.py and tests/ui/billing/test_claim_number.py)."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest

from models.claims import batches as claim_batches
from models.db import unit_of_work
from models.errors import FieldError
from models.records.history import history
from models.records.tables import Claim
from reports.claims import claims_csv, cms1500
from tests.support.claimed_october import D7, ICN, UNKNOWN, export, set_number
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture
def claimed(example_engine, tmp_path) -> str:
    """October of the example billed once (an original claim); returns its account number."""
    return export(example_engine, tmp_path / "oct.837").written[0].account_number


# --- the service ----------------------------------------------------------------------------


def test_the_number_is_recorded_uppercased_with_who_and_when(example_engine, claimed):
    claim_id, number = set_number(example_engine, " icn-20261105-77 ", claimed.lower())
    assert number == ICN
    with unit_of_work(example_engine) as session:
        (version,) = history(session, "claim", str(claim_id))
        info = claim_batches.claimed_days(session)[("o-1", D7)]
    assert info.payer_claim_number == ICN
    assert version.recorded_by == "biller" and version.recorded_at.date() >= dt.date(2026, 1, 1)
    assert version.data == {"account_number": claimed, "batch_id": info.batch_id,
                            "frequency_code": "1", "payer_claim_number": ICN}
    # a correction is a second version; the same number again adds nothing
    set_number(example_engine, "9931", claimed)
    set_number(example_engine, "9931", claimed)
    with unit_of_work(example_engine) as session:
        versions = history(session, "claim", str(claim_id))
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
        assert history(session, "claim", str(info.claim_id)) == []


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


def test_f8_rebill_without_the_number_is_refused_and_nothing_written(example_engine, claimed,
                                                                    tmp_path):
    """Issue 11: a replacement whose original's payer claim number is not recorded is refused
    (no-payer-claim-number), so no REF*F8 ever carries PerDiem's own number."""
    result = export(example_engine, tmp_path / "rebill.837", rebill=True)
    assert result.path is None and result.written == []
    (draft,) = result.refused
    assert draft.issue_codes == ["no-payer-claim-number"]
    assert f"Claim {claimed}, 2300 REF*F8:" in draft.problems[0]
    assert not (tmp_path / "rebill.837").exists()


def test_cms1500_box_22_shows_the_payers_number(example_engine, tmp_path):
    first = export(example_engine, tmp_path / "oct.pdf", "cms1500", cms1500.render)
    account = first.written[0].account_number
    unknown = export(example_engine, tmp_path / "r1.pdf", "cms1500", cms1500.render, rebill=True)
    assert unknown.refused[0].issue_codes == ["no-payer-claim-number"]  # issue 11: box 22
    set_number(example_engine, ICN, account)
    result = export(example_engine, tmp_path / "r2.pdf", "cms1500", cms1500.render, rebill=True)
    (page,) = pypdf.PdfReader(result.path).pages
    text = " ".join(page.extract_text().split())
    assert f"7 {ICN}" in text and f"7 {account}" not in text


def test_csv_rebill_gives_the_number_as_original_reference(example_engine, claimed, tmp_path):
    set_number(example_engine, ICN, claimed)
    result = export(example_engine, tmp_path / "r.csv", "csv", claims_csv.render, rebill=True)
    assert f",7,{ICN}," in result.path.read_text()
