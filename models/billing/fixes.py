"""Which saved record fixes a billing reason on a day: the entry R11 found incomplete, the
authorization R13 ran out of; otherwise a new record of the reason's kind fixes it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from models.billing import rules
from models.billing.rules import DayResult
from models.records import registry
from models.records.clinical import list_records
from models.records.reference import list_authorizations


def incomplete_entry(session: Session, order_id: str, day: dt.date) -> str | None:
    """The administered infusion entry of that order and day missing a field R11 asks for:
    fixing "incomplete MAR" means completing that entry, not adding another."""
    for e in list_records(session, registry.INFUSION, order_id=order_id):
        # the rules' own completeness test, so the form opened is the entry R11 flagged
        if e.date == day and e.administered and not rules.mar_complete(e):
            return e.id
    return None


def exhausted_authorization(session: Session, day: DayResult) -> str | None:
    """The covering authorization for the day's payer and code that started last (R13): more
    units go on the authorization that ran out, not on a new one."""
    covering = [a for a in list_authorizations(session, day.patient_id)
                if a.payer_id == day.payer_id and a.code == day.code and a.covers(day.date)]
    return covering[-1].id if covering else None


def record_to_fix(session: Session, reason_code: str, day: DayResult) -> str | None:
    """The id of the saved record whose form fixes `reason_code` on `day`, or None when a new
    record fixes it (the order of R2 and R7 is the day's own order)."""
    kind = rules.REASONS[reason_code].fixed_in
    if kind == registry.ORDER.key:
        return day.order_id
    if reason_code == "incomplete-mar":
        return incomplete_entry(session, day.order_id, day.date)
    if reason_code == "authorization-exhausted":
        return exhausted_authorization(session, day)
    return None
