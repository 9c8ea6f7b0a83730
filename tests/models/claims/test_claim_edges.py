"""Edges of the claim builder (models/claims/, R19-R23 and the checks before export) that a
mutation run found untested: every problem and warning in its exact words, the limits of each
format at and just past the boundary, the 837P identifiers, rounding and account numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from models.billing.rules import BILLABLE, BillingData, DayResult
from models.claims import claim as claims_claim
from models.claims import drafts as claims_drafts
from models.claims import x12 as claims_x12
from models.claims.checks import check_claim
from models.claims.claim import DRUG, PER_DIEM, BatchContext, ClaimDraft, ClaimedInfo, ClaimLine
from models.claims.drafts import draft_claims
from models.records.tables import (
    CoverageRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PrescriberRead,
)

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

D = dt.date
OCT1, NOV30 = D(2026, 10, 1), D(2026, 11, 30)
PHARMACY = PharmacyRead(id=1, name="Riverbend Home Infusion", npi="1234567893",
                        tax_id="371234567", taxonomy="3336H0001X", address_line1="400 Market St",
                        city="Peoria", state="IL", zip="616021234", phone="3095550142",
                        usage_indicator="P")
PAYERS = {
    "bcx": PayerRead(id="bcx", name="Blue Prairie PPO", payer_id="BPP01", kind="commercial"),
    "mcd": PayerRead(id="mcd", name="Illinois Medicaid", payer_id="ILMCD", kind="medicaid"),
}
OKAFOR = PrescriberRead(id="dr", first_name="Ngozi", last_name="Okafor", npi="1558412387")
PRESCRIBERS = {"dr": OKAFOR}


def coverage(**kw) -> CoverageRead:
    values = dict(payer_id="bcx", member_id="XBP448812", start_date=D(2026, 1, 1))
    values.update(kw)
    return CoverageRead(**values)


def patient(*coverages: CoverageRead, **kw) -> PatientRead:
    values = dict(id="p1", first_name="Maria", last_name="Lindqvist", birth_date=D(1961, 4, 18),
                  sex="F", address_line1="18 Willow Ln", city="Peoria", state="IL", zip="61604")
    values.update(kw)
    return PatientRead(coverages=list(coverages) or [coverage()], **values)


def order(oid: str = "o1", **kw) -> OrderRead:
    values = dict(id=oid, patient_id="p1", prescriber_id="dr", per_diem_code="S9338",
                  drug_name="Gammagard", drug_ndc="00944270005", drug_hcpcs="J1569",
                  drug_hcpcs_unit_amount=Decimal(500), drug_dose_unit="mg",
                  drug_unit_charge=Decimal("92.40"), diagnosis_codes=["D80.1"],
                  start_date=D(2026, 9, 1), signed_date=D(2026, 9, 1),
                  per_diem_rate=Decimal("150.00"))
    values.update(kw)
    return OrderRead(**values)


def day(date: dt.date = OCT1, oid: str = "o1", mods: tuple = (), auth: str | None = "PA1",
        payer: str = "bcx", pid: str = "p1") -> DayResult:
    return DayResult(patient_id=pid, order_id=oid, date=date, code="S9338", status=BILLABLE,
                     modifiers=mods, payer_id=payer, authorization_number=auth)


def data_for(days, orders=None, patients=None, dose="30000") -> BillingData:
    return BillingData(
        payers=PAYERS, patients=patients or {"p1": patient()}, orders=orders or [order()],
        infusions=[InfusionRead(id=f"m{i}", order_id=d.order_id, date=d.date,
                                status="completed", dose_given=Decimal(dose))
                   for i, d in enumerate(days)])


def drafts(days=None, orders=None, pat=None, fmt="837p", pharmacy=PHARMACY,
           prescribers=PRESCRIBERS, dose="30000", start=OCT1, end=NOV30, patients=None,
           **kw) -> list[ClaimDraft]:
    days = days or [day()]
    data = data_for(days, orders, patients or {"p1": pat or patient()}, dose)
    return draft_claims(days, data, prescribers, pharmacy, start=start, end=end, fmt=fmt, **kw)


def one(**kw) -> ClaimDraft:
    (draft,) = drafts(**kw)
    return draft


LINE1, LINE2 = "Line 1 (S9338 10/01/2026)", "Line 2 (J1569 10/01/2026)"

# (case, changes to the one-day claim of 2026-10-01, its problems in full for an 837P)
PROBLEMS = [
    ("a good claim", {}, []),
    ("no pharmacy settings", dict(pharmacy=None),
     ["The pharmacy's settings (name, NPI, tax id, address) are missing: fill them in under "
      "Settings."]),
    ("pharmacy NPI check digit", dict(pharmacy=PHARMACY.model_copy(update={"npi": "1234567890"})),
     ["Claim 2610-D0E48444, 2010AA NM109: the pharmacy's NPI 1234567890: the check digit is "
      "wrong (the last digit should be 3). Fix: type the pharmacy's NPI as NPPES lists it under "
      "Settings > Pharmacy. (billing-provider-npi)"]),
    ("pharmacy NPI not beginning with 1 or 2 (issue 11)",
     dict(pharmacy=PHARMACY.model_copy(update={"npi": "9083742012"})),
     ["Claim 2610-D0E48444, 2010AA NM109: the pharmacy's NPI 9083742012: an NPI begins with 1 "
      "(a person) or 2 (an organization). Fix: type the pharmacy's NPI as NPPES lists it under "
      "Settings > Pharmacy. (billing-provider-npi)"]),
    ("pharmacy ZIP without its +4 (issue 11)",
     dict(pharmacy=PHARMACY.model_copy(update={"zip": "61602"})),
     ["Claim 2610-D0E48444, 2010AA N403: the billing provider's ZIP 61602 has 5 digits; it "
      "needs all 9 (ZIP+4). Fix: type the pharmacy's ZIP+4 under Settings > Pharmacy. "
      "(billing-provider-zip)"]),
    ("pharmacy tax id of 8 digits",
     dict(pharmacy=PHARMACY.model_copy(update={"tax_id": "37123456"})),
     ["Claim 2610-D0E48444, 2010AA REF*EI: the pharmacy's tax id 37123456 is the 9-digit "
      "employer identification number (EIN). Fix: type the pharmacy's EIN under Settings > "
      "Pharmacy. (billing-provider-tax-id)"]),
    ("pharmacy tax id with a letter",
     dict(pharmacy=PHARMACY.model_copy(update={"tax_id": "37123456X"})),
     ["Claim 2610-D0E48444, 2010AA REF*EI: the pharmacy's tax id 37123456X is the 9-digit "
      "employer identification number (EIN). Fix: type the pharmacy's EIN under Settings > "
      "Pharmacy. (billing-provider-tax-id)"]),
    ("blank member id", dict(pat=patient(coverage(member_id=" "))),
     ["The patient's Blue Prairie PPO coverage has no member id.",
      "The member id is empty (837P)."]),
    ("dependant without subscriber", dict(pat=patient(coverage(relationship="child"))),
     ["The coverage is not the patient's own but names no subscriber.",
      'The subscriber last name "None" is empty once the X12 delimiters ~ * : ^ are removed '
      "(837P).",
      'The subscriber first name "None" is empty once the X12 delimiters ~ * : ^ are removed '
      "(837P)."]),
    ("dependant with a subscriber's first name only",
     dict(pat=patient(coverage(relationship="child", subscriber_first_name="Ann"))),
     ["The coverage is not the patient's own but names no subscriber.",
      'The subscriber last name "None" is empty once the X12 delimiters ~ * : ^ are removed '
      "(837P)."]),
    ("dependant with a subscriber's last name only",
     dict(pat=patient(coverage(relationship="spouse", subscriber_last_name="Lind"))),
     ["The coverage is not the patient's own but names no subscriber.",
      'The subscriber first name "None" is empty once the X12 delimiters ~ * : ^ are removed '
      "(837P)."]),
    ("dependant with a subscriber", dict(pat=patient(coverage(
        relationship="child", subscriber_first_name="Ann", subscriber_last_name="Lind"))), []),
    ("sex not F, M or U", dict(pat=patient(sex="X")), ['The patient\'s sex "X" is not F, M or U.']),
    ("sex U", dict(pat=patient(sex="U")), []),
    ("sex M", dict(pat=patient(sex="M")), []),
    ("prescriber not on file", dict(prescribers={}),
     ["Order o1 names a prescriber that is not on file."]),
    ("prescriber NPI", dict(prescribers={"dr": OKAFOR.model_copy(update={"npi": "155841238"})}),
     ["Prescriber Okafor, Ngozi NPI 155841238: an NPI is 10 digits."]),
    ("ICD-10 code", dict(orders=[order(diagnosis_codes=["250.00"])]),
     ['Diagnosis "250.00" is not an ICD-10-CM code (letter, two characters, optional dot and '
      "1-4 more)."]),
    ("no diagnosis", dict(orders=[order(diagnosis_codes=[])]),
     ["Order o1 has no diagnosis code, so its lines point at none.",
      f"{LINE1} points at no diagnosis.", f"{LINE2} points at no diagnosis."]),
    ("HCPCS code", dict(orders=[order(drug_hcpcs="J156")]),
     ['The code of line 2 (J156 10/01/2026): "J156" is not a HCPCS code (a capital letter and '
      "four digits, e.g. S9338)."]),
    ("four modifiers", dict(days=[day(mods=("SH", "SS", "U1", "U2"))]), []),
    ("five modifiers", dict(days=[day(mods=("SH", "SS", "U1", "U2", "KX"))]),
     [f"{LINE1} has more than 4 modifiers."]),
    ("a modifier of one letter", dict(days=[day(mods=("S",))]),
     [f'{LINE1} has the modifier "S", which is not two letters or digits.']),
    ("a modifier in lower case", dict(days=[day(mods=("ss",))]),
     [f'{LINE1} has the modifier "ss", which is not two letters or digits.']),
    ("no dose given", dict(dose="0"),
     [f"{LINE2} has no units: check the dose given.",
      f"{LINE2} has a charge of zero: record the drug's unit charge on order o1, "
      "or a price for J1569 in the payer's or the pharmacy's price list (R32)."]),
    ("no per diem rate", dict(orders=[order(per_diem_rate=None)]),
     [f"{LINE1} has a charge of zero: record the order's per diem rate on order o1, "
      "or a price for S9338 in the payer's or the pharmacy's price list (R32)."]),
    ("a charge of one cent", dict(orders=[order(per_diem_rate=Decimal("0.01"),
                                                drug_hcpcs=None)]), []),
    ("NDC of 10 digits", dict(orders=[order(drug_ndc="0094427000")]),
     ['The NDC "0094427000" of line 2 (J1569 10/01/2026) is not 11 digits.']),
    ("no NDC", dict(orders=[order(drug_ndc=None)]), []),
    ("no phone for the 837P", dict(pharmacy=PHARMACY.model_copy(update={"phone": None})),
     ["The 837P needs a submitter telephone number: record the pharmacy's phone or the "
      "clearinghouse contact phone."]),
    ("the clearinghouse contact phone is enough", dict(pharmacy=PHARMACY.model_copy(
        update={"phone": None, "submitter_contact_phone": "3095550100"})), []),
]


@pytest.mark.parametrize(("case", "changes", "problems"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_every_problem_in_its_words(case, changes, problems):
    assert one(**changes).problems == problems


def test_problems_with_two_orders_name_each_once():
    bad = OKAFOR.model_copy(update={"npi": "1558412388"})
    o2 = order("o2", start_date=D(2026, 9, 2), drug_hcpcs=None)
    draft = one(days=[day(), day(oid="o2", mods=("SH",))], orders=[order(), o2],
                prescribers={"dr": bad})
    assert draft.problems == [  # one prescriber for both orders: named once
        "Prescriber Okafor, Ngozi NPI 1558412388: the check digit is wrong (the last digit "
        "should be 7)."]
    other = OKAFOR.model_copy(update={"id": "dr2", "npi": "1558412388"})
    draft = one(days=[day(), day(oid="o2", mods=("SH",))],
                orders=[order(), o2.model_copy(update={"prescriber_id": "dr2"})],
                prescribers={"dr": OKAFOR, "dr2": other})
    assert draft.problems == [
        "Prescriber Okafor, Ngozi NPI 1558412388: the check digit is wrong (the last digit "
        "should be 7)."]
    assert draft.prescriber == OKAFOR  # the claim's prescriber is the first line's
    assert draft.line_prescribers == {"o1": OKAFOR, "o2": other}


def test_r22_twelve_diagnosis_codes_fit_thirteen_do_not():
    codes = [f"E11.{i}" for i in range(7)] + [f"D80.{i}" for i in range(6)]
    assert one(orders=[order(diagnosis_codes=codes[:12])]).problems == []
    assert one(orders=[order(diagnosis_codes=codes)]).problems == [
        "The claim has 13 diagnosis codes; a claim holds at most 12 (R22): correct the orders' "
        "diagnosis codes."]


def _checked(draft: ClaimDraft, fmt: str = "837p", **changes) -> list[str]:
    """check_claim on a draft changed by hand, as no draft_claims output would be."""
    return check_claim(dataclasses.replace(draft, **changes), PHARMACY, fmt,
                       {"o1": order(), "o2": order("o2")})


def _per_diem_line(**kw) -> ClaimLine:
    values = dict(kind=PER_DIEM, order_id="o1", code="S9338", modifiers=(), start=OCT1,
                  end=D(2026, 10, 3), units=3, unit_charge=Decimal("150.00"),
                  charge=Decimal("450.00"), pointers=(1,))
    values.update(kw)
    return ClaimLine(**values)


LINE_CHECKS = [
    ("a good line", {}, []),
    ("ends before it starts", dict(start=D(2026, 10, 3), end=OCT1, units=1),
     ["Line 1 (S9338 10/03-10/01/2026) ends before it starts.",
      "Line 1 (S9338 10/03-10/01/2026) has 1 units for -1 days (R20)."]),
    ("starts in the month before", dict(start=D(2026, 9, 30), units=4),
     ["Line 1 (S9338 09/30-10/03/2026) falls outside October 2026; a line never crosses a "
      "month (R20)."]),
    ("ends in the month after", dict(start=D(2026, 10, 30), end=D(2026, 11, 1)),
     ["Line 1 (S9338 10/30-11/01/2026) falls outside October 2026; a line never crosses a "
      "month (R20)."]),
    ("on the month's last day", dict(start=D(2026, 10, 31), end=D(2026, 10, 31), units=1), []),
    ("units differ from its days", dict(units=2),
     ["Line 1 (S9338 10/01-10/03/2026) has 2 units for 3 days (R20)."]),
    ("no pointer", dict(pointers=()),
     ["Line 1 (S9338 10/01-10/03/2026) points at no diagnosis."]),
    ("a drug line's units are not its days", dict(kind=DRUG, code="J1569", units=60,
                                                  end=OCT1), []),
]


@pytest.mark.parametrize(("case", "changes", "problems"), LINE_CHECKS,
                         ids=[c[0] for c in LINE_CHECKS])
def test_line_checks_made_by_hand(case, changes, problems):
    line = _per_diem_line(**changes)
    draft = one(orders=[order(drug_hcpcs=None)])
    assert _checked(draft, lines=[line], total_charge=line.charge) == problems


def test_claim_total_checks():
    draft = one()
    assert _checked(draft, total_charge=draft.total_charge + Decimal("0.01")) == [
        "The claim total differs from the sum of its lines."]
    zero = [dataclasses.replace(ln, charge=Decimal(0)) for ln in draft.lines]
    assert _checked(draft, lines=zero, total_charge=Decimal(0))[-1] == (
        "The claim's total charge is zero.")
    assert _checked(draft, lines=zero[:1], total_charge=Decimal(0)) == [
        f"{LINE1} has a charge of zero: record the order's per diem rate on order o1, "
        "or a price for S9338 in the payer's or the pharmacy's price list (R32).",
        "The claim's total charge is zero."]


def test_837p_holds_fifty_lines_and_refuses_fifty_one():
    draft = one(orders=[order(drug_hcpcs=None)])
    fifty = [_per_diem_line(start=OCT1, end=OCT1, units=1, charge=Decimal(150))] * 50
    assert _checked(draft, lines=fifty, total_charge=Decimal(7500)) == []
    over = [*fifty, fifty[0]]
    assert _checked(draft, lines=over, total_charge=Decimal(7650)) == [
        "The claim has 51 service lines; an 837P claim holds at most 50: export this "
        "patient's month as CMS-1500 or CSV."]
    assert _checked(draft, "cms1500", lines=over, total_charge=Decimal(7650)) == []
    assert _checked(draft, "csv", lines=over, total_charge=Decimal(7650)) == []


def test_cms1500_line_charge_limit_is_six_dollar_digits():
    draft = one(fmt="cms1500", orders=[order(drug_hcpcs=None)])
    top = _per_diem_line(start=OCT1, end=OCT1, units=1, charge=Decimal("999999.99"))
    assert _checked(draft, "cms1500", lines=[top], total_charge=top.charge) == []
    over = dataclasses.replace(top, charge=Decimal("1000000.00"))
    assert _checked(draft, "cms1500", lines=[top, over],
                    total_charge=top.charge + over.charge) == [
        "Line 2 (S9338 10/01/2026) charges $1,000,000.00, more than box 24F holds "
        "($999,999.99): export this claim as 837P or CSV."]
    assert _checked(draft, "837p", lines=[over], total_charge=over.charge) == []


def test_cms1500_total_limit_is_seven_dollar_digits():
    draft = one(fmt="cms1500", orders=[order(drug_hcpcs=None)])
    lines = [_per_diem_line(start=OCT1, end=OCT1, units=1, charge=Decimal("999999.99"))] * 10
    lines.append(dataclasses.replace(lines[0], charge=Decimal("0.09")))
    assert _checked(draft, "cms1500", lines=lines, total_charge=Decimal("9999999.99")) == []
    lines[-1] = dataclasses.replace(lines[0], charge=Decimal("0.10"))
    assert _checked(draft, "cms1500", lines=lines, total_charge=Decimal("10000000.00")) == [
        "The claim total $10,000,000.00 is more than box 28 holds ($9,999,999.99): export this "
        "claim as 837P or CSV."]


# --- 837P identifiers and names --------------------------------------------------------------

# (label, how to put a value in it): every value the 837P carries from the database
IDS = {
    "submitter id": lambda v: dict(pharmacy=HOUSE.model_copy(update={"submitter_id": v})),
    "receiver id": lambda v: dict(pharmacy=HOUSE.model_copy(update={"receiver_id": v})),
    # model_copy: past the table's own limit, as a value edited in the database could be
    "member id": lambda v: dict(pat=patient(coverage().model_copy(update={"member_id": v}))),
    "payer id": lambda v: dict(payer_id=v),
    "group number": lambda v: dict(pat=patient(coverage().model_copy(
        update={"group_number": v}))),
    "authorization number": lambda v: dict(days=[day(auth=v)]),
    "original claim reference": lambda v: dict(original=v),
}
ID_LENGTHS = {"submitter id": 15, "receiver id": 15, "member id": 80, "payer id": 80,
              "group number": 50, "authorization number": 50, "original claim reference": 50}
TEXTS = {
    "submitter name": lambda v: dict(pharmacy=HOUSE.model_copy(update={"submitter_name": v})),
    "submitter contact": lambda v: dict(pharmacy=HOUSE.model_copy(
        update={"submitter_contact_name": v})),
    "receiver name": lambda v: dict(pharmacy=HOUSE.model_copy(update={"receiver_name": v})),
    "pharmacy name": lambda v: dict(pharmacy=HOUSE.model_copy(update={"name": v})),
    "pharmacy address": lambda v: dict(pharmacy=HOUSE.model_copy(update={"address_line1": v})),
    "pharmacy address line 2": lambda v: dict(pharmacy=HOUSE.model_copy(
        update={"address_line2": v})),
    "pharmacy city": lambda v: dict(pharmacy=HOUSE.model_copy(update={"city": v})),
    "patient last name": lambda v: dict(pat=patient(last_name=v)),
    "patient first name": lambda v: dict(pat=patient(first_name=v)),
    "patient address": lambda v: dict(pat=patient(address_line1=v)),
    "patient address line 2": lambda v: dict(pat=patient(address_line2=v)),
    "patient city": lambda v: dict(pat=patient(city=v)),
    "payer name": lambda v: dict(payer_name=v),
    "subscriber last name": lambda v: dict(pat=patient(coverage(
        relationship="spouse", subscriber_first_name="Ann", subscriber_last_name=v))),
    "subscriber first name": lambda v: dict(pat=patient(coverage(
        relationship="spouse", subscriber_first_name=v, subscriber_last_name="Lind"))),
    "prescriber last name": lambda v: dict(prescribers={"dr": OKAFOR.model_copy(
        update={"last_name": v})}),
    "prescriber first name": lambda v: dict(prescribers={"dr": OKAFOR.model_copy(
        update={"first_name": v})}),
}


# Every submitter and receiver value set, so each label above names one value only.
HOUSE = PHARMACY.model_copy(update=dict(
    submitter_id="SUB1", submitter_name="Riverbend Billing", submitter_contact_name="Lee Ames",
    receiver_id="CH01", receiver_name="Clearing House"))


def problems_with(changes: dict) -> list[str]:
    changes = dict(changes)
    payers = dict(PAYERS)
    if "payer_id" in changes:
        payers["bcx"] = payers["bcx"].model_copy(update={"payer_id": changes.pop("payer_id")})
    if "payer_name" in changes:
        payers["bcx"] = payers["bcx"].model_copy(update={"name": changes.pop("payer_name")})
    original = changes.pop("original", None)
    days = changes.pop("days", [day()])
    data = data_for(days, patients={"p1": changes.pop("pat", patient())})
    data.payers = payers
    kw = dict(start=OCT1, end=D(2026, 10, 31), fmt="837p")
    if original is not None:
        held = ClaimedInfo(claim_id=7, batch_id=3, batch_created_at=dt.datetime(2026, 11, 2),
                           account_number="2610-ABCDEF12", frequency_code="1", format="837p",
                           file_name="x", payer_id="bcx", payer_claim_number=original)
        kw.update(claimed={(d.order_id, d.date): held for d in days}, rebill=True)
    (draft,) = draft_claims(days, data, changes.pop("prescribers", PRESCRIBERS),
                            changes.pop("pharmacy", HOUSE), **kw)
    return [p for p in draft.problems if "payer's claim number" not in p]


@pytest.mark.parametrize("label", IDS)
def test_837p_identifiers_are_refused_with_a_delimiter_or_too_long(label):
    assert problems_with(IDS[label]("AB-12")) == []
    assert problems_with(IDS[label]("AB*12")) == [
        f'The {label} "AB*12" holds the X12 delimiter *, which cannot be removed from an '
        "identifier (837P)."]
    n = ID_LENGTHS[label]
    assert problems_with(IDS[label]("A" * n)) == []
    assert problems_with(IDS[label]("A" * (n + 1))) == [
        f'The {label} "{"A" * (n + 1)}" is longer than the {n} characters X12 allows (837P).']


@pytest.mark.parametrize("label", TEXTS)
def test_837p_names_and_addresses_are_cleaned_of_delimiters(label):
    assert problems_with(TEXTS[label]("O'Brien*Smith~")) == []
    assert problems_with(TEXTS[label]("*~^")) == [
        f'The {label} "*~^" is empty once the X12 delimiters ~ * : ^ are removed (837P).']
    assert problems_with(TEXTS[label]("李雷")) == [
        f'The {label} "李雷" has characters X12 cannot carry (837P).']


def test_the_account_number_is_an_identifier_too():
    draft = one()
    assert _checked(draft, account_number="2610*X") == [
        'The patient account number "2610*X" holds the X12 delimiter *, which cannot be '
        "removed from an identifier (837P)."]
    assert _checked(draft, account_number="A" * 38) == []
    assert _checked(draft, account_number="A" * 39) == [
        f'The patient account number "{"A" * 39}" is longer than the 38 characters X12 allows '
        "(837P)."]


def test_x12_fields_list_each_prescriber_and_authorization_once():
    o2 = order("o2", start_date=D(2026, 9, 2), drug_hcpcs=None)
    draft = one(days=[day(), day(oid="o2", mods=("SH",), auth="PA2"),
                      day(D(2026, 10, 2), auth="PA1")], orders=[order(), o2])
    labels = [(f[0], f[1]) for f in claims_x12.x12_fields(draft, PHARMACY)]
    assert labels.count(("prescriber last name", "Okafor")) == 1
    assert [v for k, v in labels if k == "authorization number"] == ["PA1", "PA2"]
    assert ("original claim reference", None) not in labels
    assert claims_x12.x12_fields(draft, PHARMACY)[:4] == [
        ("submitter id", "1234567893", 15, True),
        ("submitter name", "Riverbend Home Infusion", 60, False),
        ("submitter contact", "Riverbend Home Infusion", 60, False),
        ("receiver id", "BPP01", 15, True)]


def test_x12_text_and_id_edges():
    assert claims_x12.x12_text("  a  b ", 60) == "A B"
    assert claims_x12.x12_text("abc def", 4) == "ABC"  # cut, then the trailing space dropped
    assert claims_x12.x12_text("Zoë", 60) == "ZOE"
    assert claims_x12.x12_id(" ab-1 ", 5) == "AB-1"
    assert claims_x12.x12_id("A" * 5, 5) == "AAAAA"
    with pytest.raises(claims_x12.X12TextError,
                       match='^"A~B:C" holds the X12 delimiter : ~, which'):
        claims_x12.x12_id("A~B:C", 15)
    with pytest.raises(claims_x12.X12TextError, match="^is empty$"):
        claims_x12.x12_id(None, 15)
    with pytest.raises(claims_x12.X12TextError, match='^"AB`" has characters X12 cannot carry$'):
        claims_x12.x12_id("AB`", 15)
    with pytest.raises(claims_x12.X12TextError, match="is empty once"):
        claims_x12.x12_text(None, 60)
    with pytest.raises(claims_x12.X12TextError, match='^"a`b" has characters X12 cannot carry$'):
        claims_x12.x12_text("a`b", 60)  # plain ASCII, yet not in X12's character set


# --- warnings ------------------------------------------------------------------------------


def test_warnings_in_their_words():
    five = PHARMACY.model_copy(update={"zip": "61602"})
    # issue 11: a 5-digit billing provider ZIP is a problem now, not a warning
    assert one(pharmacy=five).warnings == []
    assert one(pharmacy=five).issue_codes == ["billing-provider-zip"]
    test = PHARMACY.model_copy(update={"usage_indicator": None})
    assert one(pharmacy=test).warnings == [
        "The 837P is marked as test data (ISA15 T): a clearinghouse does not pass it on to "
        "payers. Set the usage indicator to P in the pharmacy settings to bill for real."]
    assert one(pharmacy=test.model_copy(update={"usage_indicator": "T"})).warnings == \
        one(pharmacy=test).warnings
    assert one(pharmacy=five, fmt="cms1500").warnings == []
    assert one(pharmacy=None).warnings == []


# --- replacements --------------------------------------------------------------------------


def _claimed(days, payer="bcx", number=None):
    info = ClaimedInfo(claim_id=7, batch_id=3, batch_created_at=dt.datetime(2026, 11, 2),
                       account_number="2610-ABCDEF12", frequency_code="1", format="837p",
                       file_name="x", payer_id=payer, payer_claim_number=number)
    return {(d.order_id, d.date): info for d in days}


def test_replacement_problems_and_warnings_in_their_words():
    old = [day(), day(D(2026, 10, 2))]
    (moved,) = drafts(old, claimed=_claimed(old, payer="mcd", number="ICN-1"), rebill=True)
    assert moved.problems == [
        "Claim 2610-ABCDEF12 went to Illinois Medicaid, but its days now bill Blue Prairie PPO: "
        "a replacement must go to the payer of the claim it replaces. Void claim 2610-ABCDEF12 "
        "with Illinois Medicaid (PerDiem cannot void claims yet), or correct the coverage."]
    assert moved.warnings == []
    # a payer that is not on file any more, or none recorded: no payer to compare with
    for payer in ("gone", None):
        (kept,) = drafts(old, claimed=_claimed(old, payer=payer, number="ICN-1"), rebill=True)
        assert kept.problems == []
    pat = patient(coverage(member_id="A1", end_date=OCT1),
                  coverage(member_id="A2", start_date=D(2026, 10, 2)))
    split = drafts(old, pat=pat, claimed=_claimed(old, number="ICN-1"), rebill=True)
    assert [d.problems for d in split] == [[
        "The days of claim 2610-ABCDEF12 now make 2 claims (the payer or member id changed "
        "within the month); a replacement replaces one claim with one."]] * 2


@pytest.mark.parametrize(("fmt", "loop"), [("837p", "2300 REF*F8"), ("cms1500", "box 22"),
                                           ("csv", "2300 REF*F8")])
def test_a_replacement_without_the_payers_claim_number_is_refused(fmt, loop):
    """Issue 11: no more PerDiem's number in REF*F8 with a warning; the payer rejects it."""
    old = [day(), day(D(2026, 10, 2))]
    (draft,) = drafts(old, claimed=_claimed(old), rebill=True, fmt=fmt)
    assert draft.issue_codes == ["no-payer-claim-number"] and draft.original_reference is None
    assert draft.problems == [
        f"Claim 2610-ABCDEF12, {loop}: the payer's claim number (ICN/DCN) of the claim this "
        "replacement replaces is not recorded; the payer rejects a claim naming PerDiem's "
        "number. Fix: record it with Payer claim number... beside the claim in the Claims "
        "dialog (or in the billing calendar's day panel). (no-payer-claim-number)"]


