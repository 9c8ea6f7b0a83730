"""Gathers, through the services, every read object one patient's documentation packet shows:
for a period (internal review) or, through models/billing/claim_packet.py, for one claim with
the evidence as it stood when the claim was made.

R26: `_recorded` is the one place that reads when and by whom a record was first saved.
One module over 400 lines on purpose: the packet's read objects and the one loader both kinds
of packet share, with the reconstruction of records as they stood at a given time."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from models.billing import rules
from models.billing.loading import billable_days
from models.billing.rules import DayResult
from models.billing.visit_data import load_visit_data
from models.billing.visits import evaluate_visits
from models.claims.batches import claimed_days
from models.errors import DomainError
from models.records import attachments, registry
from models.records.attachments import AttachmentFile
from models.records.late import LATE_ENTRY_DAYS, is_late, late_note
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
    NursingVisitRead,
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
from models.security.permissions import PACKETS, authorize


@dataclass(frozen=True)
class MarEntry:
    """One MAR line with its saved versions (more than one means it was amended or voided)."""

    entry: InfusionRead
    versions: list[RecordVersionRead] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    """R26: when and by whom a record was first saved, and its late-entry note when late."""

    at: dt.datetime | None
    by: str
    late: str | None = None  # late_note(...) when the record is a late entry


@dataclass(frozen=True)
class LaterChange:
    """A record added, amended or voided after the claim was made (claim packets)."""

    kind: str  # registry key
    label: str  # "infusion entry"
    record_id: str
    record_date: dt.date | None
    action: str  # added | edited | voided
    recorded_at: dt.datetime
    recorded_by: str
    reason: str | None
    what: str  # what changed, in words


@dataclass(frozen=True)
class ClaimLineRow:
    """A billed line as the cover prints it."""

    kind: str  # per-diem | drug | component (a compound order's, issue 15)
    order_id: str
    code: str
    modifiers: tuple[str, ...]
    start: dt.date
    end: dt.date
    units: int
    charge: Decimal
    ndc: str | None = None
    description: str = ""  # the component's name


@dataclass(frozen=True)
class ClaimSummary:
    """What a claim packet's cover says about the claim (models/billing/claim_packet.py)."""

    account_number: str  # CLM01
    claim_id: int
    batch_id: int
    batch_created_at: dt.datetime
    batch_created_by: str
    format: str
    frequency_code: str
    payer_claim_number: str | None
    original_reference: str | None
    payer_id: str
    member_id: str | None
    diagnosis_codes: list[str]
    lines: list[ClaimLineRow]
    total_charge: Decimal  # as recorded when the batch was written
    recomputed_total: Decimal | None  # of `lines`, from the records as they stood then


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
    # (kind key, record id) -> when and by whom it was first saved (R26)
    recorded: dict[tuple[str, str], Recorded] = field(default_factory=dict)
    # (order id, date) -> the claim number (CLM01) that bills the day
    claims: dict[tuple[str, dt.date], str] = field(default_factory=dict)
    claim: ClaimSummary | None = None  # set for a claim's packet
    later: list[LaterChange] = field(default_factory=list)  # claim packets: after the claim
    # R34: the period's nursing visits with their evaluation, and the visit records by id
    visits: list[Any] = field(default_factory=list)  # models.billing.visits.VisitResult
    visit_records: dict[str, NursingVisitRead] = field(default_factory=dict)

    @property
    def billed_days(self) -> list[DayResult]:
        return [d for d in self.days if d.status == "billable"]

    @property
    def member_ids(self) -> list[str]:
        return list(dict.fromkeys(c.member_id for c in self.coverages if c.priority == "primary"))

    def recorded_of(self, kind: registry.RecordKind[Any, Any], record: Any) -> Recorded:
        found = self.recorded.get((kind.key, record.id))
        return found or Recorded(record.recorded_at, record.recorded_by or "")


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
    """The packet's content for one patient and period (both dates included), as the records
    stand now (the internal-review packet; a claim's packet is claim_packet.py's).

    Reads the period, not the patient's history: the orders in force or served in it, the
    records dated in it, and what R9, R10 and R12 look back to (preparation notes whose
    beyond-use date reaches it, deliveries from the earliest such note, care notes from 29 days
    before). A fixed number of queries, whatever the number of records."""
    authorize(session, prepared_by, PACKETS)
    if end < start:
        raise DomainError("The period ends before it starts: check the from and to dates.")
    days = billable_days(session, start, end, patient_id)
    data = gather(session, patient_id=patient_id, start=start, end=end,
                  prepared_by=prepared_by, created_at=created_at,
                  served_orders=sorted({d.order_id for d in days}),
                  day_payers={d.payer_id for d in days if d.payer_id})
    data.days = days
    visits = load_visit_data(session, start, end, patient_id)  # R34
    data.visits = evaluate_visits(visits.visits, visits.patients, visits.payers,
                                  visits.authorizations, start=start, end=end)
    data.visit_records = {v.id: v for v in visits.visits}
    data.payers.update({p: visits.payers[p] for v in data.visits
                        if (p := v.payer_id) and p not in data.payers})
    held = claimed_days(session, patient_id, start=start, end=end)
    data.claims = {key: info.account_number for key, info in held.items()}
    return data


