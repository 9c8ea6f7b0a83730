"""Expected revenue of billable days (the month view's column and total), priced by R32 and
counted at the payer's expected amount when its contract gives one. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing.revenue import expected_by_patient
from models.billing.rules import evaluate
from models.records.tables import PharmacyRead
from tests.models.billing.test_rules import base, entry, order

PHARMACY = PharmacyRead(id=1, name="Riverbend", npi="1234567893", tax_id="371234567",
                        address_line1="400 Market St", city="Peoria", state="IL",
                        zip="616021234", prices=[{"code": "S9338", "charge": "175.00"},
                                                 {"code": "J1569", "charge": "90.00"}])
DRUG = dict(drug_hcpcs="J1569", drug_hcpcs_unit_amount=Decimal(500), drug_unit_charge=None)


def payer(**kw):
    return {"bcx": base().payers["bcx"].model_copy(update=kw)}


@pytest.mark.parametrize(("case", "changes", "expected"), [
    ("the order's per diem rate", {}, "150.00"),
    ("R32 the payer's rate", dict(payers=payer(rates=[{"code": "S9338", "rate": "160.00"}])),
     "160.00"),
    ("R32 the payer's expected amount", dict(payers=payer(rates=[
        {"code": "S9338", "rate": "160.00", "expected": "120.00"}])), "120.00"),
    ("the pharmacy's price when the order has none", dict(orders=[order(rate=None)]),
     "175.00"),
    ("a drug at the pharmacy's price: 1,200 mg is 3 units of 500 mg",
     dict(orders=[order(**DRUG)], infusions=[entry(dose_given=Decimal(1200))]), "420.00"),
    ("a day on hold brings nothing yet", dict(care_notes=[]), None),
])
def test_expected_revenue_of_a_billable_day(case, changes, expected):
    data = base(**changes)
    got = expected_by_patient(evaluate(data), data, PHARMACY).get("p-1")
    assert got == (None if expected is None else Decimal(expected))


def _visit(status: str, lines=(("99601", 1), ("99602", 2))):
    from models.billing.visits import VisitResult

    return VisitResult(patient_id="p-1", visit_id="nv-1", order_id="o-1",
                       date=dt.date(2026, 10, 7),
                       status=status, reasons=(), minutes=240, lines=tuple(lines),
                       payer_id="bcx")


@pytest.mark.parametrize(("case", "payers", "status", "expected"), [
    ("R34 the pharmacy's price: 210 + 2 x 95", None, "billable", "400.00"),
    ("R32 the payer's rate and expected amount for 99601", payer(rates=[
        {"code": "99601", "rate": "250.00", "expected": "200.00"}]), "billable", "390.00"),
    ("R34 a visit on hold brings nothing yet", None, "hold", "0.00"),
])
def test_r34_expected_revenue_of_a_billable_visit(case, payers, status, expected):
    data = base(care_notes=[])  # its days on hold: only the visit counts
    priced = PHARMACY.model_copy(update={"prices": [
        {"code": "99601", "charge": "210.00"}, {"code": "99602", "charge": "95.00"}]})
    got = expected_by_patient(evaluate(data), data, priced, [_visit(status)],
                              payers or data.payers).get("p-1", Decimal("0.00"))
    assert got == Decimal(expected), case