def test_a_replacement_names_the_payers_claim_number_once_recorded():
    old = [day(), day(D(2026, 10, 2))]
    (draft,) = drafts(old, claimed=_claimed(old, number="ICN-991"), rebill=True)
    assert (draft.original_reference, draft.frequency_code, draft.account_number) == (
        "ICN-991", "7", "2610-ABCDEF12")
    assert draft.warnings == [] and draft.problems == []
    assert draft.title == ("replacement claim 2610-ABCDEF12: Lindqvist, Maria (p1), "
                           "Blue Prairie PPO, October 2026")


def test_rebill_leaves_claims_outside_the_period_alone():
    old = [day(D(2026, 9, 20))]
    assert drafts(old, claimed=_claimed(old), rebill=True) == []
    # and without rebill a claimed day in the period is left out
    assert drafts([day()], claimed=_claimed([day()])) == []


def test_two_claims_of_one_month_replaced_separately():
    first, second = [day()], [day(D(2026, 10, 9))]
    claimed = {**_claimed(first, number="ICN-1"), **{
        k: dataclasses.replace(v, claim_id=8, account_number="2610-ABCDEF12-2")
        for k, v in _claimed(second, number="ICN-2").items()}}
    out = drafts(first + second, claimed=claimed, rebill=True)
    assert [(d.replaces_claim_id, d.account_number, [x[1].day for x in d.days])
            for d in out] == [(7, "2610-ABCDEF12", [1]), (8, "2610-ABCDEF12-2", [9])]
    assert all(d.problems == [] for d in out)


