"""R21 for compound orders (issue 15, part 3): the lines of an order's listed components.

Pure, like models/claims/drafts.py, which calls it for every claim. Each component the order
lists (models/records/components.py; the order's drug keeps its own dose-based line, R21 as in
Part 1) becomes its own line: on every billed day of the order, its quantity per day, or its
quantity per bag times the bags hung that day (the day's administered MAR entries), rounded up
to whole HCPCS units. Consecutive billed days with the same units a day and the same
authorization number make one line from the first to the last day, units summed, as R20 joins
per diem days: a month of TPN is a handful of lines, not one per component and day (an 837P
claim holds 50 lines). The group is one claim's month, so no line crosses a month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal

from models.billing.contracts import price
from models.billing.rules import DayResult
from models.claims.claim import COMPONENT, ClaimLine, money
from models.claims.layout import expected_amount
from models.records.components import Component
from models.records.tables import OrderRead, PayerRead, PharmacyRead


def day_units(component: Component, bags: int) -> int:
    """R21: a component's whole HCPCS units on one billed day, rounded up."""
    count = 1 if component.per == "day" else bags
    quantity = (component.quantity or Decimal(0)) * count
    return int(quantity.to_integral_value(rounding=ROUND_CEILING))


def component_lines(group: list[DayResult], orders: Mapping[str, OrderRead],
                    entries: Mapping[tuple[str, dt.date], list], payer: PayerRead | None = None,
                    pharmacy: PharmacyRead | None = None) -> list[ClaimLine]:
    """The lines of the listed components of the group's billed days (one claim's month),
    priced by R32 (the payer's rate, the component's unit charge, the pharmacy's price)."""
    lines: list[ClaimLine] = []
    by_order: dict[str, list[DayResult]] = {}
    for d in sorted(group, key=lambda d: (d.order_id, d.date)):
        by_order.setdefault(d.order_id, []).append(d)
    for order_id, days in by_order.items():
        order = orders[order_id]
        for raw in order.components:
            c = raw if isinstance(raw, Component) else Component.model_validate(raw)
            run: list[tuple[DayResult, int, int]] = []  # (day, units, bags)
            for d in days:
                bags = len(entries.get((d.order_id, d.date), ()))
                units = day_units(c, bags)
                if units <= 0:
                    continue
                if run and not (d.date == run[-1][0].date + dt.timedelta(days=1)
                                and units == run[-1][1]
                                and d.authorization_number == run[-1][0].authorization_number
                                and d.place_of_service == run[-1][0].place_of_service):  # R30
                    lines.append(_line(order, c, run, payer, pharmacy))
                    run = []
                run.append((d, units, bags))
            if run:
                lines.append(_line(order, c, run, payer, pharmacy))
    return lines


def _line(order: OrderRead, c: Component, run: list[tuple[DayResult, int, int]],
          payer: PayerRead | None, pharmacy: PharmacyRead | None) -> ClaimLine:
    units = sum(u for _, u, _ in run)
    p = price(c.hcpcs, payer, c.unit_charge, pharmacy)  # R32
    ndc_qty = None
    if c.ndc and c.ndc_quantity is not None:
        count = sum(1 if c.per == "day" else bags for _, _, bags in run)
        ndc_qty = (c.ndc_quantity * count).quantize(Decimal("0.001")).normalize()
    return ClaimLine(
        kind=COMPONENT, order_id=order.id, code=c.hcpcs, modifiers=(), start=run[0][0].date,
        end=run[-1][0].date, units=units, unit_charge=p.charge,
        charge=money((p.charge or Decimal(0)) * units),
        place_of_service=run[0][0].place_of_service, expected=expected_amount(p, units),
        authorization_number=run[0][0].authorization_number, ndc=c.ndc,
        ndc_quantity=ndc_qty, ndc_unit=c.ndc_unit if ndc_qty is not None else None,
        description=c.name)