def gather(
    session: Session,
    *,
    patient_id: str,
    start: dt.date,
    end: dt.date,
    prepared_by: str,
    created_at: dt.datetime,
    served_orders: list[str] = (),  # type: ignore[assignment]
    only_orders: list[str] | None = None,
    payer_id: str | None = None,
    as_of: dt.datetime | None = None,
    day_payers: set[str] = frozenset(),  # type: ignore[assignment]
) -> PacketData:
    """The records of a packet (its `days` left empty for the caller).

    `only_orders` keeps to those orders (a claim's), `payer_id` to that payer's coverages and
    authorizations; with `as_of`, every clinical record is shown as its last version saved by
    then, records first saved later are left out, and every version saved later is listed in
    `later` ("Added after the claim")."""
    pharmacy = get_pharmacy(session)
    if pharmacy is None:
        raise DomainError("The pharmacy's settings (name, NPI, tax id, address) are not set; "
                          "enter them before printing a packet.")
    patient = get_patient(session, patient_id)
    live = [] if as_of else [Order.voided == False]  # noqa: E712 - a void may postdate the claim
    if only_orders is not None:
        picked = col(Order.id).in_(only_orders)
    else:
        order_end = func.coalesce(Order.discontinued_date, Order.end_date)
        picked = and_(Order.start_date <= end, or_(order_end.is_(None), order_end >= start))
        if served_orders:
            picked = or_(picked, col(Order.id).in_(served_orders))
    orders = _read(session, OrderRead, select(Order).where(
        Order.patient_id == patient_id, *live, picked).order_by(Order.start_date, Order.id))
    order_ids = [o.id for o in orders]

    def of_orders(table: Any, read: Any, *where: Any) -> list:
        date_col = table.start_date if hasattr(table, "start_date") else table.date
        not_void = [] if as_of else [table.voided == False]  # noqa: E712
        return _read(session, read, select(table).where(
            col(table.order_id).in_(order_ids), *not_void, *where).order_by(date_col, table.id))

    plans = of_orders(PlanOfCare, PlanOfCareRead, PlanOfCare.start_date <= end,
                      PlanOfCare.end_date >= start)
    preps = of_orders(PrepNote, PrepNoteRead, PrepNote.date <= end,
                      PrepNote.beyond_use_date >= start)
    # R10 accepts a delivery made after the covering preparation note, which may predate the period
    since = min([start, *(p.date for p in preps)])
    deliveries = of_orders(Delivery, DeliveryRead, Delivery.date >= since, Delivery.date <= end)
    entries = _read(session, InfusionRead, select(Infusion).where(
        col(Infusion.order_id).in_(order_ids), Infusion.date >= start, Infusion.date <= end))
    care_notes = _read(session, CareNoteRead, select(CareNote).where(
        CareNote.patient_id == patient_id,
        *([] if as_of else [CareNote.voided == False]),  # noqa: E712
        CareNote.date >= rules.care_notes_from(start), CareNote.date <= end,
    ).order_by(CareNote.date, CareNote.id))

    records = {registry.ORDER: orders, registry.PLAN_OF_CARE: plans, registry.PREP_NOTE: preps,
               registry.DELIVERY: deliveries, registry.INFUSION: entries,
               registry.CARE_NOTE: care_notes}
    versions = _versions(session, records)
    later: list[LaterChange] = []
    if as_of is not None:
        for kind in records:
            records[kind] = _as_of(kind, records[kind], versions, as_of, later)
        later.sort(key=lambda c: (c.recorded_at, c.kind, c.record_id))
    orders, plans, preps, deliveries, entries, care_notes = records.values()
    if as_of is not None:  # a record void when the claim was made is no evidence of it
        orders, plans, preps, deliveries, care_notes = (
            [r for r in rs if not r.voided]
            for rs in (orders, plans, preps, deliveries, care_notes))
        order_ids = [o.id for o in orders]
    days_late = getattr(pharmacy, "late_entry_days", LATE_ENTRY_DAYS)
    recorded = {(kind.key, r.id): _recorded(kind, r, versions, days_late)
                for kind, rs in records.items() for r in rs}
    shown = {e.id: [v for v in versions.get((registry.INFUSION.key, e.id), [])
                    if v.version <= e.version] for e in entries}
    mar = [MarEntry(e, shown[e.id] if e.version > 1 else []) for e in entries]
    mar.sort(key=lambda m: (m.entry.date, m.entry.start_time or dt.time.min, m.entry.id))

    coverages = [c for c in patient.coverages if _overlaps(c.start_date, c.end_date, start, end)
                 and (payer_id is None or c.payer_id == payer_id)]
    coverages.sort(key=lambda c: (c.priority != "primary", c.start_date))
    payer_ids = ({c.payer_id for c in coverages} | set(day_payers)
                 | ({payer_id} if payer_id else set()))
    auths = _read(session, AuthorizationRead, select(Authorization).where(
        Authorization.patient_id == patient_id, Authorization.start_date <= end,
        Authorization.end_date >= start,
        *([Authorization.payer_id == payer_id,
           col(Authorization.code).in_({o.per_diem_code for o in orders})] if payer_id else []),
    ).order_by(Authorization.start_date, Authorization.id))
    payer_ids |= {a.payer_id for a in auths}
    payers = {p.id: p for p in list_payers(session) if p.id in payer_ids}
    found = {p.id: p for p in _read(session, PrescriberRead, select(Prescriber).where(
        col(Prescriber.id).in_({o.prescriber_id for o in orders})))}
    prescribers = {o.prescriber_id: found[o.prescriber_id] for o in orders}

    targets = ({(registry.PATIENT.key, patient_id)} | {(registry.ORDER.key, i) for i in order_ids}
               | {(registry.PLAN_OF_CARE.key, p.id) for p in plans}
               | {(registry.DELIVERY.key, d.id) for d in deliveries})
    files = attachments.load_files(session, [
        a.id for a in attachments.list_attachments(session, patient_id)
        if (a.record_kind, a.record_id) in targets])
    if as_of is not None:
        later += [LaterChange(
            "attachment", "attachment", f.info.filename, None, "added", f.info.added_at,
            f.info.added_by, f.info.description, f"scanned document attached to "
            f"{registry.kind(f.info.record_kind).label} {f.info.record_id}")
            for f in files if f.info.added_at > as_of]

    return PacketData(
        pharmacy=pharmacy, patient=patient, start=start, end=end, created_at=created_at,
        prepared_by=prepared_by, days=[], orders=orders, prescribers=prescribers,
        payers=payers, coverages=coverages, authorizations=auths, plans_of_care=plans,
        prep_notes=preps, deliveries=deliveries, mar=mar, care_notes=care_notes,
        attachments=files, recorded=recorded, later=later,
    )