# --- R19-R23 details -------------------------------------------------------------------------


def test_r19_claims_sorted_by_patient_then_month_then_payer():
    p2 = patient(id="p0", last_name="Abel")
    o9 = order("o9", patient_id="p0")
    days = [day(D(2026, 11, 3)), day(D(2026, 10, 3)), day(D(2026, 11, 4), oid="o9", pid="p0"),
            day(D(2026, 10, 20), payer="mcd")]
    pat = patient(coverage(end_date=D(2026, 10, 19)),
                  coverage(payer_id="mcd", member_id="M9", start_date=D(2026, 10, 20),
                           end_date=D(2026, 10, 31)),
                  coverage(start_date=D(2026, 11, 1)))
    out = drafts(days, orders=[order(), o9], patients={"p1": pat, "p0": p2})
    assert [(d.patient.id, d.month.month, d.payer.id) for d in out] == [
        ("p0", 11, "bcx"), ("p1", 10, "bcx"), ("p1", 10, "mcd"), ("p1", 11, "bcx")]


def test_r19_a_day_whose_payer_is_unknown_is_not_claimed():
    assert drafts([day(payer=None)]) == []
    ended = patient(coverage(end_date=D(2026, 9, 30)))
    assert drafts([day()], pat=ended) == []


def test_r19_the_claims_coverage_is_that_of_its_first_day():
    pat = patient(coverage(member_id="A1", end_date=D(2026, 10, 9)),
                  coverage(member_id="A1", group_number="G2", start_date=D(2026, 10, 10)))
    (draft,) = drafts([day(D(2026, 10, 12)), day(D(2026, 10, 3))], pat=pat)
    assert draft.coverage.group_number is None
    assert (draft.start, draft.end) == (D(2026, 10, 3), D(2026, 10, 12))


