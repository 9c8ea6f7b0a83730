"""What R34 reads (models/billing/visits.py): a period's nursing visits with the earlier
visits of their patients whose authorization units the period still feels (R13 counts from
each authorization's start), their patients with coverages, the payers and the patients'
authorizations for 99601. A fixed number of SELECTs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from models.billing.visits import FIRST_HOURS, VisitResult, evaluate_visits
from models.records.tables import (
    Authorization,
    AuthorizationRead,
    Coverage,
    CoverageRead,
    NursingVisit,
    NursingVisitRead,
    Patient,
    PatientRead,
    Payer,
    PayerRead,
)


@dataclass
class VisitData:
    visits: list[NursingVisitRead]
    patients: dict[str, PatientRead]
    payers: dict[str, PayerRead]
    authorizations: list[AuthorizationRead]


def load_visit_data(session: Session, start: dt.date | None, end: dt.date | None,
                    patient_id: str | None = None) -> VisitData:
    """The current visits up to `end` of the patients with a visit in [start, end] (or of
    `patient_id`), and what R34 judges them by."""
    v = NursingVisit.__table__
    current = [v.c.voided == False]  # noqa: E712
    if patient_id is not None:
        current.append(v.c.patient_id == patient_id)
    in_period = [*current] + ([v.c.date >= start] if start else []) + (
        [v.c.date <= end] if end else [])
    patients = select(v.c.patient_id).where(*in_period).distinct()
    upto = [v.c.date <= end] if end else []
    visits = [NursingVisitRead.model_validate(dict(r)) for r in session.execute(
        select(v).where(*current, *upto, v.c.patient_id.in_(patients))).mappings().all()]
    if not visits:  # a period without visits reads nothing more
        return VisitData([], {}, {}, [])
    ids = sorted({x.patient_id for x in visits})
    c, p, a = Coverage.__table__, Patient.__table__, Authorization.__table__
    coverages: dict[str, list[CoverageRead]] = defaultdict(list)
    for row in session.execute(select(c).where(c.c.patient_id.in_(ids))
                               .order_by(c.c.patient_id, c.c.position)).mappings().all():
        coverages[row["patient_id"]].append(CoverageRead.model_validate(dict(row)))
    people = {row["id"]: PatientRead(**row, coverages=coverages[row["id"]]) for row in
              session.execute(select(p).where(p.c.id.in_(ids))).mappings().all()}
    payers = {row["id"]: PayerRead.model_validate(dict(row)) for row in
              session.execute(select(Payer.__table__)).mappings().all()}
    auths = [AuthorizationRead.model_validate(dict(row)) for row in session.execute(
        select(a).where(a.c.patient_id.in_(ids), a.c.code == FIRST_HOURS)).mappings().all()]
    return VisitData(visits, people, payers, auths)


def billable_visits(session: Session, start: dt.date | None, end: dt.date | None,
                    patient_id: str | None = None) -> list[VisitResult]:
    """R34's results for the visits in [start, end] (of one patient when given)."""
    data = load_visit_data(session, start, end, patient_id)
    return evaluate_visits(data.visits, data.patients, data.payers, data.authorizations,
                           start=start, end=end)
