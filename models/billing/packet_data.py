"""Gathers, through the services, every read object one patient's documentation packet shows."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from models.billing import rules
from models.billing.loading import billable_days
from models.billing.rules import DayResult
from models.errors import DomainError
from models.records import attachments, registry
from models.records.attachments import AttachmentFile
from models.records.reference import get_patient, get_pharmacy, list_payers
from models.records.tables import (
    Authorization,
    AuthorizationRead,
    CareNote,
    CareNoteRead,
    CoverageRead,
    Delivery,
    DeliveryRead,
    Infusion,
    InfusionRead,
    Order,
    OrderRead,
    Patient,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PlanOfCare,
    PlanOfCareRead,
    PrepNote,
    PrepNoteRead,
    Prescriber,
    PrescriberRead,
    RecordVersion,
    RecordVersionRead,
)


@dataclass(frozen=True)
class MarEntry:
    """One MAR line with its saved versions (more than one means it was amended or voided)."""

    entry: InfusionRead
    versions: list[RecordVersionRead] = field(default_factory=list)


@dataclass
class PacketData:
    """Everything one packet prints: plain read objects, no session."""

    pharmacy: PharmacyRead
    patient: PatientRead
    start: dt.date
    end: dt.date
    created_at: dt.datetime
    prepared_by: str
    days: list[DayResult]
    orders: list[OrderRead]
    prescribers: dict[str, PrescriberRead]
    payers: dict[str, PayerRead]
    coverages: list[CoverageRead]
    authorizations: list[AuthorizationRead]
    plans_of_care: list[PlanOfCareRead]
    prep_notes: list[PrepNoteRead]
    deliveries: list[DeliveryRead]
    mar: list[MarEntry]
    care_notes: list[CareNoteRead]
    attachments: list[AttachmentFile]

    @property
    def billed_days(self) -> list[DayResult]:
        return [d for d in self.days if d.status == "billable"]

    @property
    def member_ids(self) -> list[str]:
        return list(dict.fromkeys(c.member_id for c in self.coverages if c.priority == "primary"))


def month_period(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def _overlaps(start: dt.date, end: dt.date | None, period_start: dt.date,
              period_end: dt.date) -> bool:
    return start <= period_end and (end is None or end >= period_start)


def load_packet_data(
    session: Session,
    *,
    patient_id: str,
    start: dt.date,
    end: dt.date,
    prepared_by: str,
    created_at: dt.datetime,
) -> PacketData:
    """The packet's content for one patient and period (both dates included).

    Reads the period, not the patient's history: the orders in force or served in it, the
    records dated in it, and what R9, R10 and R12 look back to (preparation notes whose
    beyond-use date reaches it, deliveries from the earliest such note, care notes from 29 days
    before). A fixed number of queries, whatever the number of records."""
    if end < start:
        raise DomainError("The period ends before it starts: check the from and to dates.")
    pharmacy = get_pharmacy(session)
    if pharmacy is None:
        raise DomainError("The pharmacy's settings (name, NPI, tax id, address) are not set; "
                          "enter them before printing a packet.")
    patient = get_patient(session, patient_id)
    days = billable_days(session, start, end, patient_id)

    day_orders = sorted({d.order_id for d in days})
    order_end = func.coalesce(Order.discontinued_date, Order.end_date)
    in_force = and_(Order.start_date <= end, or_(order_end.is_(None), order_end >= start))
    orders = _read(session, OrderRead, select(Order).where(
        Order.patient_id == patient_id, Order.voided == False,  # noqa: E712
        or_(in_force, col(Order.id).in_(day_orders)) if day_orders else in_force,
    ).order_by(Order.start_date, Order.id))
    order_ids = [o.id for o in orders]

    def of_orders(table: Any, read: Any, *where: Any) -> list:
        date_col = table.start_date if hasattr(table, "start_date") else table.date
        return _read(session, read, select(table).where(
            col(table.order_id).in_(order_ids), table.voided == False,  # noqa: E712
            *where).order_by(date_col, table.id))

    plans = of_orders(PlanOfCare, PlanOfCareRead, PlanOfCare.start_date <= end,
                      PlanOfCare.end_date >= start)
    preps = of_orders(PrepNote, PrepNoteRead, PrepNote.date <= end,
                      PrepNote.beyond_use_date >= start)
    # R10 accepts a delivery made after the covering preparation note, which may predate the period
    since = min([start, *(p.date for p in preps)])
    deliveries = of_orders(Delivery, DeliveryRead, Delivery.date >= since, Delivery.date <= end)

    entries = _read(session, InfusionRead, select(Infusion).where(
        col(Infusion.order_id).in_(order_ids), Infusion.date >= start, Infusion.date <= end))
    amended = [e.id for e in entries if e.version > 1]
    versions: dict[str, list[RecordVersionRead]] = defaultdict(list)
    for v in session.exec(select(RecordVersion).where(
            RecordVersion.kind == registry.INFUSION.key, col(RecordVersion.record_id).in_(amended))
            .order_by(RecordVersion.record_id, RecordVersion.version)):
        versions[v.record_id].append(RecordVersionRead.model_validate(v))
    mar = [MarEntry(e, versions[e.id] if e.version > 1 else []) for e in entries]
    mar.sort(key=lambda m: (m.entry.date, m.entry.start_time or dt.time.min, m.entry.id))

    care_notes = _read(session, CareNoteRead, select(CareNote).where(
        CareNote.patient_id == patient_id, CareNote.voided == False,  # noqa: E712
        CareNote.date >= rules.care_notes_from(start), CareNote.date <= end,
    ).order_by(CareNote.date, CareNote.id))

    coverages = [c for c in patient.coverages if _overlaps(c.start_date, c.end_date, start, end)]
    coverages.sort(key=lambda c: (c.priority != "primary", c.start_date))
    payer_ids = {d.payer_id for d in days if d.payer_id} | {c.payer_id for c in coverages}
    payers = {p.id: p for p in list_payers(session) if p.id in payer_ids}
    auths = _read(session, AuthorizationRead, select(Authorization).where(
        Authorization.patient_id == patient_id, Authorization.start_date <= end,
        Authorization.end_date >= start).order_by(Authorization.start_date, Authorization.id))
    found = {p.id: p for p in _read(session, PrescriberRead, select(Prescriber).where(
        col(Prescriber.id).in_({o.prescriber_id for o in orders})))}
    prescribers = {o.prescriber_id: found[o.prescriber_id] for o in orders}

    targets = ({(registry.PATIENT.key, patient_id)} | {(registry.ORDER.key, i) for i in order_ids}
               | {(registry.PLAN_OF_CARE.key, p.id) for p in plans}
               | {(registry.DELIVERY.key, d.id) for d in deliveries})
    files = attachments.load_files(session, [
        a.id for a in attachments.list_attachments(session, patient_id)
        if (a.record_kind, a.record_id) in targets])

    return PacketData(
        pharmacy=pharmacy, patient=patient, start=start, end=end, created_at=created_at,
        prepared_by=prepared_by, days=days, orders=orders, prescribers=prescribers,
        payers=payers, coverages=coverages, authorizations=auths, plans_of_care=plans,
        prep_notes=preps, deliveries=deliveries, mar=mar, care_notes=care_notes,
        attachments=files,
    )


def _read(session: Session, read: Any, stmt: Any) -> list:
    return [read.model_validate(row) for row in session.exec(stmt).all()]


def patients_with_service_days(session: Session, start: dt.date, end: dt.date) -> list[str]:
    """Ids of the patients with at least one service day in the period, sorted by name."""
    served = (select(Order.patient_id).join(Infusion, col(Infusion.order_id) == Order.id)
              .where(Order.voided == False, Infusion.voided == False,  # noqa: E712
                     Infusion.date >= start, Infusion.date <= end))
    stmt = (select(Patient.id).where(col(Patient.id).in_(served))
            .order_by(Patient.last_name, Patient.first_name, Patient.id))
    return list(session.exec(stmt).all())