def test_r20_lines_per_order_and_a_run_breaks_at_another_order():
    o2 = order("o2", start_date=D(2026, 9, 2), drug_hcpcs=None, per_diem_rate=Decimal("80"))
    days = [day(D(2026, 10, n), oid) for n in (1, 2) for oid in ("o1", "o2")]
    (draft,) = drafts(days, orders=[order(drug_hcpcs=None), o2])
    assert [(ln.order_id, ln.start.day, ln.end.day, ln.units, ln.charge, ln.unit_charge,
             ln.description) for ln in draft.lines] == [
        ("o1", 1, 2, 2, Decimal("300.00"), Decimal("150.00"), "Per diem, Gammagard"),
        ("o2", 1, 2, 2, Decimal("160.00"), Decimal("80"), "Per diem, Gammagard")]
    assert draft.per_diem_units == 4 and draft.total_charge == Decimal("460.00")


def test_r20_r21_lines_sorted_by_date_per_diem_first():
    o2 = order("o2", start_date=D(2026, 9, 2))
    days = [day(D(2026, 10, 2), "o2"), day(D(2026, 10, 1), "o2"), day(D(2026, 10, 2))]
    (draft,) = drafts(days, orders=[order(), o2])
    assert [(ln.kind, ln.order_id, ln.start.day, ln.end.day) for ln in draft.lines] == [
        (PER_DIEM, "o2", 1, 2), (DRUG, "o2", 1, 1), (PER_DIEM, "o1", 2, 2), (DRUG, "o1", 2, 2),
        (DRUG, "o2", 2, 2)]


