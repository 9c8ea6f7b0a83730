"""Compound orders (issue 15 part 3): each listed component of an order is its own line under
R21, per billed day or per bag, joined over consecutive days like R20; R22's pointers and R23's
authorization number go with it, and the checks before export name a component's problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.claims.claim import COMPONENT, DRUG, PER_DIEM
from models.claims.clearing import draft_issues
from models.records.components import Component, order_components
from models.records.tables import InfusionRead
from tests.support.claim_data import PHARMACY, day, drafts, order

D = dt.date
AMINO = Component(kind="nutrient", name="Amino acids and dextrose", hcpcs="B4197", per="bag",
                  quantity=Decimal(1), unit_charge=Decimal("318.00"))
LIPIDS = Component(kind="nutrient", name="Lipids 20% 250 mL", hcpcs="B4185", per="day",
                   quantity=Decimal(5), unit_charge=Decimal("11.40"), ndc="00338051909",
                   ndc_unit="ML", ndc_quantity=Decimal(250))


def tpn(**kw):
    base = dict(per_diem_code="S9366", drug_name="TPN 1,800 mL", drug_ndc=None, drug_hcpcs=None,
                drug_hcpcs_unit_amount=None, drug_unit_charge=None, drug_dose_unit="mL",
                per_diem_rate=Decimal("210.00"), components=[AMINO, LIPIDS])
    base.update(kw)
    return order(**base)


def bags(days, per_day=1):
    return [InfusionRead(id=f"m{i}-{n}", order_id=d.order_id, date=d.date, status="completed",
                         dose_given=Decimal(1800))
            for i, d in enumerate(days) for n in range(per_day)]


def component_lines(claim):
    return [(ln.code, ln.start, ln.end, ln.units, ln.charge) for ln in claim.lines
            if ln.kind == COMPONENT]


def test_r21_a_tpn_claim_has_a_line_per_component_over_its_run_of_days():
    days = [day(D(2026, 10, n)) for n in (1, 2, 3, 5)]
    (claim,) = drafts(days, orders=[tpn()], entries=bags(days))
    assert claim.ok, claim.problems
    assert [(ln.kind, ln.code, ln.start, ln.end, ln.units) for ln in claim.lines] == [
        (PER_DIEM, "S9338", D(2026, 10, 1), D(2026, 10, 3), 3),
        (COMPONENT, "B4197", D(2026, 10, 1), D(2026, 10, 3), 3),
        (COMPONENT, "B4185", D(2026, 10, 1), D(2026, 10, 3), 15),
        (PER_DIEM, "S9338", D(2026, 10, 5), D(2026, 10, 5), 1),
        (COMPONENT, "B4197", D(2026, 10, 5), D(2026, 10, 5), 1),
        (COMPONENT, "B4185", D(2026, 10, 5), D(2026, 10, 5), 5)]
    lipids = claim.lines[2]
    assert lipids.charge == Decimal("171.00") and lipids.unit_charge == Decimal("11.40")
    assert (lipids.ndc, lipids.ndc_quantity, lipids.ndc_unit) == ("00338051909", 750, "ML")
    assert claim.lines[1].ndc is None and claim.lines[1].ndc_quantity is None
    assert claim.total_charge == 4 * Decimal("210.00") + 4 * Decimal("318.00") + 20 * Decimal(
        "11.40")


def test_r21_per_bag_counts_the_bags_hung_that_day_and_splits_the_run_when_they_change():
    days = [day(D(2026, 10, n)) for n in (1, 2, 3)]
    entries = bags(days[:2], per_day=2) + bags(days[2:], per_day=1)
    (claim,) = drafts(days, orders=[tpn(components=[AMINO])], entries=entries)
    assert component_lines(claim) == [
        ("B4197", D(2026, 10, 1), D(2026, 10, 2), 4, Decimal("1272.00")),
        ("B4197", D(2026, 10, 3), D(2026, 10, 3), 1, Decimal("318.00"))]


@pytest.mark.parametrize(("quantity", "per", "bags_a_day", "units_a_day"), [
    ("2.5", "day", 1, 3),  # rounded up to whole units each day, as R21 rounds a dose
    ("2.5", "bag", 2, 5),
    ("0.3", "bag", 3, 1),  # 0.9 rounds up to 1
    ("1", "day", 3, 1),  # per day: the bags do not count
])
def test_r21_units_a_day_are_the_quantity_rounded_up(quantity, per, bags_a_day, units_a_day):
    c = Component(name="x", hcpcs="B4216", per=per, quantity=Decimal(quantity),
                  unit_charge=Decimal("2.00"))
    days = [day(D(2026, 10, 1)), day(D(2026, 10, 2))]
    (claim,) = drafts(days, orders=[tpn(components=[c])], entries=bags(days, bags_a_day))
    assert component_lines(claim) == [("B4216", D(2026, 10, 1), D(2026, 10, 2),
                                       2 * units_a_day, Decimal("4.00") * units_a_day)]


def test_r21_a_component_line_never_crosses_a_month_nor_an_authorization_r23():
    days = [day(D(2026, 10, 30)), day(D(2026, 10, 31), auth="PA2"), day(D(2026, 11, 1),
                                                                        auth="PA2")]
    october, november = drafts(days, orders=[tpn(components=[AMINO])], entries=bags(days))
    assert [(ln.start, ln.end, ln.authorization_number) for ln in october.lines
            if ln.kind == COMPONENT] == [(D(2026, 10, 30), D(2026, 10, 30), "PA1"),
                                         (D(2026, 10, 31), D(2026, 10, 31), "PA2")]
    assert october.authorization_number is None  # two numbers: each line carries its own
    assert [(ln.start, ln.end) for ln in november.lines if ln.kind == COMPONENT] == [
        (D(2026, 11, 1), D(2026, 11, 1))]
    assert november.authorization_number == "PA2"  # R23: one number, given once


def test_r22_component_lines_point_at_their_own_orders_diagnoses():
    days = [day(D(2026, 10, 1)), day(D(2026, 10, 1), oid="o2")]
    orders = [order(diagnosis_codes=["D80.1"]),
              tpn(oid="o2", diagnosis_codes=["K91.2", "E43"], components=[LIPIDS])]
    (claim,) = drafts(days, orders=orders, entries=bags(days))
    assert claim.diagnosis_codes == ["D80.1", "K91.2", "E43"]
    lipids = next(ln for ln in claim.lines if ln.kind == COMPONENT)
    assert lipids.order_id == "o2" and lipids.pointers == (2, 3)


def test_the_drug_stays_the_first_component_and_bills_by_the_dose_as_before():
    """A single-drug order is one component (its drug, R21 by the dose given); listing more
    adds lines and changes none of the drug's or the per diem's."""
    single = order()
    assert [(c.hcpcs, c.per) for c in order_components(single)] == [("J1569", "dose")]
    days = [day(D(2026, 10, 1)), day(D(2026, 10, 2))]
    (before,) = drafts(days, orders=[single])
    compound = order(components=[LIPIDS])
    assert [c.hcpcs for c in order_components(compound)] == ["J1569", "B4185"]
    (after,) = drafts(days, orders=[compound])
    assert [ln for ln in after.lines if ln.kind != COMPONENT] == before.lines
    assert [ln.kind for ln in after.lines] == [PER_DIEM, DRUG, COMPONENT, DRUG]
    assert after.total_charge == before.total_charge + 2 * 5 * Decimal("11.40")


def test_a_component_without_unit_charge_refuses_the_claim_naming_it():
    free = Component(name="Heparin additive", hcpcs="B4216", quantity=Decimal(1))
    days = [day(D(2026, 10, 1))]
    (claim,) = drafts(days, orders=[tpn(components=[free])], entries=bags(days))
    assert ("Line 2 (B4216 10/01/2026) has a charge of zero: record the unit charge of the "
            "component Heparin additive on order o1, or a price for B4216 in the payer's or the "
            "pharmacy's price list (R32).") in claim.problems


def test_a_per_bag_component_on_a_day_without_a_bag_makes_no_line():
    """A billable day needs an administered entry (R1), so a per-bag component always has a
    bag; this guards the arithmetic: no bag, no units, no line of zero units."""
    days = [day(D(2026, 10, 1))]
    (claim,) = drafts(days, orders=[tpn(components=[AMINO])], entries=[])
    assert component_lines(claim) == []


def test_the_claim_checker_names_a_components_ndc_without_its_quantity():
    """Saved components always carry both (the order's check); a claim made from older or
    hand-made data is still refused by the checker rather than sent with a guessed unit."""
    half = LIPIDS.model_copy(update={"ndc_unit": None, "ndc_quantity": None})
    days = [day(D(2026, 10, 1))]
    (claim,) = drafts(days, orders=[tpn(components=[half])], entries=bags(days))
    issues = draft_issues(claim, PHARMACY, "837p", {"o1": tpn(components=[half])})
    (issue,) = [i for i in issues if i.code == "ndc-unit"]
    assert issue.loop == "2410 CTP05"
    assert "the component Lipids 20% 250 mL (B4185) of order o1 has the NDC 00338051909" in (
        issue.problem)
    assert "ndc-unit" in claim.issue_codes and not claim.ok


def test_r32_r30_a_component_takes_the_payers_rate_and_its_days_place_of_service():
    """R32 on component lines: the payer's rate for the component's code wins over the
    component's unit charge (the expected amount kept beside the line); R30: a run of component
    days never joins a place 12 day to a place 49 day."""
    from dataclasses import replace

    from tests.support.claim_data import PAYERS

    payers = {**PAYERS, "bcx": PAYERS["bcx"].model_copy(update={
        "suite_place_of_service": "49",
        "rates": [{"code": "B4197", "rate": "300.00", "expected": "280.00"}]})}
    days = [replace(day(D(2026, 10, n)), place_of_service="49" if n == 3 else "12")
            for n in (1, 2, 3)]
    (claim,) = drafts(days, orders=[tpn()], entries=bags(days), payers=payers)
    amino = [(ln.start.day, ln.end.day, ln.place_of_service, ln.unit_charge, ln.expected)
             for ln in claim.lines if ln.code == "B4197"]
    assert amino == [(1, 2, "12", Decimal("300.00"), Decimal("560.00")),
                     (3, 3, "49", Decimal("300.00"), Decimal("280.00"))]
    lipids = [(ln.start.day, ln.end.day, ln.unit_charge) for ln in claim.lines
              if ln.code == "B4185"]
    assert lipids == [(1, 2, Decimal("11.40")), (3, 3, Decimal("11.40"))]  # its own charge
