"""R34 on claims: a billable nursing visit's lines (99601, and 99602 with its units) go on the
claim of its billed payer and month, priced by `models.billing.visits.visit_price`; which
visits a claim already bills (`claim_visit`, like claim_day for service days).

`VisitBilling` is what models/claims/drafts.py takes besides the days; `visit_lines` is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models.billing.rules import BILLABLE
from models.billing.visit_data import load_visit_data
from models.billing.visits import VisitResult, evaluate_visits, visit_price
from models.claims.claim import VISIT, ClaimedInfo, ClaimLine, money
from models.claims.held_days import held_in_force
from models.claims.layout import expected_amount
from models.records.tables import (
    ClaimVisit,
    NursingVisitRead,
    Order,
    OrderRead,
    PatientRead,
)


@dataclass
class VisitBilling:
    """The billable visits a claims run may bill, with their records, the claims already
    holding some of them, and the orders they serve (for R22's diagnosis pointers)."""

    results: list[VisitResult] = field(default_factory=list)
    records: dict[str, NursingVisitRead] = field(default_factory=dict)
    claimed: dict[str, ClaimedInfo] = field(default_factory=dict)
    orders: dict[str, OrderRead] = field(default_factory=dict)
    patients: dict[str, PatientRead] = field(default_factory=dict)


def visit_lines(results: Iterable[VisitResult], records: Mapping[str, NursingVisitRead],
                payer: Any, pharmacy: Any) -> list[ClaimLine]:
    """R34: each visit's codes as lines of its date, priced per unit (R32's rate or the
    pharmacy's price; a zero charge is refused by the claim checks)."""
    out = []
    for r in results:
        visit = records[r.visit_id]
        span = (f"{visit.start_time:%H:%M}-{visit.end_time:%H:%M}"
                if visit.start_time and visit.end_time else "")
        for code, units in r.lines:
            p = visit_price(code, payer, pharmacy)
            out.append(ClaimLine(
                kind=VISIT, order_id=r.order_id, code=code, modifiers=(), start=r.date,
                end=r.date, units=units, unit_charge=p.charge,
                charge=money((p.charge or Decimal(0)) * units),
                expected=expected_amount(p, units),
                authorization_number=r.authorization_number,
                description=f"Nursing visit {span} ({r.visit_id})".replace("  ", " ")))
    return out


def claimed_visits(session: Session, patient_id: str | None = None) -> dict[str, ClaimedInfo]:
    """The visits a claim in force bills: visit id -> the claim and batch (a replaced claim's
    and a void's visits are free again, as for days in batches.claimed_days)."""
    cv = ClaimVisit.__table__
    return {key[0]: info for key, info in held_in_force(session, cv, (cv.c.visit_id,),
                                                         patient_id)}


def visit_billing(session: Session, start: dt.date, end: dt.date, today: dt.date,
                  patient_id: str | None = None) -> VisitBilling:
    """The visits of [start, end] with their R34 results (none after `today`: R24)."""
    data = load_visit_data(session, start, end, patient_id)
    if not data.visits:
        return VisitBilling()
    results = [r for r in evaluate_visits(data.visits, data.patients, data.payers,
                                          data.authorizations, start=start, end=end)
               if r.status == BILLABLE and r.date <= today]
    records = {v.id: v for v in data.visits}
    wanted = sorted({r.order_id for r in results})
    orders = {o.id: OrderRead.model_validate(o) for o in session.execute(
        select(Order).where(col(Order.id).in_(wanted))).scalars()}
    return VisitBilling(results, records, claimed_visits(session, patient_id), orders,
                        data.patients)
