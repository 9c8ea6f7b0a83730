"""Gathers, through the services, every read object one patient's documentation packet shows."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from models import attachments, services
from models.attachments import AttachmentFile
from models.errors import DomainError
from models.rules import DayResult
from models.tables import (
    AuthorizationRead,
    CareNoteRead,
    CoverageRead,
    DeliveryRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PlanOfCareRead,
    PrepNoteRead,
    PrescriberRead,
    RecordVersionRead,
)

CARE_NOTE_WINDOW = 29  # R12 looks back 30 days including the service date


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
    """The packet's content for one patient and period (both dates included)."""
    if end < start:
        raise DomainError("The period ends before it starts: check the from and to dates.")
    pharmacy = services.get_pharmacy(session)
    if pharmacy is None:
        raise DomainError("The pharmacy's settings (name, NPI, tax id, address) are not set; "
                          "enter them before printing a packet.")
    patient = services.get_patient(session, patient_id)
    days = services.billable_days(session, start, end, patient_id)

    day_orders = {d.order_id for d in days}
    orders = [o for o in services.list_records(session, "order", patient_id=patient_id)
              if o.id in day_orders or _overlaps(o.start_date, o.discontinued_date or o.end_date,
                                                 start, end)]
    order_ids = {o.id for o in orders}

    def of_orders(kind: str) -> list:
        return [r for r in services.list_records(session, kind, patient_id=patient_id)
                if r.order_id in order_ids]

    plans = [p for p in of_orders("plan_of_care") if _overlaps(p.start_date, p.end_date,
                                                                 start, end)]
    preps = [p for p in of_orders("prep_note") if _overlaps(p.date, p.beyond_use_date,
                                                          start, end)]
    # R10 accepts a delivery made after the covering preparation note, which may predate the period
    since = min([start, *(p.date for p in preps)])
    deliveries = [d for d in of_orders("delivery") if since <= d.date <= end]

    mar = []
    for e in services.list_records(session, "infusion", patient_id=patient_id,
                                   include_voided=True):
        if e.order_id in order_ids and start <= e.date <= end:
            versions = services.history(session, "infusion", e.id) if e.version > 1 else []
            mar.append(MarEntry(e, versions))
    mar.sort(key=lambda m: (m.entry.date, m.entry.start_time or dt.time.min, m.entry.id))

    care_notes = [n for n in services.list_records(session, "care_note", patient_id=patient_id)
                  if n.date <= end and (start - n.date).days <= CARE_NOTE_WINDOW]

    coverages = [c for c in patient.coverages if _overlaps(c.start_date, c.end_date, start, end)]
    coverages.sort(key=lambda c: (c.priority != "primary", c.start_date))
    payer_ids = {d.payer_id for d in days if d.payer_id} | {c.payer_id for c in coverages}
    payers = {p.id: p for p in services.list_payers(session) if p.id in payer_ids}
    auths = [a for a in services.list_authorizations(session, patient_id)
             if _overlaps(a.start_date, a.end_date, start, end)]
    prescribers = {o.prescriber_id: services.get_prescriber(session, o.prescriber_id)
                   for o in orders}

    targets = ({("patient", patient_id)} | {("order", i) for i in order_ids}
               | {("plan_of_care", p.id) for p in plans}
               | {("delivery", d.id) for d in deliveries})
    files = [attachments.load_file(session, a.id)
             for a in attachments.list_attachments(session, patient_id)
             if (a.record_kind, a.record_id) in targets]

    return PacketData(
        pharmacy=pharmacy, patient=patient, start=start, end=end, created_at=created_at,
        prepared_by=prepared_by, days=days, orders=orders, prescribers=prescribers,
        payers=payers, coverages=coverages, authorizations=auths, plans_of_care=plans,
        prep_notes=preps, deliveries=deliveries, mar=mar, care_notes=care_notes,
        attachments=files,
    )


def patients_with_service_days(session: Session, start: dt.date, end: dt.date) -> list[str]:
    """Ids of the patients with at least one service day in the period, sorted by name."""
    ids = {d.patient_id for d in services.billable_days(session, start, end)}
    return [p.id for p in services.list_patients(session) if p.id in ids]

