"""R34 on claims: a billable nursing visit's 99601 (1 unit) and 99602 lines go on the claim of
its billed payer and month, in the 837P (checked by pyx12), on the CMS-1500 (read back with
pypdf) and in the CSV; a month of visits alone makes a claim; a visit without a price is
refused (zero charge); a visit billed once is not drafted again."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from models.billing.visits import evaluate_visits
from models.claims import batches as claim_batches
from models.claims.claim import VISIT, BatchContext
from models.claims.visit_claims import VisitBilling
from models.db import unit_of_work
from models.records import clinical, registry
from models.records.tables import NursingVisitBase, NursingVisitRead
from reports.claims import claims_csv, cms1500, x12_837p
from tests.support.claim_data import PAYERS, PHARMACY, day, drafts, order, patient
from tests.support.recorded import create_on_its_day, today_is
from tests.support.x12_validator import x12_errors

D = dt.date


# the pharmacy's price list for the visit codes (issue 15 item 4's usual and customary
# charges), which R32 reads for a visit line when the payer has no rate
PRICED = PHARMACY.model_copy(update={"prices": [{"code": "99601", "charge": "210.00"},
                                                {"code": "99602", "charge": "95.00"}]})
CTX = BatchContext(pharmacy=PRICED, created_at=dt.datetime(2026, 12, 1, 9, 30),
                   control_numbers=(1,))


def _visit(vid: str, date: dt.date, start: str, end: str) -> NursingVisitRead:
    return NursingVisitRead(id=vid, patient_id="p1", order_id="o1", date=date,
                            start_time=dt.time.fromisoformat(start),
                            end_time=dt.time.fromisoformat(end), nurse="Kate Moss RN",
                            note="IVIG at home")


def _billing(*visits: NursingVisitRead) -> VisitBilling:
    results = evaluate_visits(visits, {"p1": patient()}, PAYERS, [])
    return VisitBilling(results=results, records={v.id: v for v in visits},
                        orders={"o1": order()}, patients={"p1": patient()})


def _claims(pharmacy=PRICED, fmt="837p"):
    """October: two billable days and the 4-hour IVIG visit; November: a visit alone."""
    visits = _billing(_visit("nv-1", D(2026, 10, 7), "09:20", "13:20"),
                      _visit("nv-2", D(2026, 11, 3), "22:30", "00:15"))  # overnight, 105 min
    return drafts([day(D(2026, 10, 7)), day(D(2026, 10, 8))], visits=visits, fmt=fmt,
                  pharmacy=pharmacy)


def test_r34_visit_lines_join_the_claim_of_their_payer_and_month():
    october, november = _claims()
    lines = [(ln.kind, ln.code, ln.start.day, ln.units, ln.charge) for ln in october.lines]
    assert lines == [
        ("per-diem", "S9338", 7, 2, Decimal("300.00")),
        ("drug", "J1569", 7, 60, Decimal("5544.00")),
        ("visit", "99601", 7, 1, Decimal("210.00")),  # first two hours
        ("visit", "99602", 7, 2, Decimal("190.00")),  # 240 minutes: two more hours
        ("drug", "J1569", 8, 60, Decimal("5544.00")),
    ]
    assert october.visits == ["nv-1"] and october.ok, october.problems
    assert [(ln.code, ln.units) for ln in november.lines] == [("99601", 1)]
    assert november.days == [] and november.visits == ["nv-2"] and november.ok
    assert november.total_charge == Decimal("210.00")
    assert all(ln.pointers == (1,) for ln in october.lines if ln.kind == VISIT)  # R22


def test_r34_a_visit_without_a_price_is_refused_as_a_zero_charge():
    october, _november = _claims(pharmacy=PHARMACY)
    assert any("no price for nursing visit code 99601" in p for p in october.problems)
    assert any("no price for nursing visit code 99602" in p for p in october.problems)


def test_r34_visit_lines_in_a_valid_837p():
    text = x12_837p.render(_claims(), CTX).decode("ascii")
    assert x12_errors(text) == []
    sv1 = [s.strip().split("*") for s in text.split("~") if s.strip().startswith("SV1")]
    assert ["HC:99601", "210", "UN", "1"] in [s[1:5] for s in sv1]
    assert ["HC:99602", "190", "UN", "2"] in [s[1:5] for s in sv1]


def test_r34_visit_lines_on_the_cms1500_and_in_the_csv():
    claims = _claims(fmt="cms1500")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(
        cms1500.render(claims, CTX))).pages]
    # the visit lines carry no authorization (the payer needs none): a form of their own
    squeezed = [" ".join(p.split()) for p in pages]
    assert len(pages) == 3
    assert "10 07 26 10 07 26 12 99601 A 210 00 1" in squeezed[1]
    assert "10 07 26 10 07 26 12 99602 A 190 00 2" in squeezed[1]
    assert "11 03 26 11 03 26 12 99601 A 210 00 1" in squeezed[2]
    rows = [r for r in claims_csv.rows(_claims(fmt="csv")) if r["kind"] == VISIT]
    assert [(r["code"], r["units"], r["charge"]) for r in rows] == [
        ("99601", "1", "210.00"), ("99602", "2", "190.00"), ("99601", "1", "210.00")]


# --- on the example database -------------------------------------------------------------------

def _record_visit(engine, **kw) -> str:
    values = dict(id="", patient_id="p-1001", order_id="o-1", date=D(2026, 10, 7),
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  note="IVIG at home", infusions=["mar-1"])
    with unit_of_work(engine) as s:
        return create_on_its_day(s, actor="nurse", kind=registry.NURSING_VISIT,
                                 data=NursingVisitBase(**{**values, **kw})).id


def _authorize_visits(engine) -> None:
    from models.records import reference
    from models.records.tables import AuthorizationBase

    with unit_of_work(engine) as s:
        reference.save_authorization(s, actor="test", data=AuthorizationBase(
            id="pa-v", patient_id="p-1001", payer_id="bcx", number="PAV1", code="99601",
            start_date=D(2026, 10, 1), end_date=D(2026, 12, 31), units=4))


@pytest.mark.parametrize("fmt", ["837p", "cms1500", "csv"])
def test_r34_an_authorized_visit_is_drafted_on_the_octobers_claim(example_engine, fmt):
    _authorize_visits(example_engine)
    visit = _record_visit(example_engine)
    with unit_of_work(example_engine) as s, today_is(D(2026, 11, 2)):
        preview = claim_batches.prepare_claims(s, D(2026, 10, 1), D(2026, 10, 31), fmt=fmt)
    (claim,) = preview.drafts
    assert claim.visits == [visit]
    assert [(ln.code, ln.units, ln.authorization_number) for ln in claim.lines
            if ln.kind == VISIT] == [("99601", 1, "PAV1"), ("99602", 2, "PAV1")]  # 235 min
    # no price on this base (no payer rates, no pharmacy price list): refused, in words
    assert any("no price for nursing visit code 99601" in p for p in claim.problems)


def test_r34_a_held_or_voided_visit_reaches_no_claim(example_engine):
    visit = _record_visit(example_engine)  # the example's payer requires authorization
    with unit_of_work(example_engine) as s, today_is(D(2026, 11, 2)):
        (claim,) = claim_batches.prepare_claims(s, D(2026, 10, 1), D(2026, 10, 31),
                                                fmt="csv").drafts
        assert claim.visits == []  # hold: no-authorization (R5 with 99601)
    _authorize_visits(example_engine)
    with unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="nurse", kind=registry.NURSING_VISIT, record_id=visit,
                             reason="entered on the wrong patient")
    with unit_of_work(example_engine) as s, today_is(D(2026, 11, 2)):
        (claim,) = claim_batches.prepare_claims(s, D(2026, 10, 1), D(2026, 10, 31),
                                                fmt="csv").drafts
        assert claim.visits == []


def test_r34_a_visit_on_a_recorded_claim_is_not_drafted_again(example_engine):
    _authorize_visits(example_engine)
    visit = _record_visit(example_engine)
    with unit_of_work(example_engine) as s, today_is(D(2026, 11, 2)):
        drafts_ = claim_batches.prepare_claims(s, D(2026, 10, 1), D(2026, 10, 31),
                                               fmt="csv").drafts
        claim_batches.record_batch(s, actor="test", drafts=drafts_, fmt="csv",
                                   start=D(2026, 10, 1), end=D(2026, 10, 31),
                                   file_name="october.csv",
                                   created_at=dt.datetime(2026, 11, 2, 9))
    with unit_of_work(example_engine) as s, today_is(D(2026, 11, 2)):
        assert claim_batches.prepare_claims(s, D(2026, 10, 1), D(2026, 10, 31),
                                            fmt="csv").drafts == []
        from models.claims.visit_claims import claimed_visits

        assert list(claimed_visits(s)) == [visit]
