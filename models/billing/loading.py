"""Loading what the billing rules read: a period's records in a fixed number of SELECTs, the
billable-days table made of them, and the units used of a patient's authorizations (R13).

A period's billable days read only the records that can affect it (see docs/billing-rules.md,
"Reading only what a period needs"): a fixed number of SELECTs whatever the history's length,
with light read objects for the many rows (infusions, notes) and models for the few.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, or_, true
from sqlmodel import Session, SQLModel, select

from models import clock
from models.billing import rules
from models.billing.access_days import REACH
from models.records import registry
from models.records.reference import get_patient, list_patients, list_payers
from models.records.rows import get_row
from models.records.tables import (
    Authorization,
    AuthorizationRead,
    CareNote,
    Coverage,
    CoverageRead,
    Delivery,
    Infusion,
    Order,
    OrderRead,
    Patient,
    PatientRead,
    Pharmacy,
    PlanOfCare,
    PrepNote,
)
from models.vocab import ACCESS_DAYS, ADMINISTERED

T = TypeVar("T", bound=SQLModel)


def _within(column: Any, lo: dt.date | None, hi: dt.date | None) -> list[Any]:
    """Conditions lo <= column <= hi, leaving out an open end."""
    return ([column >= lo] if lo is not None else []) + ([column <= hi] if hi is not None else [])


def _rows(session: Session, stmt: Any) -> list[Any]:
    return session.execute(stmt).all()  # fetchall: iterating a result fetches row by row


def _models(session: Session, model: type[T], stmt: Any) -> list[T]:
    return [model.model_validate(dict(m)) for m in session.execute(stmt).mappings().all()]


def _authorization_chains(start: dt.date | None, end: dt.date | None, patients: Any) -> Any:
    """The authorizations of `patients` (a subquery of ids) overlapping [start, end], and
    every authorization of the same patient, payer and code overlapping one of those, and so
    on: the connected groups whose units can reach into the period (R13)."""
    a = Authorization.__table__
    cols = (a.c.id, a.c.patient_id, a.c.payer_id, a.c.code, a.c.start_date, a.c.end_date)
    chain = select(*cols).where(
        a.c.patient_id.in_(patients), *_within(a.c.end_date, start, None),
        *_within(a.c.start_date, None, end)).cte("chain", recursive=True)
    b = a.alias("linked")
    return chain.union(
        select(*(b.c[c.name] for c in cols)).join(chain, and_(
            b.c.patient_id == chain.c.patient_id, b.c.payer_id == chain.c.payer_id,
            b.c.code == chain.c.code, b.c.start_date <= chain.c.end_date,
            b.c.end_date >= chain.c.start_date)))


def load_billing_data(
    session: Session,
    patient_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> rules.BillingData:
    """The current, non-voided records that can affect the service days in [start, end] (the
    whole history when both are None), optionally of one patient:

    - the period's infusion entries, their orders, patients, coverages and every payer;
    - plans of care overlapping the period (R8); preparation notes whose date to beyond-use
      date overlaps it (R9); deliveries from the earliest of those notes' dates, and each
      order's first delivery before it (R10 with no covering note: any earlier delivery);
      care notes from 29 days before the period (R12); and the notes the period's entries
      name as their lot (R28), so a note's date is known to R10 whatever its dates;
    - authorizations overlapping the period, with the chains of overlapping authorizations
      they belong to, and as `prior_days` the service days of those chains before the period
      (R13 counts units from each authorization's start; only R1-R4 of those days matter);
    - when a payer bills access days (R29), the entries from 7 days before the period to 7
      days after it: an administered entry up to 7 days earlier can make a day of the period
      an access day, and one up to 7 days later tells whether a gap was a suspension.
    """
    inf, o, a = Infusion.__table__, Order.__table__, Authorization.__table__
    payers = {x.id: x for x in list_payers(session)}
    lo_inf, hi_inf = start, end
    access = any(x.per_diem_basis == ACCESS_DAYS for x in payers.values())
    if access:  # R29's reach
        lo_inf = None if start is None else _back(start, REACH)
        hi_inf = None if end is None else _forward(end, REACH)
    in_period = [inf.c.voided == False, *_within(inf.c.date, lo_inf, hi_inf)]  # noqa: E712
    order_ok = [o.c.voided == False]  # noqa: E712
    if patient_id is None:  # the period's entries, through the (date, voided, order) index
        served = o.c.id.in_(select(inf.c.order_id).where(*in_period))
    else:  # the patient's orders, each probed through its (order, voided, date) index
        order_ok.append(o.c.patient_id == patient_id)
        served = select(inf.c.id).where(inf.c.order_id == o.c.id, *in_period).exists()
    period_orders = select(o.c.id).where(*order_ok, served)
    patients = select(o.c.patient_id).where(o.c.id.in_(period_orders))

    infusions = [rules.InfusionFacts(*r) for r in _rows(session, select(
        inf.c.id, inf.c.order_id, inf.c.date, inf.c.status, inf.c.setting, inf.c.start_time,
        inf.c.end_time, inf.c.dose_given, inf.c.administered_by, inf.c.wasted, inf.c.prep_note,
    ).join(o, o.c.id == inf.c.order_id).where(*in_period, *order_ok))]

    chains = _authorization_chains(start, end, patients)
    authorizations = _models(session, AuthorizationRead,
                             select(a).where(a.c.id.in_(select(chains.c.id))))
    prior_days: list[rules.PriorDay] = []
    if start is not None:
        # from the earliest start of the chains reaching into the period, per patient and code
        reach = (select(chains.c.patient_id, chains.c.code,
                        func.min(chains.c.start_date).label("since"))
                 .where(chains.c.start_date < start)
                 .group_by(chains.c.patient_id, chains.c.code).subquery())
        floor: Any = reach.c.since
        if access:  # R29: a dose up to 7 days before a chain's start opens access days in it
            first = session.execute(select(func.min(reach.c.since))).scalar()
            floor = start if first is None else _back(first, REACH)
        prior_days = [rules.PriorDay(order_id, day, bool(given)) for order_id, day, given in
                      _rows(session, _service_days_query().join(reach, and_(
                          reach.c.patient_id == o.c.patient_id,
                          reach.c.code == o.c.per_diem_code,
                      )).where(inf.c.date >= floor, inf.c.date < start))]

    wanted = o.c.id.in_(period_orders)
    if prior_days:
        wanted = or_(wanted, o.c.id.in_(sorted({d.order_id for d in prior_days})))
    orders = _models(session, OrderRead, select(o).where(*order_ok, wanted).order_by(o.c.id))

    p, c = Patient.__table__, Coverage.__table__
    coverages: dict[str, list[CoverageRead]] = defaultdict(list)
    for row in session.execute(select(c).where(c.c.patient_id.in_(patients))
                               .order_by(c.c.patient_id, c.c.position)).mappings().all():
        coverages[row["patient_id"]].append(CoverageRead.model_validate(dict(row)))
    people = {row["id"]: PatientRead(**row, coverages=coverages[row["id"]]) for row in
              session.execute(select(p).where(p.c.id.in_(patients))).mappings().all()}

    def evidence(table: Any, facts: type, *conditions: Any) -> list:
        t = table.__table__
        return [facts(*r) for r in _rows(session, select(*(t.c[f] for f in facts.__slots__))
                                         .where(t.c.voided == False,  # noqa: E712
                                                t.c.order_id.in_(period_orders), *conditions))]

    pc, pn, dl, cn = (PlanOfCare.__table__, PrepNote.__table__, Delivery.__table__,
                      CareNote.__table__)
    plans = evidence(PlanOfCare, rules.PlanFacts, *_within(pc.c.end_date, start, None),
                     *_within(pc.c.start_date, None, end))
    # R28: and the notes the period's entries name as their lot, whatever their dates
    overlapping = and_(true(), *_within(pn.c.beyond_use_date, start, None),
                       *_within(pn.c.date, None, end))
    named = pn.c.id.in_(select(inf.c.prep_note).where(*in_period,
                                                       inf.c.prep_note.is_not(None)))
    preps = evidence(PrepNote, rules.PrepNoteFacts, or_(overlapping, named))
    # R10 takes a delivery on or after the covering note's date, and with no covering note
    # any delivery before the day: the first delivery of each order stands for the older ones
    lo = None if start is None else min([start, *(x.date for x in preps)])
    deliveries = evidence(Delivery, rules.DeliveryFacts, *_within(dl.c.date, lo, end))
    if lo is not None:
        deliveries += [rules.DeliveryFacts("", order_id, day) for order_id, day in _rows(
            session, select(dl.c.order_id, func.min(dl.c.date)).where(
                dl.c.voided == False, dl.c.order_id.in_(period_orders),  # noqa: E712
                dl.c.date < lo).group_by(dl.c.order_id))]
    care_notes = [rules.CareNoteFacts(*r) for r in _rows(session, select(
        cn.c.id, cn.c.patient_id, cn.c.date,
    ).where(cn.c.voided == False, cn.c.patient_id.in_(patients),  # noqa: E712
            *_within(cn.c.date, None if start is None else rules.care_notes_from(start), end)))]

    return rules.BillingData(
        payers=payers, patients=people, orders=orders,
        infusions=infusions, plans_of_care=plans, authorizations=authorizations,
        prep_notes=preps, deliveries=deliveries, care_notes=care_notes, prior_days=prior_days,
        order_signature=session.execute(  # R27: the pharmacy's setting (none yet: default)
            select(Pharmacy.__table__.c.order_signature)).scalar() or rules.BEFORE_CLAIM,
        today=clock.today(),  # R29: access days up to today
    )


def _back(day: dt.date, by: dt.timedelta) -> dt.date:
    return dt.date.min if day - dt.date.min < by else day - by


def _forward(day: dt.date, by: dt.timedelta) -> dt.date:
    return dt.date.max if dt.date.max - day < by else day + by


def _service_days_query() -> Any:
    """(order, date, whether any entry was administered) of current entries and orders."""
    inf, o = Infusion.__table__, Order.__table__
    administered = func.max(case((inf.c.status.in_(ADMINISTERED), 1), else_=0))
    return (select(inf.c.order_id, inf.c.date, administered)
            .join(o, o.c.id == inf.c.order_id)
            .where(inf.c.voided == False, o.c.voided == False)  # noqa: E712
            .group_by(inf.c.order_id, inf.c.date))


def billable_days(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> list[rules.DayResult]:
    """The billable-days table (R1-R18) for a period, optionally for one patient."""
    return billing_period(session, start, end, patient_id)[1]


def billing_period(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> tuple[rules.BillingData, list[rules.DayResult]]:
    """What the rules read for a period and the billable-days table they make of it (the
    claims draft from both, so the data is loaded once)."""
    if patient_id:
        get_row(session, Patient, patient_id, registry.PATIENT.label)
    data = load_billing_data(session, patient_id, start, end)
    return data, rules.evaluate(data, start, end, patient_id)


def authorization_usage(session: Session, patient_id: str | Collection[str]
                        ) -> dict[str, int]:
    """Units used so far (R13) by each authorization of a patient, or of several patients at
    once (one set of queries whatever their number), by id (none: left out).

    Counted over each authorization's own dates: only the patients' service days that an
    authorization of the same code covers, with their R1-R4 status (no evidence records)."""
    ids = [patient_id] if isinstance(patient_id, str) else sorted(set(patient_id))
    a, o, inf = Authorization.__table__, Order.__table__, Infusion.__table__
    authorizations = _models(session, AuthorizationRead, select(a).where(
        a.c.patient_id.in_(ids)))
    if not authorizations:
        return {}
    covered = select(a.c.id).where(
        a.c.patient_id == o.c.patient_id, a.c.code == o.c.per_diem_code,
        a.c.start_date <= inf.c.date, a.c.end_date >= inf.c.date).exists()
    payers = {x.id: x for x in list_payers(session)}
    if any(x.per_diem_basis == ACCESS_DAYS for x in payers.values()):
        covered = true()  # R29: a dose before an authorization opens access days in it
    days = [rules.PriorDay(order_id, day, bool(given)) for order_id, day, given in _rows(
        session, _service_days_query().where(o.c.patient_id.in_(ids), covered))]
    orders = _models(session, OrderRead, select(o).where(
        o.c.voided == False, o.c.patient_id.in_(ids)))  # noqa: E712
    patients = ({patient_id: get_patient(session, patient_id)} if isinstance(patient_id, str)
                else {p.id: p for p in list_patients(session) if p.id in set(ids)})
    data = rules.BillingData(
        payers=payers, patients=patients, orders=orders,
        infusions=[], authorizations=authorizations, prior_days=days, today=clock.today())
    return rules.authorization_units(data)