def own_date(kind: registry.RecordKind[Any, Any], record: Any) -> dt.date | None:
    """The record's own date, which R26 measures lateness from (its lists' date)."""
    return getattr(record, kind.listing_date) if kind.listing_date else None


def _recorded(kind: registry.RecordKind[Any, Any], record: Any,
              versions: dict[tuple[str, str], list[RecordVersionRead]],
              late_entry_days: int = LATE_ENTRY_DAYS) -> Recorded:
    """R26: when and by whom `record` was first saved, and its late-entry note.

    The one place that reads it: the record's first save (`first_recorded_at/by`, kept since
    migration 0009 and filled from the history for records saved before it), its
    `late_entry_reason` and the pharmacy's `late_entry_days`. An imported record without a
    first save is taken as recorded on its own date (never late); a record without either
    falls back on the first version in its history."""
    day = own_date(kind, record)
    at, by = getattr(record, "first_recorded_at", None), getattr(record, "first_recorded_by", None)
    if at is None and getattr(record, "imported_at", None) is not None:
        own = dt.datetime.combine(day, dt.time()) if day is not None else record.imported_at
        return Recorded(own, by or "", None)
    if at is None:
        history = versions.get((kind.key, record.id))
        at, by = ((history[0].recorded_at, history[0].recorded_by) if history
                  else (record.recorded_at, record.recorded_by))
    by = by or ""
    reason = getattr(record, "late_entry_reason", None)
    late = (late_note(at, by, reason) if at is not None and day is not None
            and is_late(day, at, late_entry_days) else None)
    return Recorded(at, by, late)


