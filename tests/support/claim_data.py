"""Hand-made claim inputs: a pharmacy, payers, a patient, an order and billable days, and
`drafts` that turns days into claim drafts (R19-R23) the way export does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.billing.rules import BILLABLE, BillingData, DayResult
from models.claims.claim import PER_DIEM
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
from models.validation import npi_with_check_digit

D = dt.date
GOOD_NPI = npi_with_check_digit("155841238")
BAD_NPI = GOOD_NPI[:9] + str((int(GOOD_NPI[9]) + 1) % 10)

PHARMACY = PharmacyRead(id=1, name="Riverbend Home Infusion", npi="1234567893",
                        tax_id="371234567", taxonomy="3336H0001X", address_line1="400 Market St",
                        city="Peoria", state="IL", zip="616021234", phone="3095550142")
PAYERS = {
    "bcx": PayerRead(id="bcx", name="Blue Prairie PPO", payer_id="BPP01", kind="commercial"),
    "mcd": PayerRead(id="mcd", name="Illinois Medicaid", payer_id="ILMCD", kind="medicaid"),
}
PRESCRIBERS = {"dr": PrescriberRead(id="dr", first_name="Ngozi", last_name="Okafor",
                                    npi=GOOD_NPI)}


def patient(coverages: list[CoverageRead] | None = None, **kw) -> PatientRead:
    base = dict(id="p1", first_name="Maria", last_name="Lindqvist", birth_date=D(1961, 4, 18),
                sex="F", address_line1="18 Willow Ln", city="Peoria", state="IL", zip="61604")
    base.update(kw)
    cov = coverages if coverages is not None else [
        CoverageRead(payer_id="bcx", member_id="XBP448812", start_date=D(2026, 1, 1))]
    return PatientRead(coverages=cov, **base)


def order(oid: str = "o1", **kw) -> OrderRead:
    base = dict(id=oid, patient_id="p1", prescriber_id="dr", per_diem_code="S9338",
                drug_name="Gammagard", drug_ndc="00944270005", drug_hcpcs="J1569",
                drug_hcpcs_unit_amount=Decimal(500), drug_dose_unit="mg",
                drug_unit_charge=Decimal("92.40"), diagnosis_codes=["D80.1"],
                start_date=D(2026, 9, 1), signed_date=D(2026, 9, 1),
                per_diem_rate=Decimal("150.00"))
    base.update(kw)
    return OrderRead(**base)


def day(date: dt.date, oid: str = "o1", status: str = BILLABLE, mods: tuple = (),
        auth: str | None = "PA1", payer: str = "bcx") -> DayResult:
    return DayResult(patient_id="p1", order_id=oid, date=date, code="S9338", status=status,
                     modifiers=mods, payer_id=payer, authorization_number=auth)


def infusions(days: list[DayResult], dose: str = "30000") -> list[InfusionRead]:
    return [InfusionRead(id=f"m{i}", order_id=d.order_id, date=d.date, status="completed",
                         dose_given=Decimal(dose)) for i, d in enumerate(days)]


OCT_NOV = (D(2026, 10, 1), D(2026, 11, 30))


def drafts(days, orders=None, pat=None, dose="30000", fmt="837p", start=OCT_NOV[0],
           end=OCT_NOV[1], payers=None, entries=None, pharmacy=PHARMACY, **kw):
    data = BillingData(payers=payers or PAYERS, patients={"p1": pat or patient()},
                       orders=orders or [order()],
                       infusions=entries if entries is not None else infusions(days, dose))
    return draft_claims(days, data, PRESCRIBERS, pharmacy, start=start, end=end, fmt=fmt, **kw)


def per_diem(draft):
    return [ln for ln in draft.lines if ln.kind == PER_DIEM]
