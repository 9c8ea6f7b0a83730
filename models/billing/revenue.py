"""Expected revenue of a month's billable work (the month view's column and total): what the
per diem, drug and component lines of its billable days and the lines of its billable
nursing visits would bring in, priced as claims price them (R32: the payer's rate, the
order's or the component's charge, the pharmacy's price list; visits by R34's `visit_price`)
and counted at the payer's expected amount where its contract gives one. Pure: no session,
no I/O.

Per day, not per claim line: R21's drug units are the day's dose over the HCPCS unit amount,
rounded up (waste lines, JW, are left out: they are billed, not expected to be paid for); a
component's units are `component_lines.day_units` of the day (its quantity a day, or a bag
times the bags hung), which is what its claim lines sum; a visit's are R34's 99601 and 99602
units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from models.billing.contracts import Price, price
from models.billing.rules import BILLABLE, BillingData, DayResult
from models.billing.visits import VisitResult, visit_price
from models.claims.component_lines import day_units
from models.claims.drafts import drug_units
from models.records.components import Component

ZERO = Decimal(0)


def _worth(p: Price, units: int) -> Decimal:
    unit = p.expected if p.expected is not None else p.charge
    return (unit or ZERO) * units


def expected_by_patient(days: Iterable[DayResult], data: BillingData, pharmacy: Any = None,
                        visits: Iterable[VisitResult] = (),
                        visit_payers: Mapping[str, Any] | None = None) -> dict[str, Decimal]:
    """Expected revenue of the billable days and billable nursing `visits`, by patient id
    (claimed ones included: they are billable work already billed); patients with neither
    are left out. `visit_payers`: the visits' payers by id (default: the days' payers)."""
    orders = {o.id: o for o in data.orders}
    doses: dict[tuple[str, Any], Decimal] = defaultdict(lambda: ZERO)
    bags: dict[tuple[str, Any], int] = defaultdict(int)
    for e in data.infusions:
        if e.administered:
            doses[(e.order_id, e.date)] += e.dose_given or ZERO
            bags[(e.order_id, e.date)] += 1
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for d in days:
        if d.status != BILLABLE:
            continue
        order, payer = orders[d.order_id], data.payers.get(d.payer_id or "")
        out[d.patient_id] += _worth(price(d.code, payer, order.per_diem_rate, pharmacy), 1)
        dose = doses.get((d.order_id, d.date))
        if dose and order.drug_hcpcs and order.drug_hcpcs_unit_amount:
            units = drug_units(dose, order.drug_hcpcs_unit_amount)
            out[d.patient_id] += _worth(
                price(order.drug_hcpcs, payer, order.drug_unit_charge, pharmacy), units)
        for raw in order.components:  # R21: a compound order's listed components
            c = raw if isinstance(raw, Component) else Component.model_validate(raw)
            units = day_units(c, bags.get((d.order_id, d.date), 0))
            if units > 0:
                out[d.patient_id] += _worth(price(c.hcpcs, payer, c.unit_charge, pharmacy),
                                            units)
    for v in visits:  # R34
        if v.status != BILLABLE:
            continue
        payer = (visit_payers or data.payers).get(v.payer_id or "")
        for code, units in v.lines:
            out[v.patient_id] += _worth(visit_price(code, payer, pharmacy), units)
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}