def test_r21_drug_line_in_full():
    o = order(drug_dose_unit="mcg", drug_unit_charge=Decimal("1.255"))
    (draft,) = drafts([day(auth="PA7")], orders=[o], dose="1250")
    drug = draft.lines[1]
    assert drug == ClaimLine(
        kind=DRUG, order_id="o1", code="J1569", modifiers=(), start=OCT1, end=OCT1, units=3,
        unit_charge=Decimal("1.255"), charge=Decimal("3.76"), pointers=(1,),
        authorization_number="PA7", ndc="00944270005", ndc_quantity=Decimal("1.25"),
        ndc_unit="ME", description="Gammagard")


def test_r21_doses_of_one_day_add_up_and_a_drug_without_charge_is_zero():
    data = data_for([day()])
    data.infusions.append(InfusionRead(id="m9", order_id="o1", date=OCT1, status="partial",
                                       dose_given=Decimal("600")))
    data.infusions.append(InfusionRead(id="m8", order_id="o1", date=OCT1, status="held",
                                       dose_given=Decimal("900")))
    (draft,) = draft_claims([day()], data, PRESCRIBERS, PHARMACY, start=OCT1,
                            end=D(2026, 10, 31))
    assert draft.lines[1].units == 62  # 30000 + 600 mg over 500 mg, rounded up; held left out
    (draft,) = drafts(orders=[order(drug_unit_charge=None, drug_ndc=None)])
    drug = draft.lines[1]
    assert (drug.charge, drug.ndc_quantity, drug.ndc_unit) == (Decimal("0.00"), None, None)


