"""Claim drafts (R19-R23) and the checks before export, on hand-made billable days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing.rules import HOLD, NOT_BILLABLE, BillingData
from models.claims.claim import DRUG, PER_DIEM, ClaimedInfo
from models.claims.drafts import draft_claims
from models.claims.x12 import X12TextError, x12_id, x12_text
from models.records.tables import CoverageRead
from tests.support.claim_data import (
    BAD_NPI,
    PAYERS,
    PHARMACY,
    PRESCRIBERS,
    D,
    day,
    drafts,
    infusions,
    order,
    patient,
    per_diem,
)

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

# --- R19: one claim per patient, billed payer and calendar month ---------------------------


def test_r19_one_claim_per_patient_payer_and_month_of_billable_days_only():
    days = [day(D(2026, 10, 30)), day(D(2026, 10, 31)), day(D(2026, 11, 1)),
            day(D(2026, 11, 2), status=HOLD), day(D(2026, 11, 3), status=NOT_BILLABLE),
            day(D(2026, 11, 4), payer="mcd")]
    pat = patient([CoverageRead(payer_id="bcx", member_id="A1", start_date=D(2026, 1, 1),
                                end_date=D(2026, 11, 3)),
                   CoverageRead(payer_id="mcd", member_id="M9", start_date=D(2026, 11, 4))])
    out = drafts(days, pat=pat)
    got = [(d.payer.id, d.month, [x[1] for x in d.days]) for d in out]
    assert got == [
        ("bcx", D(2026, 10, 1), [D(2026, 10, 30), D(2026, 10, 31)]),
        ("bcx", D(2026, 11, 1), [D(2026, 11, 1)]),
        ("mcd", D(2026, 11, 1), [D(2026, 11, 4)]),
    ]
    assert [d.coverage.member_id for d in out] == ["A1", "A1", "M9"]


def test_r19_days_outside_the_period_are_left_out():
    out = drafts([day(D(2026, 10, 5)), day(D(2026, 10, 20))], start=D(2026, 10, 10),
                 end=D(2026, 10, 31))
    assert [d.days for d in out] == [[("o1", D(2026, 10, 20))]]


# --- R20: per diem lines -------------------------------------------------------------------


@pytest.mark.parametrize("dates, mods, auths, expected", [
    # consecutive days, same modifiers: one line (R20)
    ([1, 2, 3], [(), (), ()], ["PA1"] * 3, [(1, 3, 3, ())]),
    # a gap starts a new line
    ([1, 2, 4], [(), (), ()], ["PA1"] * 3, [(1, 2, 2, ()), (4, 4, 1, ())]),
    # a change of modifiers (R15/R16) starts a new line
    ([1, 2, 3], [(), ("SS",), ("SS",)], ["PA1"] * 3, [(1, 1, 1, ()), (2, 3, 2, ("SS",))]),
    # a change of authorization starts a new line, so each line carries one number (R23)
    ([1, 2], [(), ()], ["PA1", "PA2"], [(1, 1, 1, ()), (2, 2, 1, ())]),
])
def test_r20_consecutive_days_with_same_modifiers_make_one_line(dates, mods, auths, expected):
    days = [day(D(2026, 10, n), mods=m, auth=a) for n, m, a in zip(dates, mods, auths, strict=True)]
    (claim,) = drafts(days)
    got = [(ln.start.day, ln.end.day, ln.units, ln.modifiers) for ln in per_diem(claim)]
    assert got == expected
    assert claim.per_diem_units == len(days)  # units on a claim = its billable days
    for ln in per_diem(claim):
        assert ln.charge == Decimal("150.00") * ln.units


def test_r20_no_line_crosses_a_month():
    days = [day(D(2026, 10, 30)), day(D(2026, 10, 31)), day(D(2026, 11, 1))]
    out = drafts(days)
    assert [(ln.start, ln.end) for d in out for ln in per_diem(d)] == [
        (D(2026, 10, 30), D(2026, 10, 31)), (D(2026, 11, 1), D(2026, 11, 1))]
    for d in out:
        assert all(ln.start.month == ln.end.month == d.month.month for ln in d.lines)


def test_r15_r18_modifiers_of_the_day_go_on_the_line_in_order():
    days = [day(D(2026, 10, 1), mods=("SH", "SS", "U1"))]
    (claim,) = drafts(days)
    assert per_diem(claim)[0].modifiers == ("SH", "SS", "U1")


# --- R21: drug lines -----------------------------------------------------------------------


@pytest.mark.parametrize("dose, unit_amount, units", [
    ("30000", "500", 60),
    ("20001", "500", 41),  # rounded up to a whole unit
    ("250", "500", 1),
    ("1", "10", 1),
    ("1000", "1000", 1),
])
def test_r21_drug_units_are_the_dose_over_the_unit_amount_rounded_up(dose, unit_amount, units):
    o = order(drug_hcpcs_unit_amount=Decimal(unit_amount))
    (claim,) = drafts([day(D(2026, 10, 7))], orders=[o], dose=dose)
    (drug,) = [ln for ln in claim.lines if ln.kind == DRUG]
    assert (drug.code, drug.units) == ("J1569", units)
    assert drug.charge == Decimal("92.40") * units
    assert drug.ndc == "00944270005" and drug.ndc_unit == "ME"
    assert drug.ndc_quantity == Decimal(dose)


def test_r21_a_drug_without_hcpcs_code_or_unit_amount_makes_no_drug_line():
    for o in (order(drug_hcpcs=None), order(drug_hcpcs_unit_amount=None)):
        (claim,) = drafts([day(D(2026, 10, 7))], orders=[o])
        assert [ln.kind for ln in claim.lines] == [PER_DIEM]


def test_r21_one_drug_line_per_billable_day_and_claim_total_is_the_sum():
    days = [day(D(2026, 10, n)) for n in (1, 2, 3)]
    (claim,) = drafts(days)
    assert [(ln.kind, ln.start.day) for ln in claim.lines] == [
        (PER_DIEM, 1), (DRUG, 1), (DRUG, 2), (DRUG, 3)]
    assert claim.total_charge == sum(ln.charge for ln in claim.lines)
    assert claim.total_charge == Decimal("450.00") + 3 * 60 * Decimal("92.40")


# --- R22 and R23 ---------------------------------------------------------------------------


def test_r22_diagnoses_first_order_first_and_pointers_to_own_codes():
    o1 = order("o1", diagnosis_codes=["D80.1", "E11.9"])
    o2 = order("o2", diagnosis_codes=["E11.9", "B20", "Z79.2", "A41.9", "N18.6"],
               drug_hcpcs=None, start_date=D(2026, 9, 2))
    days = [day(D(2026, 10, 1), "o1"), day(D(2026, 10, 1), "o2", mods=("SH",))]
    (claim,) = drafts(days, orders=[o1, o2])
    assert claim.diagnosis_codes == ["D80.1", "E11.9", "B20", "Z79.2", "A41.9", "N18.6"]
    pointers = {(ln.order_id, ln.kind): ln.pointers for ln in claim.lines}
    assert pointers[("o1", PER_DIEM)] == (1, 2)
    assert pointers[("o1", DRUG)] == (1, 2)
    assert pointers[("o2", PER_DIEM)] == (2, 3, 4, 5)  # at most four pointers
    assert claim.ok, claim.problems


def test_r22_more_than_twelve_diagnosis_codes_refuse_the_claim():
    codes = [f"E11.{i}" for i in range(7)] + [f"D80.{i}" for i in range(6)]
    (claim,) = drafts([day(D(2026, 10, 1))], orders=[order(diagnosis_codes=codes)])
    assert len(claim.diagnosis_codes) == 13
    assert any("13 diagnosis codes" in p and "R22" in p for p in claim.problems)


@pytest.mark.parametrize("auths, claim_level, line_level", [
    (["PA1", "PA1"], "PA1", ["PA1"] * 4),
    (["PA1", "PA2"], None, ["PA1", "PA1", "PA2", "PA2"]),
    ([None, None], None, [None] * 4),
])
def test_r23_authorization_given_once_when_every_line_shares_it(auths, claim_level, line_level):
    days = [day(D(2026, 10, 1), auth=auths[0]), day(D(2026, 10, 8), auth=auths[1])]
    (claim,) = drafts(days)
    assert claim.authorization_number == claim_level
    assert [ln.authorization_number for ln in claim.lines] == line_level


# --- checks before export ------------------------------------------------------------------


def _problems(fmt="837p", **changes) -> list[str]:
    pat = changes.pop("patient", None)
    orders = changes.pop("orders", None)
    prescribers = changes.pop("prescribers", None)
    data = BillingData(payers=PAYERS, patients={"p1": pat or patient()},
                       orders=orders or [order()], infusions=infusions([day(D(2026, 10, 1))]))
    (claim,) = draft_claims([day(D(2026, 10, 1))], data, prescribers or PRESCRIBERS,
                            changes.pop("pharmacy", PHARMACY), start=D(2026, 10, 1),
                            end=D(2026, 10, 31), fmt=fmt)
    return claim.problems


def test_a_good_claim_has_no_problem():
    assert _problems() == []
    assert _problems("cms1500") == []


@pytest.mark.parametrize("changes, expected", [
    (dict(patient=patient([CoverageRead(payer_id="bcx", member_id=" ",
                                        start_date=D(2026, 1, 1))])), "no member id"),
    (dict(prescribers={"dr": PRESCRIBERS["dr"].model_copy(update={"npi": BAD_NPI})}),
     "check digit is wrong"),
    (dict(pharmacy=PHARMACY.model_copy(update={"npi": "1234567890"})), "pharmacy's NPI"),
    (dict(orders=[order(per_diem_rate=None)]), "charge of zero: record the order's per diem"),
    (dict(orders=[order(drug_unit_charge=Decimal(0))]),
     "Line 2 (J1569 10/01/2026) has a charge of zero: record the drug's"),
    (dict(orders=[order(diagnosis_codes=["250.00"])]), "not an ICD-10-CM code"),
    (dict(orders=[order(diagnosis_codes=[])]), "has no diagnosis code"),
    (dict(orders=[order(drug_hcpcs="J156")]), "not a HCPCS code"),
    (dict(orders=[order(drug_ndc="0094427000")]), "is not 11 digits"),
    (dict(patient=patient([CoverageRead(payer_id="bcx", member_id="A1", relationship="child",
                                        start_date=D(2026, 1, 1))])), "names no subscriber"),
    (dict(pharmacy=None), "pharmacy's settings"),
])
def test_every_problem_is_listed_in_words(changes, expected):
    problems = _problems(**changes)
    assert any(expected in p for p in problems), problems


def test_x12_delimiters_refuse_identifiers_but_names_are_cleaned():
    bad_member = patient([CoverageRead(payer_id="bcx", member_id="XB*448812",
                                       start_date=D(2026, 1, 1))])
    problems = _problems(patient=bad_member)
    assert any("member id" in p and "delimiter *" in p for p in problems), problems
    assert _problems("csv", patient=bad_member) == []  # only the 837P has delimiters
    assert _problems(patient=patient(last_name="O'Brien*Smith~")) == []
    problems = _problems(patient=patient(last_name="*~^"))
    assert any("patient last name" in p and "empty" in p for p in problems), problems


def test_a_test_837p_is_flagged_but_not_refused():
    (claim,) = drafts([day(D(2026, 10, 1))])
    assert claim.ok and any("ISA15 T" in w for w in claim.warnings), claim.warnings
    prod = PHARMACY.model_copy(update={"usage_indicator": "P"})
    data = BillingData(payers=PAYERS, patients={"p1": patient()}, orders=[order()],
                       infusions=infusions([day(D(2026, 10, 1))]))
    (claim,) = draft_claims([day(D(2026, 10, 1))], data, PRESCRIBERS, prod,
                            start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert claim.warnings == []
    assert drafts([day(D(2026, 10, 1))], fmt="csv")[0].warnings == []


def test_a_claim_over_fifty_lines_is_refused_for_837p_only():
    days = [day(D(2026, 10, n)) for n in range(1, 27)]  # 1 per diem + 26 drug lines
    o2 = order("o2", start_date=D(2026, 9, 2))
    days += [day(D(2026, 10, n), "o2", mods=("SH",)) for n in range(1, 27)]
    (claim,) = drafts(days, orders=[order(), o2])
    assert len(claim.lines) == 54
    assert any("54 service lines" in p for p in claim.problems)
    (claim,) = drafts(days, orders=[order(), o2], fmt="cms1500")
    assert claim.ok


@pytest.mark.parametrize("value, cleaned", [
    ("José O'Brien", "JOSE O'BRIEN"),
    ("a*b~c:d^e", "A B C D E"),
    ("  many   spaces ", "MANY SPACES"),
    ("x" * 70, "X" * 60),
])
def test_x12_text_is_cleaned(value, cleaned):
    assert x12_text(value, 60) == cleaned


@pytest.mark.parametrize("value", ["***", "", "李雷"])
def test_x12_text_refuses_what_cannot_be_cleaned(value):
    with pytest.raises(X12TextError):
        x12_text(value, 60)


@pytest.mark.parametrize("value", ["AB*1", "A~B", "A:B", "A^B", "X" * 16])
def test_x12_identifiers_are_never_altered(value):
    with pytest.raises(X12TextError):
        x12_id(value, 15)


# --- account numbers and rebilling ---------------------------------------------------------


def test_account_number_is_stable_and_a_later_claim_of_the_month_gets_a_suffix():
    first = drafts([day(D(2026, 10, 1))])[0].account_number
    assert first == drafts([day(D(2026, 10, 1))])[0].account_number
    assert first.startswith("2610-") and len(first) <= 14
    later = drafts([day(D(2026, 10, 9))], used_accounts={first})[0].account_number
    assert later == first + "-2"


def _claimed(days, claim_id=7, acct="2610-ABCDEF12", payer="bcx", number="ICN-7"):
    # the payer's claim number is recorded: a replacement without it is refused (issue 11)
    info = ClaimedInfo(claim_id=claim_id, batch_id=3, batch_created_at=dt.datetime(2026, 11, 2),
                       account_number=acct, frequency_code="1", format="837p", file_name="x",
                       payer_id=payer, payer_claim_number=number)
    return {(d.order_id, d.date): info for d in days}


def test_a_replacement_goes_to_the_payer_of_the_claim_it_replaces():
    old = [day(D(2026, 10, 1)), day(D(2026, 10, 2))]
    (ok,) = drafts(old, claimed=_claimed(old), rebill=True)
    assert ok.frequency_code == "7" and ok.ok, ok.problems
    # the claim went to Illinois Medicaid; the coverage now makes Blue Prairie the payer
    (moved,) = drafts(old, claimed=_claimed(old, payer="mcd"), rebill=True)
    assert any("went to Illinois Medicaid" in p and "Blue Prairie PPO" in p
               for p in moved.problems), moved.problems
    # the member id changed mid-month: the claim's days would make two replacements
    pat = patient([CoverageRead(payer_id="bcx", member_id="A1", start_date=D(2026, 1, 1),
                                end_date=D(2026, 10, 1)),
                   CoverageRead(payer_id="bcx", member_id="A2", start_date=D(2026, 10, 2))])
    split = drafts(old, pat=pat, claimed=_claimed(old), rebill=True)
    assert [d.account_number for d in split] == ["2610-ABCDEF12"] * 2
    assert all(any("now make 2 claims" in p for p in d.problems) for d in split)


def test_claimed_days_are_left_out_and_rebill_makes_a_replacement():
    old = [day(D(2026, 10, 1)), day(D(2026, 10, 2))]
    new = [day(D(2026, 10, 9))]
    out = drafts(old + new, claimed=_claimed(old))
    assert [(d.frequency_code, [x[1].day for x in d.days]) for d in out] == [("1", [9])]

    out = drafts(old + new, claimed=_claimed(old), rebill=True)
    replacement = next(d for d in out if d.frequency_code == "7")
    assert [x[1].day for x in replacement.days] == [1, 2]
    assert replacement.original_reference == "ICN-7"  # the payer's number (issue 11)
    assert replacement.account_number == "2610-ABCDEF12"
    assert replacement.replaces_claim_id == 7
    assert sorted(d.frequency_code for d in out) == ["1", "7"]


def test_rebill_replaces_the_whole_claim_even_when_the_period_covers_part_of_it():
    old = [day(D(2026, 10, 1)), day(D(2026, 10, 20))]
    out = drafts(old, claimed=_claimed(old), rebill=True, start=D(2026, 10, 15),
                 end=D(2026, 10, 31))
    (replacement,) = out
    assert [x[1].day for x in replacement.days] == [1, 20]
