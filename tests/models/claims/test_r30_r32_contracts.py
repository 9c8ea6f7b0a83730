"""R30-R32, the payer's contract on its claims: suite days at place of service 49 (never merged
with place 12, R20), one line a month (R31), and whose price a line carries (R32: the payer's
rate, else the order's, else the pharmacy's price list) with the payer's expected amount kept
beside it. The rules make the days (models.billing.rules.evaluate, R30's place of service), the
drafts make the lines, the 837P is checked by pyx12 and the CMS-1500 read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader

from models.billing.rules import evaluate
from models.claims.claim import DRUG, PER_DIEM, BatchContext
from models.claims.snapshots import from_snapshot, snapshot
from models.records.tables import PayerRead
from reports.claims import claims_csv, cms1500, x12_837p
from tests.models.billing.test_rules import base, entry
from tests.support.claim_data import (
    PAYERS,
    PHARMACY,
    D,
    day,
    drafts,
    infusions,
    order,
    per_diem,
)
from tests.support.x12_validator import x12_errors

BCX = PAYERS["bcx"]
CTX = BatchContext(pharmacy=PHARMACY, created_at=dt.datetime(2026, 11, 27, 9, 30),
                   control_numbers=(1,))


def contract(**kw) -> dict[str, PayerRead]:
    return {**PAYERS, "bcx": BCX.model_copy(update=kw)}


def oct_(n: int) -> dt.date:
    return D(2026, 10, n)


# --- R30: the suite's place of service -------------------------------------------------------


@pytest.mark.parametrize(("place", "suite_day"), [
    ("12", ("12", ("SS",))),  # R16 as written: the suite day carries SS at home's place
    ("49", ("49", ())),  # R30: place of service 49 on the line, no SS
])
def test_r30_a_suite_day_by_the_payers_place_of_service(place, suite_day):
    payer = base().payers["bcx"].model_copy(update={"suite_place_of_service": place})
    d = base(payers={"bcx": payer}, infusions=[
        entry(id="m6", day=oct_(6)), entry(id="m7", day=oct_(7), setting="suite")])
    got = [(r.date.day, r.place_of_service, r.modifiers) for r in evaluate(d)]
    assert got == [(6, "12", ()), (7, *suite_day)]


def test_r30_suite_lines_at_49_never_merge_with_home_lines_at_12():
    """R20 with R30: days 1-2 at home, 3-4 in the suite, 5 at home: three per diem lines,
    though no modifier tells them apart."""
    days = [replace(day(oct_(n)), place_of_service="49" if n in (3, 4) else "12")
            for n in range(1, 6)]
    (claim,) = drafts(days, payers=contract(suite_place_of_service="49"))
    assert claim.ok, claim.problems
    assert [(ln.start.day, ln.end.day, ln.units, ln.place_of_service, ln.modifiers)
            for ln in per_diem(claim)] == [
        (1, 2, 2, "12", ()), (3, 4, 2, "49", ()), (5, 5, 1, "12", ())]
    # the suite day's drug line is at the suite's place too
    assert [ln.place_of_service for ln in claim.lines if ln.kind == DRUG] == [
        "12", "12", "49", "49", "12"]
    text = x12_837p.write([claim], CTX)
    assert x12_errors(text) == []
    assert "CLM*" in text and ":B:1*" in text and "*12:B:1*" in text  # the claim is at home
    assert text.count("SV1*HC:S9338*300*UN*2*49**1~") == 1  # SV105 on the suite line only
    assert text.count("*UN*2**") == 1  # the home run of two days names no place of its own


def test_r30_a_claim_all_in_the_suite_is_at_place_49():
    days = [replace(day(oct_(n)), place_of_service="49") for n in (3, 4)]
    (claim,) = drafts(days, payers=contract(suite_place_of_service="49"))
    text = x12_837p.write([claim], CTX)
    assert x12_errors(text) == []
    assert "*49:B:1*" in text and "*UN*2*49*" not in text


def test_r30_the_cms1500_box_24b_shows_each_lines_place():
    days = [replace(day(oct_(n)), place_of_service="49" if n == 2 else "12") for n in (1, 2)]
    (claim,) = drafts(days, orders=[order(drug_hcpcs=None)])
    pdf = cms1500.render([claim], CTX)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "10 01 26 10 01 26 12" in text and "10 02 26 10 02 26 49" in text


# --- R31: one line a month ---------------------------------------------------------------


def test_r31_a_month_layout_line_runs_from_the_first_to_the_last_billed_day():
    """Billed days 1, 2, 5, 9 of October (3, 4, 6-8 on hold) make one line 10/01-10/09 of
    4 units; a day with other modifiers (SS on the 20th) its own line."""
    days = [day(oct_(n)) for n in (1, 2, 5, 9)] + [day(oct_(20), mods=("SS",))]
    (claim,) = drafts(days, payers=contract(line_layout="month"))
    assert claim.ok, claim.problems
    assert [(ln.start, ln.end, ln.units, ln.modifiers, ln.charge) for ln in per_diem(claim)] == [
        (oct_(1), oct_(9), 4, (), Decimal("600.00")),
        (oct_(20), oct_(20), 1, ("SS",), Decimal("150.00"))]
    text = x12_837p.write([claim], CTX)
    assert x12_errors(text) == []
    assert "SV1*HC:S9338*600*UN*4***1~\nDTP*472*RD8*20261001-20261009~" in text


def test_r31_runs_stay_the_default():
    days = [day(oct_(n)) for n in (1, 2, 5)]
    (claim,) = drafts(days)
    assert [(ln.start.day, ln.end.day, ln.units) for ln in per_diem(claim)] == [
        (1, 2, 2), (5, 5, 1)]


def test_r31_a_month_line_with_more_units_than_days_is_refused():
    (claim,) = drafts([day(oct_(1)), day(oct_(3))], payers=contract(line_layout="month"))
    (line,) = per_diem(claim)
    assert (line.units, (line.end - line.start).days + 1) == (2, 3)  # fewer units: fine
    from models.claims.checks import check_claim
    bad = replace(claim, lines=[replace(line, units=4, charge=Decimal("600.00"))],
                  total_charge=Decimal("600.00"))
    assert any("has 4 units for 3 days" in p for p in check_claim(bad, PHARMACY, "837p", {
        "o1": order()}))


# --- R32: whose price ------------------------------------------------------------------------

RATES = [{"code": "S9338", "rate": "210.00", "expected": "180.50"},
         {"code": "J1569", "rate": "80.00"}]
PRICES = [{"code": "S9338", "charge": "250.00"}, {"code": "J1569", "charge": "99.00"}]


@pytest.mark.parametrize(("case", "rates", "per_diem_rate", "unit_charge", "prices",
                          "expected"), [
    ("R32 the payer's rate wins over the order's and the pharmacy's",
     RATES, "150.00", "92.40", PRICES, ("210.00", "80.00", "361.00", None)),
    ("R32 the order's rate when the payer has none", [], "150.00", "92.40", PRICES,
     ("150.00", "92.40", None, None)),
    ("R32 the pharmacy's price list when neither sets one", [], None, None, PRICES,
     ("250.00", "99.00", None, None)),
    ("R32 an expected amount without a rate keeps the order's price",
     [{"code": "S9338", "rate": "", "expected": "140.00"}], "150.00", "92.40", [],
     ("150.00", "92.40", "280.00", None)),
])
def test_r32_price_of_each_line(case, rates, per_diem_rate, unit_charge, prices, expected):
    ph = PHARMACY.model_copy(update={"prices": prices})
    o = order(per_diem_rate=Decimal(per_diem_rate) if per_diem_rate else None,
              drug_unit_charge=Decimal(unit_charge) if unit_charge else None)
    payers = contract(rates=[{k: v for k, v in r.items() if v != ""} for r in rates])
    (claim,) = drafts([day(oct_(1)), day(oct_(2))], orders=[o], payers=payers, pharmacy=ph)
    (pd,) = per_diem(claim)
    drug = next(ln for ln in claim.lines if ln.kind == DRUG)
    got = (f"{pd.unit_charge:.2f}", f"{drug.unit_charge:.2f}",
           None if pd.expected is None else f"{pd.expected:.2f}",
           None if drug.expected is None else f"{drug.expected:.2f}")
    assert got == expected
    assert pd.charge == pd.unit_charge * 2
    assert claim.total_charge == sum(ln.charge for ln in claim.lines)


def test_r32_the_expected_amount_is_kept_in_the_snapshot_and_the_csv():
    (claim,) = drafts([day(oct_(1))], payers=contract(rates=RATES))
    again, _ = from_snapshot(snapshot(claim, CTX))
    assert [ln.expected for ln in again.lines] == [Decimal("180.50"), None]
    text = claims_csv.to_csv([claim])
    header, first, second = text.splitlines()
    assert header.endswith(",claim_total,place_of_service,expected")
    assert first.endswith(",12,180.50") and second.endswith(",12,")


def test_r32_a_file_without_contracts_keeps_its_columns():
    (claim,) = drafts([day(oct_(1))])
    assert claims_csv.to_csv([claim]).splitlines()[0] == ",".join(claims_csv.COLUMNS)


def test_r29_an_access_day_without_a_dose_has_a_per_diem_line_and_no_drug_line():
    """R29 on the claim: the access day 10/04 (no entry) bills its per diem only."""
    days = [replace(day(oct_(n)), basis="access-days") for n in (3, 4, 5)]
    (claim,) = drafts(days, entries=infusions([days[0], days[2]]))
    assert claim.ok, claim.problems
    assert [(ln.kind, ln.start.day, ln.units) for ln in claim.lines] == [
        (PER_DIEM, 3, 3), (DRUG, 3, 60), (DRUG, 5, 60)]
