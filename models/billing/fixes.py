"""Which saved record fixes a billing reason on a day: the entry R11 found incomplete, the
authorization R13 ran out of; otherwise a new record of the reason's kind fixes it, and the
saved record of that kind nearest the day is named (`involved_record`) so it can be opened
instead (a delivery typed with the wrong year is corrected, not duplicated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Involved:
    """The saved record a reason is about, though it does not satisfy the rule: the note whose
    beyond-use date passed, the delivery typed with the wrong year. Opening it may be the
    fix, where adding another record would make a duplicate."""

    kind: str  # registry key
    record_id: str
    text: str  # "Delivery d-3 of 11/20/2025"


def _us(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _nearest(records: list, day: dt.date, date: Callable[[Any], dt.date]) -> Any:
    """The latest record dated on or before `day`, else the first after it."""
    before = [r for r in records if date(r) <= day]
    if before:
        return max(before, key=lambda r: (date(r), r.id))
    return min(records, key=lambda r: (date(r), r.id), default=None)


def involved_record(session: Session, reason_code: str, day: DayResult) -> Involved | None:
    """The saved record of the reason's kind nearest the day (R1 the day's own entries not
    given, R5 the patient's authorizations for that payer and code, R8-R10 the order's plans,
    notes and deliveries, R12 the patient's care notes), or None when there is none or the
    fix already opens a saved record (record_to_fix)."""
    if reason_code == "no-infusion":
        held = [e for e in list_records(session, registry.INFUSION, order_id=day.order_id)
                if e.date == day.date]
        e = held[-1] if held else None
        return e and Involved(registry.INFUSION.key, e.id,
                              f"Infusion entry {e.id} of {_us(e.date)}: {e.status}")
    if reason_code == "no-authorization":
        auths = [a for a in list_authorizations(session, day.patient_id)
                 if a.code == day.code and (day.payer_id is None or a.payer_id == day.payer_id)]
        a = _nearest(auths, day.date, lambda a: a.start_date)
        return a and Involved(registry.AUTHORIZATION.key, a.id,
                              f"Authorization {a.number} ({a.id}), {_us(a.start_date)} to "
                              f"{_us(a.end_date)}")
    if reason_code == "missing-plan-of-care":
        p = _nearest(list_records(session, registry.PLAN_OF_CARE, order_id=day.order_id),
                     day.date, lambda p: p.start_date)
        return p and Involved(registry.PLAN_OF_CARE.key, p.id,
                              f"Plan of care {p.id}, {_us(p.start_date)} to {_us(p.end_date)}")
    if reason_code == "missing-prep-note":
        n = _nearest(list_records(session, registry.PREP_NOTE, order_id=day.order_id),
                     day.date, lambda n: n.date)
        return n and Involved(registry.PREP_NOTE.key, n.id,
                              f"Preparation note {n.id} of {_us(n.date)}, beyond use "
                              f"{_us(n.beyond_use_date)}")
    if reason_code == "missing-delivery":
        d = _nearest(list_records(session, registry.DELIVERY, order_id=day.order_id),
                     day.date, lambda d: d.date)
        return d and Involved(registry.DELIVERY.key, d.id, f"Delivery {d.id} of {_us(d.date)}")
    if reason_code == "missing-care-note":
        c = _nearest(list_records(session, registry.CARE_NOTE, patient_id=day.patient_id),
                     day.date, lambda c: c.date)
        return c and Involved(registry.CARE_NOTE.key, c.id,
                              f"Care note {c.id} of {_us(c.date)}")
    return None
