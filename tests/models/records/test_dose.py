"""The dose a new MAR entry offers (models/records/dose.py): the last dose given of the order,
else the ordered dose read from the order's text, never a guess; and what the form is offered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.dose import entry_defaults, prefill_dose
from models.records.tables import InfusionRead, OrderRead

D = dt.date


def order(dose: str | None = "30 g (0.4 g/kg)", unit: str | None = "mg") -> OrderRead:
    return OrderRead(id="o-1", patient_id="p-1", prescriber_id="dr-1", per_diem_code="S9338",
                     drug_name="IVIG", dose=dose, drug_dose_unit=unit, diagnosis_codes=["D80.1"],
                     start_date=D(2026, 10, 1))


def entry(rid: str, day: D, given: str | None, status: str = "completed", voided: bool = False,
          at: dt.time | None = dt.time(9), order_id: str = "o-1") -> InfusionRead:
    return InfusionRead(id=rid, order_id=order_id, date=day, status=status, start_time=at,
                        dose_given=None if given is None else Decimal(given), voided=voided)


def test_the_last_dose_given_is_offered():
    entries = [entry("mar-1", D(2026, 10, 1), "28000"), entry("mar-2", D(2026, 10, 2), "29000"),
               entry("mar-3", D(2026, 10, 2), "27000", at=dt.time(7))]  # earlier that day
    assert prefill_dose(order(), entries) == Decimal(29000)


def test_entries_that_gave_nothing_do_not_count():
    entries = [entry("mar-1", D(2026, 10, 1), "28000"),
               entry("mar-2", D(2026, 10, 3), "1", voided=True),
               entry("mar-3", D(2026, 10, 4), None, status="held"),
               entry("mar-4", D(2026, 10, 5), "5", order_id="o-2")]  # another order's
    assert prefill_dose(order(), entries) == Decimal(28000)


def test_without_a_dose_given_the_ordered_dose_is_read_from_the_text():
    assert prefill_dose(order(), []) == Decimal(30000)  # 30 g in mg
    assert prefill_dose(order(dose="2 vials"), []) is None  # no unit: no guess
    assert prefill_dose(order(unit=None), []) is None


def test_a_new_entry_is_offered_the_orders_in_force_and_the_first_ones_prefill(example_engine):
    with unit_of_work(example_engine) as s:
        orders, chosen, (entries, nurse) = entry_defaults(s, "p-1001", D(2026, 10, 7), None,
                                                          True)
        assert [o.id for o in orders] == ["o-1"] and chosen == "o-1"
        assert entries == clinical.list_records(s, registry.INFUSION, order_id="o-1")
        assert nurse == clinical.last_nurse(s, "o-1") and nurse
        assert entry_defaults(s, "p-1001", D(2020, 1, 1), None, True) == ([], None, None)
        assert entry_defaults(s, "p-1001", D(2026, 10, 7), "o-1", False)[2] is None