def _versions(session: Session, records: dict[Any, list]) -> dict[tuple[str, str],
                                                                 list[RecordVersionRead]]:
    """Every saved version of the records, oldest first, in one query."""
    wanted = [and_(RecordVersion.kind == kind.key, col(RecordVersion.record_id).in_(
        [r.id for r in rs])) for kind, rs in records.items() if rs]
    out: dict[tuple[str, str], list[RecordVersionRead]] = defaultdict(list)
    if not wanted:
        return out
    for v in session.exec(select(RecordVersion).where(or_(*wanted))
                          .order_by(RecordVersion.kind, RecordVersion.record_id,
                                    RecordVersion.version)):
        out[(v.kind, v.record_id)].append(RecordVersionRead.model_validate(v))
    return out


def as_of_records(session: Session, kind: registry.RecordKind[Any, Any], records: list,
                  when: dt.datetime, later: list[LaterChange]) -> list:
    """`records` of `kind` as they stood at `when` (a claim's nursing visits), their later
    versions added to `later`."""
    return _as_of(kind, records, _versions(session, {kind: records}), when, later)


def _as_of(kind: registry.RecordKind[Any, Any], records: list, versions: dict,
           when: dt.datetime, later: list[LaterChange]) -> list:
    """The records as they stood at `when`: each one's last version saved by then (records
    first saved later are left out); every version saved later goes to `later`."""
    kept = []
    for record in records:
        history = versions.get((kind.key, record.id), [])
        before = [v for v in history if v.recorded_at <= when]
        after = [v for v in history if v.recorded_at > when]
        previous = before[-1].data if before else {}
        for v in after:
            action = "added" if v.version == 1 else v.action
            what = (f"new {kind.label}" if action == "added" else
                    "voided: it no longer counts for billing" if action == "voided"
                    else changes_in_words(previous, v.data))
            later.append(LaterChange(kind.key, kind.label, record.id, own_date(kind, record),
                                     action, v.recorded_at, v.recorded_by, v.reason, what))
            previous = v.data
        if history and not before:
            continue
        if before and before[-1].version != record.version:
            last = before[-1]
            record = kind.read.model_validate({
                **last.data, "version": last.version, "recorded_by": last.recorded_by,
                "recorded_at": last.recorded_at, "change_reason": last.reason,
                "voided": last.action == "voided",
                "void_reason": last.reason if last.action == "voided" else None})
        kept.append(record)
    return kept


def changes_in_words(before: dict, after: dict) -> str:
    """`field: old -> new` for each field that differs, one a line."""
    out = []
    for key in after:
        if key == "id" or before.get(key) == after.get(key):
            continue
        out.append(f"{key.replace('_', ' ')}: {before.get(key) or 'blank'} -> "
                   f"{after.get(key) or 'blank'}")
    return "\n".join(out)


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