@pytest.mark.parametrize("dose, unit, quantity, ndc_unit", [
    ("250", "mg", "250", "ME"), ("1250", "mcg", "1.25", "ME"), ("2", "g", "2", "GR"),
    ("2", "gm", "2", "GR"), ("100", "ml", "100", "ML"), ("1.5", "l", "1500", "ML"),
    ("40", "iu", "40", "F2"), ("3", " MG ", "3", "ME"),
    ("1", "mcg", "0.001", "ME"), ("0.4", "mcg", "0", "ME"), ("2.0004", "mg", "2", "ME"),
    ("2.0006", "mg", "2.001", "ME"),
])
def test_r21_ndc_quantity_in_the_ndc_unit(dose, unit, quantity, ndc_unit):
    assert claims_drafts.ndc_quantity(Decimal(dose), unit) == (Decimal(quantity), ndc_unit)
    assert f"{claims_drafts.ndc_quantity(Decimal(dose), unit)[0]:f}" == quantity  # as the writers


@pytest.mark.parametrize("unit", ["unit", "units", None, "drops", "mEq"])
def test_an_ndc_quantity_is_never_a_silent_un(unit):
    """Issue 11 item 5: heparin's 5,000 units are not 5,000 each; without the drug's billing
    unit a dose unit that is no NDC unit of measure gives no quantity (refused by the checker)."""
    assert claims_drafts.ndc_quantity(Decimal(5000), unit) is None


