"""Nursing visits (R34) as records: their check, their length (an overnight visit ends the
next morning), what they may name (an order of their patient, MAR entries of that order), and
what the visit form is prefilled with. Pure but for the last two readers, which take a session.

Kept apart from checks.py and clinical.py (which call it) so the rule book's Part 2 kind
lives in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from models import vocab
from models.errors import FieldError, ValidationFailed
from models.records.tables import Infusion, NursingVisit, NursingVisitBase, Order

MINUTES_A_DAY = 24 * 60


def visit_minutes(start: dt.time | None, end: dt.time | None) -> int | None:
    """R34: how long a visit lasted, in whole minutes; an end before the start is the next
    morning (an overnight visit). None when either time is missing."""
    if start is None or end is None:
        return None
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return minutes + MINUTES_A_DAY if minutes < 0 else minutes


def check_nursing_visit(v: NursingVisitBase, entry: bool = True) -> None:
    """A nursing visit's own fields; start, end, nurse and note may wait (R34 holds the visit
    as `incomplete-visit` until they are recorded)."""
    errors: list[FieldError] = []
    for name in ("patient_id", "order_id"):
        if not (getattr(v, name) or "").strip():
            errors.append(FieldError(name, "is required"))
    if v.date is None:
        errors.append(FieldError("date", "is required"))
    if v.visit_type not in vocab.VISIT_TYPES:
        errors.append(FieldError("visit_type", "is " + vocab.alternatives(vocab.VISIT_TYPES)))
    if v.start_time is not None and v.end_time is not None and v.start_time == v.end_time:
        errors.append(FieldError("end_time", "is the start time: a visit lasts some minutes "
                                 "(an end before the start is the next morning)"))
    if len(set(v.infusions)) != len(v.infusions):
        errors.append(FieldError("infusions", "names a MAR entry twice"))
    if errors:
        raise ValidationFailed(errors)


def link_problems(visit: Any, order_patient: str | None,
                  entry_orders: dict[str, str | None]) -> list[FieldError]:
    """What a visit names that does not fit: its order must be its patient's, and each MAR
    entry it links (`entry_orders`: entry id -> its order, None when not on file) an entry of
    that order."""
    out = []
    if order_patient is not None and order_patient != visit.patient_id:
        out.append(FieldError("order_id", f'the order "{visit.order_id}" is not the patient '
                              f'"{visit.patient_id}"\'s'))
    for entry_id in visit.infusions:
        owner = entry_orders.get(entry_id)
        if owner is None:
            out.append(FieldError("infusions", f'no MAR entry with id "{entry_id}"'))
        elif owner != visit.order_id:
            out.append(FieldError("infusions", f'the MAR entry "{entry_id}" is of the order '
                                  f'"{owner}", not the visit\'s "{visit.order_id}"'))
    return out


def check_links(session: Session, visit: Any) -> None:
    """`link_problems` against the database (the services' check before writing)."""
    order = session.get(Order, visit.order_id)
    entries = {}
    if visit.infusions:
        rows = session.exec(select(Infusion.id, Infusion.order_id).where(
            col(Infusion.id).in_(visit.infusions), Infusion.voided == False)).all()  # noqa: E712
        entries = dict(rows)
    problems = link_problems(visit, order.patient_id if order else None,
                             {i: entries.get(i) for i in visit.infusions})
    if problems:
        raise ValidationFailed(problems)


def last_visit_nurse(session: Session, patient_id: str) -> str | None:
    """Who made the patient's most recent visit (to prefill the visit form)."""
    stmt = (select(NursingVisit.nurse)
            .where(NursingVisit.patient_id == patient_id,
                   NursingVisit.voided == False,  # noqa: E712
                   col(NursingVisit.nurse).is_not(None))
            .order_by(col(NursingVisit.date).desc(), col(NursingVisit.start_time).desc())
            .limit(1))
    return session.exec(stmt).first()


def day_entries(session: Session, order_id: str, day: dt.date) -> list[Infusion]:
    """The order's current MAR entries of `day`, by start time: what a visit can link."""
    stmt = (select(Infusion).where(Infusion.order_id == order_id, Infusion.date == day,
                                   Infusion.voided == False)  # noqa: E712
            .order_by(Infusion.start_time, Infusion.id))
    return list(session.exec(stmt).all())


def visit_prefill(session: Session, patient_id: str, order_id: str | None, day: dt.date
                  ) -> tuple[str | None, list[Infusion]]:
    """What a new visit form offers: the nurse of the patient's last visit (else who gave the
    order's doses), and the order's administered MAR entries of `day` (their times and ids
    fill the visit's, as the MAR form fills from the last entry)."""
    entries = [e for e in day_entries(session, order_id, day) if e.administered] \
        if order_id else []
    nurse = last_visit_nurse(session, patient_id)
    if nurse is None:
        nurse = next((e.administered_by for e in entries if e.administered_by), None)
    return nurse, entries
