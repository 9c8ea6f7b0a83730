"""Expected revenue of billable days (the month view's column and total): what the per diem
and drug lines of those days would bring in, priced as claims price them (R32: the payer's
rate, the order's, the pharmacy's price list) and counted at the payer's expected amount where
its contract gives one. Pure: no session, no I/O.

Per day, not per claim line: R21's drug units are the day's dose over the HCPCS unit amount,
rounded up (waste lines, JW, are left out: they are billed, not expected to be paid for).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from models.billing.contracts import Price, price
from models.billing.rules import BILLABLE, BillingData, DayResult
from models.claims.drafts import drug_units

ZERO = Decimal(0)


def _worth(p: Price, units: int) -> Decimal:
    unit = p.expected if p.expected is not None else p.charge
    return (unit or ZERO) * units


def expected_by_patient(days: Iterable[DayResult], data: BillingData,
                        pharmacy: Any = None) -> dict[str, Decimal]:
    """Expected revenue of the billable days, by patient id (claimed days included: they are
    billable days already billed); patients without a billable day are left out."""
    orders = {o.id: o for o in data.orders}
    doses: dict[tuple[str, Any], Decimal] = defaultdict(lambda: ZERO)
    for e in data.infusions:
        if e.administered:
            doses[(e.order_id, e.date)] += e.dose_given or ZERO
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
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}