@pytest.mark.parametrize("dose, unit, billing, package, quantity", [
    ("30000", "mg", "ML", "100", "300"),  # Gammagard 10%: 100 mg a mL
    ("1000", "mg", "UN", "1000", "1"),  # Invanz: one 1 g vial
    ("5000", "units", "ML", "1000", "5"),  # heparin 1,000 units/mL
    ("1250", "mg", "UN", "1000", "1.25"),
    ("1", "mg", "ML", "3", "0.333"),
])
def test_ndc_quantity_in_the_drugs_billing_unit(dose, unit, billing, package, quantity):
    assert claims_drafts.ndc_quantity(Decimal(dose), unit, billing, Decimal(package)) == (
        Decimal(quantity), billing)


@pytest.mark.parametrize("dose, amount, units", [
    ("1000", "500", 2), ("1001", "500", 3), ("0", "500", 0), ("0.5", "1", 1), ("499.99", "500", 1),
])
def test_r21_drug_units_round_up(dose, amount, units):
    assert claims_drafts.drug_units(Decimal(dose), Decimal(amount)) == units


def test_r22_pointers_are_first_four_of_the_lines_own_codes_without_repeats():
    o = order(diagnosis_codes=["D80.1", "D80.1", "E11.9", "B20", "Z79.2", "A41.9"])
    (draft,) = drafts(orders=[o])
    assert draft.diagnosis_codes == ["D80.1", "E11.9", "B20", "Z79.2", "A41.9"]
    assert [ln.pointers for ln in draft.lines] == [(1, 2, 3, 4)] * 2


def test_r23_one_number_for_the_claim_only_when_every_line_shares_it():
    (draft,) = drafts([day(auth=None), day(D(2026, 10, 2), auth="PA1")])
    assert draft.authorization_number is None


def test_account_numbers_are_fixed_by_patient_payer_member_and_month():
    first = claims_drafts.account_number("p1", "bcx", "XBP448812", OCT1)
    assert first == "2610-D0E48444"
    assert claims_drafts.account_number("p1", "bcx", "XBP448812", OCT1, 3) == first + "-3"
    others = {claims_drafts.account_number(*args) for args in (
        ("p2", "bcx", "XBP448812", OCT1), ("p1", "mcd", "XBP448812", OCT1),
        ("p1", "bcx", "X", OCT1), ("p1", "bcx", "XBP448812", D(2026, 11, 1)))}
    assert first not in others and len(others) == 4
    (draft,) = drafts(used_accounts={first, first + "-2"})
    assert draft.account_number == first + "-3"


def test_month_helpers():
    assert claims_claim.month_of(D(2026, 10, 31)) == OCT1
    assert [claims_claim.month_end(D(y, m, 15)) for y, m in ((2026, 2), (2028, 2), (2026, 12),
                                                       (2026, 4), (2026, 1))] == [
        D(2026, 2, 28), D(2028, 2, 29), D(2026, 12, 31), D(2026, 4, 30), D(2026, 1, 31)]
    assert claims_claim.month_end(D(2026, 1, 31)) == D(2026, 1, 31)
    assert claims_claim.money(Decimal("2.345")) == Decimal("2.34")  # half to even, as Decimal does
    assert claims_claim.money(Decimal("2.355")) == Decimal("2.36")


def test_claimed_info_label_and_claim_title():
    info = _claimed([day()])[("o1", OCT1)]
    assert info.label == "claimed in batch 3 on 2026-11-02"
    assert one().title == ("claim 2610-D0E48444: Lindqvist, Maria (p1), Blue Prairie PPO, "
                           "October 2026")


# --- submitter, receiver and interchanges ----------------------------------------------------


def test_submitter_and_receiver_fall_back_to_the_pharmacy_and_the_payer():
    payer = PAYERS["bcx"]
    assert claims_x12.submitter(PHARMACY) == ("ZZ", "1234567893", "Riverbend Home Infusion")
    assert claims_x12.receiver(PHARMACY, payer) == ("ZZ", "BPP01", "Blue Prairie PPO")
    house = PHARMACY.model_copy(update=dict(
        submitter_id="SUB1", submitter_id_qualifier="30", submitter_name="Riverbend Billing",
        receiver_id="CH01", receiver_id_qualifier="01", receiver_name="Clearing House"))
    assert claims_x12.submitter(house) == ("30", "SUB1", "Riverbend Billing")
    assert claims_x12.receiver(house, payer) == ("01", "CH01", "Clearing House")
    bare = PHARMACY.model_copy(update=dict(receiver_id="CH01"))
    assert claims_x12.receiver(bare, payer) == ("ZZ", "CH01", "CH01")


def test_interchanges_one_per_receiver():
    bcx = one()
    mcd = dataclasses.replace(bcx, payer=PAYERS["mcd"])
    twin = dataclasses.replace(bcx, payer=PAYERS["bcx"].model_copy(
        update={"id": "bcx2", "name": "Blue Prairie HMO"}))
    out = claims_x12.interchanges([bcx, mcd, twin], PHARMACY)
    assert [(rec, [d.payer.id for d in group]) for rec, group in out] == [
        (("ZZ", "BPP01", "Blue Prairie PPO"), ["bcx", "bcx2"]),
        (("ZZ", "ILMCD", "Illinois Medicaid"), ["mcd"])]
    house = PHARMACY.model_copy(update={"receiver_id": "CH01"})
    assert [(rec, len(group)) for rec, group in claims_x12.interchanges([bcx, mcd], house)] == [
        (("ZZ", "CH01", "CH01"), 2)]


def test_batch_context_usage_defaults_to_test():
    created = dt.datetime(2026, 11, 27)
    assert BatchContext(pharmacy=PHARMACY, created_at=created).usage == "P"
    test = PHARMACY.model_copy(update={"usage_indicator": None})
    assert BatchContext(pharmacy=test, created_at=created).usage == "T"


# --- the period, the order of days and the format ------------------------------------------


