"""Per diem lines of a claim by the payer's contract: runs of days (R20) or one line a month
(R31), never merging places of service (R30), each priced by R32 (the payer's rate, the
order's, the pharmacy's price list) with the payer's expected amount beside it. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from models.billing.contracts import Price, price
from models.billing.rules import DayResult
from models.claims.claim import PER_DIEM, ClaimLine, money
from models.records.tables import OrderRead, PayerRead

RUNS, MONTH = "runs", "month"  # vocab.LINE_LAYOUTS


def expected_amount(p: Price, units: int) -> Decimal | None:
    """The payer's expected amount for a line: its expected amount a unit times the units."""
    return None if p.expected is None else money(p.expected * units)


def per_diem_lines(group: list[DayResult], orders: Mapping[str, OrderRead],
                   payer: PayerRead | None = None, pharmacy: Any = None) -> list[ClaimLine]:
    """The per diem lines of one claim's days (one patient, payer and month)."""
    layout = getattr(payer, "line_layout", RUNS)
    runs: list[list[DayResult]] = []
    if layout == MONTH:
        # R31: one line per order, modifiers (and place of service and authorization: a line
        # names one of each) from its first to its last billed day of the month
        by_key: dict[tuple, list[DayResult]] = {}
        for d in sorted(group, key=lambda d: (d.order_id, d.date)):
            by_key.setdefault(_same(d), []).append(d)
        runs = list(by_key.values())
    else:
        run: list[DayResult] = []
        for d in sorted(group, key=lambda d: (d.order_id, d.date)):
            prev = run[-1] if run else None
            if prev is not None and not (
                _same(d) == _same(prev)
                and d.date == prev.date + dt.timedelta(days=1)
                and d.date.month == prev.date.month
            ):
                runs.append(run)
                run = []
            run.append(d)
        if run:
            runs.append(run)
    return [_line(run, orders[run[0].order_id], payer, pharmacy) for run in runs]


def _same(d: DayResult) -> tuple:
    """What days of one line share (R20, R30, R31): order, modifiers, place, authorization."""
    return (d.order_id, d.modifiers, d.place_of_service, d.authorization_number)


def _line(run: list[DayResult], order: OrderRead, payer: PayerRead | None,
          pharmacy: Any) -> ClaimLine:
    p = price(run[0].code, payer, order.per_diem_rate, pharmacy)
    units = len(run)
    return ClaimLine(
        kind=PER_DIEM, order_id=order.id, code=run[0].code, modifiers=run[0].modifiers,
        start=run[0].date, end=run[-1].date, units=units, unit_charge=p.charge,
        charge=money((p.charge or Decimal(0)) * units),
        authorization_number=run[0].authorization_number,
        description=f"Per diem, {order.drug_name}",
        place_of_service=run[0].place_of_service, expected=expected_amount(p, units),
    )
