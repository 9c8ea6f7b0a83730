"""The billing path as it was before windowed reads: a full-history load and the original
linear-scan evaluation, kept only as the reference the equivalence tests compare against."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from models.billing.packet_data import MarEntry, PacketData, Recorded, _overlaps
from models.billing.rules import (
    BILLABLE,
    HOLD,
    NOT_BILLABLE,
    REASON_ORDER,
    BillingData,
    DayResult,
    _rate,
    billed_coverage,
    mar_complete,
)
from models.claims.batches import claimed_days
from models.errors import DomainError
from models.records import attachments, clinical, reference, registry
from models.records.history import history
from models.records.late import is_late, late_note
from models.records.tables import InfusionRead, OrderRead


def full_billing_data(session: Session, patient_id: str | None = None) -> BillingData:
    """Every current, non-voided record, as the record services loaded it before issue 8."""
    if patient_id:
        patients = {patient_id: reference.get_patient(session, patient_id)}
    else:
        patients = {p.id: p for p in reference.list_patients(session)}

    def records(kind: registry.ClinicalKind) -> list[Any]:
        return clinical.list_records(session, kind, patient_id=patient_id)

    return BillingData(
        payers={p.id: p for p in reference.list_payers(session)},
        patients=patients,
        orders=records(registry.ORDER),
        infusions=records(registry.INFUSION),
        plans_of_care=records(registry.PLAN_OF_CARE),
        authorizations=reference.list_authorizations(session, patient_id),
        prep_notes=records(registry.PREP_NOTE),
        deliveries=records(registry.DELIVERY),
        care_notes=records(registry.CARE_NOTE),
    )


def reference_evaluate(
    data: BillingData,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> list[DayResult]:
    """Apply R1-R18 and return one row per service day in [start, end], sorted by patient,
    date, order. Authorization units (R13) are always counted over every day, whatever the
    range asked, so a month never forgets the units an earlier month used."""
    orders = {o.id: o for o in data.orders if patient_id is None or o.patient_id == patient_id}

    entries: dict[tuple[str, dt.date], list[InfusionRead]] = defaultdict(list)
    for e in data.infusions:
        if e.order_id in orders:
            entries[(e.order_id, e.date)].append(e)

    plans = _by(data.plans_of_care, "order_id")
    preps = _by(data.prep_notes, "order_id")
    deliveries = _by(data.deliveries, "order_id")
    care_dates = defaultdict(list)
    for n in data.care_notes:
        care_dates[n.patient_id].append(n.date)
    auths = defaultdict(list)
    for a in sorted(data.authorizations, key=lambda a: (a.start_date, a.id)):
        auths[(a.patient_id, a.payer_id, a.code)].append(a)

    # First pass: R1-R12 except the authorization reasons, in date order then order id (R13).
    drafts: list[dict] = []
    for (order_id, day), day_entries in sorted(entries.items(),
                                               key=lambda kv: (kv[0][1], kv[0][0])):
        order = orders[order_id]
        patient = data.patients[order.patient_id]
        administered = [e for e in day_entries if e.administered]
        blocking: list[str] = []
        if not administered:
            blocking.append("no-infusion")
        if not order.active_on(day):
            blocking.append("no-active-order")
        coverage = billed_coverage(patient.coverages, day)
        payer = data.payers.get(coverage.payer_id) if coverage else None
        if payer is None:
            blocking.append("no-coverage")
        elif payer.kind == "medicare" and order.per_diem_code.startswith("S"):
            blocking.append("medicare-s-code")
        drafts.append(
            dict(order=order, day=day, administered=administered, payer=payer,
                 blocking=blocking, auth=None, auth_reason=None)
        )

    # R13: units in date order then order id, from each authorization's start.
    used: dict[str, int] = defaultdict(int)
    for d in drafts:
        payer = d["payer"]
        if d["blocking"] or not payer.requires_prior_auth:
            continue
        order = d["order"]
        covering = [a for a in auths[(order.patient_id, payer.id, order.per_diem_code)]
                    if a.covers(d["day"])]
        if not covering:
            d["auth_reason"] = "no-authorization"
            continue
        for a in covering:  # already sorted by start date, then id
            if used[a.id] < a.units:
                used[a.id] += 1
                d["auth"] = a
                break
        else:
            d["auth_reason"] = "authorization-exhausted"

    # Evidence reasons R7-R12.
    for d in drafts:
        if d["blocking"]:
            continue
        order, day = d["order"], d["day"]
        reasons = [d["auth_reason"]] if d["auth_reason"] else []
        if order.signed_date is None:
            reasons.append("unsigned-order")
        if not any(p.start_date <= day <= p.end_date for p in plans[order.id]):
            reasons.append("missing-plan-of-care")
        named = [e for e in d["administered"] if e.prep_note]
        if named:  # R28, written out plainly: each named lot must be the order's, cover the
            # entry (a beyond-use hour not before its start) and have a delivery since
            by_id = {p.id: p for p in preps[order.id]}
            r9 = r10 = False
            for e in named:
                note = by_id.get(e.prep_note)
                ok = note is not None and note.date <= day <= note.beyond_use_date and not (
                    day == note.beyond_use_date and note.beyond_use_time is not None
                    and e.start_time is not None and e.start_time > note.beyond_use_time)
                r9 = r9 or not ok
                since = note.date if note is not None else dt.date.min
                r10 = r10 or not any(since <= dl.date <= day for dl in deliveries[order.id])
            reasons += ["missing-prep-note"] * r9 + ["missing-delivery"] * r10
        else:
            covering_preps = [p for p in preps[order.id]
                              if p.date <= day <= p.beyond_use_date]
            if not covering_preps:
                reasons.append("missing-prep-note")
            since = max(p.date for p in covering_preps) if covering_preps else dt.date.min
            if not any(since <= dl.date <= day for dl in deliveries[order.id]):
                reasons.append("missing-delivery")
        if not all(mar_complete(e) for e in d["administered"]):
            reasons.append("incomplete-mar")
        # days between, not day - 29: a service day in the first days of year 1 must not overflow
        if not any(0 <= (day - c).days <= 29 for c in care_dates[order.patient_id]):
            reasons.append("missing-care-note")
        d["reasons"] = reasons

    # R15 concurrency ranks among a patient's days that are not not-billable.
    same_day: dict[tuple[str, dt.date], list[OrderRead]] = defaultdict(list)
    for d in drafts:
        if not d["blocking"]:
            same_day[(d["order"].patient_id, d["day"])].append(d["order"])
    rank: dict[tuple[str, dt.date], int] = {}
    for (_, day), day_orders in same_day.items():
        day_orders.sort(key=lambda o: (-_rate(o), o.start_date, o.id))
        for i, o in enumerate(day_orders):
            rank[(o.id, day)] = i

    results = []
    for d in drafts:
        order, day = d["order"], d["day"]
        if (start and day < start) or (end and day > end):
            continue
        payer = d["payer"]
        common = dict(patient_id=order.patient_id, order_id=order.id, date=day,
                      code=order.per_diem_code, payer_id=payer.id if payer else None)
        if d["blocking"]:
            results.append(DayResult(status=NOT_BILLABLE, reasons=tuple(d["blocking"]), **common))
            continue
        mods: list[str] = []
        r = rank[(order.id, day)]
        if r == 1:
            mods.append("SH")
        elif r >= 2:
            mods.append("SJ")
        if any(e.setting == "suite" for e in d["administered"]):
            mods.append("SS")
        mods.extend(payer.per_diem_modifiers or [])
        mods = list(dict.fromkeys(mods))[:4]  # R18: no modifier twice, at most four
        auth = d["auth"]
        results.append(DayResult(
            status=HOLD if d["reasons"] else BILLABLE,
            reasons=tuple(sorted(d["reasons"], key=REASON_ORDER.index)),
            modifiers=tuple(mods),
            authorization_id=auth.id if auth else None,
            authorization_number=auth.number if auth else None,
            **common,
        ))
    results.sort(key=lambda r: (r.patient_id, r.date, r.order_id))
    return results


def reference_authorization_usage(data: BillingData) -> dict[str, int]:
    """Units used so far by each authorization (R13), by authorization id."""
    used: dict[str, int] = defaultdict(int)
    for r in reference_evaluate(data):
        if r.authorization_id:
            used[r.authorization_id] += 1
    return dict(used)


def _by(items: Iterable, attr: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for item in items:
        out[getattr(item, attr)].append(item)
    return out


def reference_packet_data(
    session: Session,
    *,
    patient_id: str,
    start: dt.date,
    end: dt.date,
    prepared_by: str,
    created_at: dt.datetime,
) -> PacketData:
    """The packet's content as models.billing.packet_data gathered it before issue 8."""
    if end < start:
        raise DomainError("The period ends before it starts: check the from and to dates.")
    pharmacy = reference.get_pharmacy(session)
    if pharmacy is None:
        raise DomainError("The pharmacy's settings (name, NPI, tax id, address) are not set; "
                          "enter them before printing a packet.")
    patient = reference.get_patient(session, patient_id)
    days = reference_evaluate(full_billing_data(session, patient_id), start, end, patient_id)

    day_orders = {d.order_id for d in days}
    orders = [o for o in clinical.list_records(session, registry.ORDER, patient_id=patient_id)
              if o.id in day_orders or _overlaps(o.start_date, o.discontinued_date or o.end_date,
                                                 start, end)]
    order_ids = {o.id for o in orders}

    def of_orders(kind: registry.ClinicalKind) -> list:
        return [r for r in clinical.list_records(session, kind, patient_id=patient_id)
                if r.order_id in order_ids]

    plans = [p for p in of_orders(registry.PLAN_OF_CARE)
             if _overlaps(p.start_date, p.end_date, start, end)]
    preps = [p for p in of_orders(registry.PREP_NOTE)
             if _overlaps(p.date, p.beyond_use_date, start, end)]
    # R10 accepts a delivery made after the covering preparation note, which may predate the period
    since = min([start, *(p.date for p in preps)])
    deliveries = [d for d in of_orders(registry.DELIVERY) if since <= d.date <= end]

    mar = []
    for e in clinical.list_records(session, registry.INFUSION, patient_id=patient_id,
                                   include_voided=True):
        if e.order_id in order_ids and start <= e.date <= end:
            versions = history(session, "infusion", e.id) if e.version > 1 else []
            mar.append(MarEntry(e, versions))
    mar.sort(key=lambda m: (m.entry.date, m.entry.start_time or dt.time.min, m.entry.id))

    care_notes = [n for n in clinical.list_records(session, registry.CARE_NOTE,
                                                   patient_id=patient_id)
                  if n.date <= end and (start - n.date).days <= 29]

    coverages = [c for c in patient.coverages if _overlaps(c.start_date, c.end_date, start, end)]
    coverages.sort(key=lambda c: (c.priority != "primary", c.start_date))
    payer_ids = {d.payer_id for d in days if d.payer_id} | {c.payer_id for c in coverages}
    payers = {p.id: p for p in reference.list_payers(session) if p.id in payer_ids}
    auths = [a for a in reference.list_authorizations(session, patient_id)
             if _overlaps(a.start_date, a.end_date, start, end)]
    prescribers = {o.prescriber_id: reference.get_prescriber(session, o.prescriber_id)
                   for o in orders}

    targets = ({("patient", patient_id)} | {("order", i) for i in order_ids}
               | {("plan_of_care", p.id) for p in plans}
               | {("delivery", d.id) for d in deliveries})
    files = [attachments.load_file(session, a.id)
             for a in attachments.list_attachments(session, patient_id)
             if (a.record_kind, a.record_id) in targets]

    # R26: each record's first version, judged by models/records/late.py
    recorded = {}
    for kind, records in ((registry.ORDER, orders), (registry.PLAN_OF_CARE, plans),
                          (registry.PREP_NOTE, preps), (registry.DELIVERY, deliveries),
                          (registry.INFUSION, [m.entry for m in mar]),
                          (registry.CARE_NOTE, care_notes)):
        for r in records:
            versions = history(session, kind.key, r.id)
            at, by = ((versions[0].recorded_at, versions[0].recorded_by) if versions
                      else (r.recorded_at, r.recorded_by))  # rows written without a history
            late = is_late(getattr(r, kind.listing_date), at) if at else False
            recorded[(kind.key, r.id)] = Recorded(at, by, late_note(at, by, None) if late
                                                  else None)
    claims = {key: info.account_number for key, info in claimed_days(
        session, patient_id, start=start, end=end).items()}

    return PacketData(
        pharmacy=pharmacy, patient=patient, start=start, end=end, created_at=created_at,
        prepared_by=prepared_by, days=days, orders=orders, prescribers=prescribers,
        payers=payers, coverages=coverages, authorizations=auths, plans_of_care=plans,
        prep_notes=preps, deliveries=deliveries, mar=mar, care_notes=care_notes,
        attachments=files, recorded=recorded, claims=claims,
    )