def test_r19_a_period_includes_its_first_and_last_day():
    days = [day(D(2026, 10, n)) for n in (9, 10, 20, 21)]
    (draft,) = drafts(days, start=D(2026, 10, 10), end=D(2026, 10, 20))
    assert [x[1].day for x in draft.days] == [10, 20]


def test_r19_days_left_out_do_not_stop_the_days_after_them():
    """Days come in any order: one outside the period, one claimed and one without a payer
    before the billable day must each be skipped, not end the claim."""
    claimed_day, outside, no_payer = day(D(2026, 10, 2)), day(D(2026, 9, 5)), day(
        D(2026, 10, 3), payer=None)
    (draft,) = drafts([outside, claimed_day, no_payer, day(D(2026, 10, 4))],
                      claimed=_claimed([claimed_day]))
    assert draft.days == [("o1", D(2026, 10, 4))]


def test_rebill_replaces_claims_with_a_day_on_the_period_first_or_last_day():
    for n in (10, 20):
        old = [day(D(2026, 10, n)), day(D(2026, 10, 25))]
        (draft,) = drafts(old, claimed=_claimed(old), rebill=True, start=D(2026, 10, 10),
                          end=D(2026, 10, 20))
        assert draft.replaces_claim_id == 7 and len(draft.days) == 2, n
    old = [day(D(2026, 10, 9)), day(D(2026, 10, 21))]
    assert drafts(old, claimed=_claimed(old), rebill=True, start=D(2026, 10, 10),
                  end=D(2026, 10, 20)) == []


def test_a_split_replacement_is_ordered_by_member_id_whatever_the_order_of_days():
    old = [day(D(2026, 10, 2)), day()]
    pat = patient(coverage(member_id="A1", end_date=OCT1),
                  coverage(member_id="A2", start_date=D(2026, 10, 2)))
    split = drafts(old, pat=pat, claimed=_claimed(old), rebill=True)
    assert [d.coverage.member_id for d in split] == ["A1", "A2"]


def test_a_claims_days_are_sorted_by_date_then_order():
    o2 = order("o0", start_date=D(2026, 9, 2), drug_hcpcs=None)
    days = [day(D(2026, 10, 2), "o0"), day(D(2026, 10, 2)), day(D(2026, 10, 1))]
    (draft,) = drafts(days, orders=[order(), o2])
    assert draft.days == [("o1", OCT1), ("o0", D(2026, 10, 2)), ("o1", D(2026, 10, 2))]


def test_a_claims_days_of_one_date_are_in_order_id_order_whatever_the_set_order():
    """Five orders on one date: a sort on the date alone would keep the set's (hash) order,
    right by chance once in 120 runs."""
    ids = ["o4", "o1", "o3", "o0", "o2"]
    orders = [order(oid, drug_hcpcs=None) for oid in ids]
    (draft,) = drafts([day(OCT1, oid) for oid in ids], orders=orders)
    assert draft.days == [(oid, OCT1) for oid in sorted(ids)]


def test_draft_claims_checks_an_837p_unless_told_otherwise():
    data = data_for([day()])
    bare = PHARMACY.model_copy(update={"phone": None})
    (draft,) = draft_claims([day()], data, PRESCRIBERS, bare, start=OCT1, end=OCT1)
    assert draft.problems == [
        "The 837P needs a submitter telephone number: record the pharmacy's phone or the "
        "clearinghouse contact phone."]
    (draft,) = draft_claims([day()], data, PRESCRIBERS, bare, start=OCT1, end=OCT1, fmt="csv")
    assert draft.problems == []


def test_an_empty_member_id_is_missing():
    assert one(pat=patient(coverage(member_id="")), fmt="csv").problems == [
        "The patient's Blue Prairie PPO coverage has no member id."]


def test_x12_fields_give_every_value_with_its_x12_length():
    """The maximum lengths are X12's own (NM103 60, NM104 35, N301 55, N401 30, ...)."""
    pat = patient(coverage(group_number="G7", relationship="child", subscriber_first_name="Ann",
                           subscriber_last_name="Lind"), address_line2="Apt 2")
    old = [day()]
    (draft,) = drafts(old, pat=pat, pharmacy=HOUSE.model_copy(update={"address_line2": "Ste 5"}),
                      claimed=_claimed(old, number="ICN-1"), rebill=True)
    assert claims_x12.x12_fields(draft, HOUSE.model_copy(update={"address_line2": "Ste 5"})) == [
        ("submitter id", "SUB1", 15, True),
        ("submitter name", "Riverbend Billing", 60, False),
        ("submitter contact", "Lee Ames", 60, False),
        ("receiver id", "CH01", 15, True),
        ("receiver name", "Clearing House", 60, False),
        ("pharmacy name", "Riverbend Home Infusion", 60, False),
        ("pharmacy address", "400 Market St", 55, False),
        ("pharmacy city", "Peoria", 30, False),
        ("patient last name", "Lindqvist", 60, False),
        ("patient first name", "Maria", 35, False),
        ("patient address", "18 Willow Ln", 55, False),
        ("patient city", "Peoria", 30, False),
        ("member id", "XBP448812", 80, True),
        ("payer name", "Blue Prairie PPO", 60, False),
        ("payer id", "BPP01", 80, True),
        ("patient account number", "2610-ABCDEF12", 38, True),
        ("pharmacy address line 2", "Ste 5", 55, False),
        ("patient address line 2", "Apt 2", 55, False),
        ("group number", "G7", 50, True),
        ("subscriber last name", "Lind", 60, False),
        ("subscriber first name", "Ann", 35, False),
        ("prescriber last name", "Okafor", 60, False),
        ("prescriber first name", "Ngozi", 35, False),
        ("authorization number", "PA1", 50, True),
        ("original claim reference", "ICN-1", 50, True),
    ]


def test_r21_an_order_without_a_drug_code_does_not_stop_the_next_days_drug_line():
    plain = order("o0", start_date=D(2026, 9, 2), drug_hcpcs=None)
    (draft,) = drafts([day(oid="o0"), day()], orders=[plain, order()])
    assert [(ln.kind, ln.order_id) for ln in draft.lines] == [
        (PER_DIEM, "o0"), (PER_DIEM, "o1"), (DRUG, "o1")]


def test_a_claim_without_lines_is_refused_for_its_zero_total():
    draft = one()
    assert _checked(draft, lines=[], total_charge=Decimal(0)) == [
        "The claim's total charge is zero."]
