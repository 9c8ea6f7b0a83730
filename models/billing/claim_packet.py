"""The documentation packet of one claim (issue 10): exactly that claim's payer, coverage,
authorizations, orders and days, with the evidence as it stood when the claim was made.

The claim is the one sent with the claim number (CLM01, PerDiem's patient account number); a
replacement keeps its original's number, so the newest claim holding it is the one meant.
Every clinical record is shown as its last version saved by the batch's `created_at`; what was
added, amended or voided later is listed apart (`PacketData.later`). The days' statuses and the
billed lines are the rules (R1-R23) applied to those versions, so they read as the claim did.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from models.billing import rules
from models.billing.loading import load_billing_data
from models.billing.packet_data import (
    ClaimLineRow,
    ClaimSummary,
    PacketData,
    as_of_records,
    gather,
)
from models.billing.rules import BILLABLE
from models.billing.visit_data import load_visit_data
from models.billing.visits import evaluate_visits
from models.claims.drafts import draft_claims
from models.claims.sent import VOID
from models.claims.visit_claims import VisitBilling
from models.errors import FieldError
from models.records import registry
from models.records.reference import get_pharmacy, list_prescribers
from models.records.tables import (
    Claim,
    ClaimBatch,
    ClaimDay,
    ClaimVisit,
    NursingVisit,
    NursingVisitRead,
)
from models.security.permissions import PACKETS, authorize


def find_claim(session: Session, claim: str) -> Claim:
    """The newest claim sent with the claim number `claim` (CLM01) that bills days: a void
    (frequency 8) keeps the number of the claim it cancels but holds none, so the packet is
    that of the claim it voided."""
    number = (claim or "").strip().upper()
    if not number:
        raise FieldError("claim", "is empty: give the claim number sent in CLM01")
    row = session.exec(select(Claim).where(Claim.patient_account_number == number,
                                            Claim.frequency_code != VOID)
                       .order_by(col(Claim.id).desc())).first()
    if row is None:
        raise FieldError("claim", f'no claim was sent with the claim number "{claim}"')
    return row


def load_claim_packet_data(session: Session, *, claim: str, prepared_by: str,
                           created_at: dt.datetime) -> PacketData:
    """The packet of the claim sent as `claim` (CLM01), as it stood when its batch was made."""
    authorize(session, prepared_by, PACKETS)
    row = find_claim(session, claim)
    batch = session.get(ClaimBatch, row.batch_id)
    assert batch is not None and row.id is not None
    billed = sorted(session.execute(select(ClaimDay.order_id, ClaimDay.date)
                                    .where(ClaimDay.claim_id == row.id)).all(),
                    key=lambda k: (k[1], k[0]))
    keys = {(o, d) for o, d in billed}
    visit_ids = set(session.execute(select(ClaimVisit.visit_id)
                                    .where(ClaimVisit.claim_id == row.id)).scalars())
    visits = [NursingVisitRead.model_validate(v) for v in session.exec(
        select(NursingVisit).where(col(NursingVisit.id).in_(visit_ids)))]
    if not billed and not visits:
        raise FieldError("claim", f"claim {row.patient_account_number} holds no day "
                                  "and no nursing visit")
    dates = [d for _o, d in billed] + [v.date for v in visits]
    start, end = min(dates), max(dates)
    data = gather(session, patient_id=row.patient_id, start=start, end=end,
                  prepared_by=prepared_by, created_at=created_at,
                  only_orders=sorted({o for o, _d in billed} | {v.order_id for v in visits}),
                  payer_id=row.payer_id, as_of=batch.created_at)
    billing = _claim_visits(session, data, visits, start, end, batch.created_at)

    # the rules over the records as they stood: the evidence of the claim's orders replaced
    # by the versions of the claim's time; other orders (R13's units) as they stand
    facts = load_billing_data(session, row.patient_id, start, end)
    mine = {o.id for o in data.orders}
    facts.orders = [o for o in facts.orders if o.id not in mine] + data.orders
    # (the claim's own orders' entries around the claim's days stay: R29's access windows)
    facts.infusions = ([e for e in facts.infusions if e.order_id not in mine
                        or not start <= e.date <= end]
                       + [m.entry for m in data.mar if not m.entry.voided])
    facts.plans_of_care = ([p for p in facts.plans_of_care if p.order_id not in mine]
                           + data.plans_of_care)
    facts.prep_notes = [p for p in facts.prep_notes if p.order_id not in mine] + data.prep_notes
    # the first delivery before the look-back (id "") stands for the older ones (loading.py)
    facts.deliveries = ([d for d in facts.deliveries if d.order_id not in mine or not d.id]
                        + data.deliveries)
    facts.care_notes = list(data.care_notes)
    results = [d for d in rules.evaluate(facts, start, end, row.patient_id)
               if (d.order_id, d.date) in keys]
    data.days = results
    # the claim's days only: an entry of another day is neither billed nor evidence of it
    # (and the entries given during one of its nursing visits, R34)
    linked = {i for v in data.visit_records.values() for i in v.infusions}
    data.mar = [m for m in data.mar
                if (m.entry.order_id, m.entry.date) in keys or m.entry.id in linked]
    days_billed = {d for _o, d in keys}
    data.later = [x for x in data.later if x.kind != registry.INFUSION.key
                  or x.record_date in days_billed]
    data.claims = {key: row.patient_account_number for key in keys}

    prescribers = {p.id: p for p in list_prescribers(session)}
    drafts = draft_claims(results, facts, prescribers, get_pharmacy(session), start=start,
                          end=end, fmt=batch.format, visits=billing)
    draft = next((d for d in drafts if d.payer.id == row.payer_id), None)
    lines = [] if draft is None else [ClaimLineRow(
        ln.kind, ln.order_id, ln.code, ln.modifiers, ln.start, ln.end, ln.units, ln.charge,
        ln.ndc, ln.description) for ln in draft.lines]
    member = next((c.member_id for c in data.coverages if c.priority == "primary"), None)
    data.claim = ClaimSummary(
        account_number=row.patient_account_number, claim_id=row.id, batch_id=batch.id or 0,
        batch_created_at=batch.created_at, batch_created_by=batch.created_by,
        format=batch.format, frequency_code=row.frequency_code,
        payer_claim_number=row.payer_claim_number, original_reference=row.original_reference,
        payer_id=row.payer_id, member_id=draft.coverage.member_id if draft else member,
        diagnosis_codes=list(draft.diagnosis_codes) if draft else sorted(
            {c for o in data.orders for c in o.diagnosis_codes}),
        lines=lines, total_charge=row.total_charge,
        recomputed_total=draft.total_charge if draft else None,
    )
    return data


def _claim_visits(session: Session, data: PacketData, visits: list[NursingVisitRead],
                  start: dt.date, end: dt.date, as_of: dt.datetime) -> VisitBilling:
    """R34 for the nursing visits the claim bills, as they stood when it was made: sets the
    packet's visits (their records, results, later changes) and returns what the claim's
    drafts bill them by. The patient's other visits stand as they are now (R13's units)."""
    if not visits:
        return VisitBilling()
    later: list = []
    stood = as_of_records(session, registry.NURSING_VISIT, visits, as_of, later)
    data.later = sorted(data.later + later, key=lambda c: (c.recorded_at, c.kind, c.record_id))
    mine = {v.id for v in visits}
    facts = load_visit_data(session, start, end, data.patient.id)
    if data.patient.id not in facts.patients:  # every visit of the claim voided since
        facts.patients[data.patient.id] = data.patient
        facts.payers.update(data.payers)
    everyone = [v for v in facts.visits if v.id not in mine] + [
        v for v in stood if not v.voided]
    results = [r for r in evaluate_visits(everyone, facts.patients, facts.payers,
                                          facts.authorizations, start=start, end=end)
               if r.visit_id in mine]
    records = {v.id: v for v in stood}
    used = {r.authorization_number for r in results if r.authorization_number}
    shown = {a.id for a in data.authorizations}
    data.authorizations += [a for a in facts.authorizations if a.number in used
                            and a.id not in shown and a.payer_id in data.payers]
    data.visits = results
    data.visit_records = {r.visit_id: records[r.visit_id] for r in results}
    orders = {o.id: o for o in data.orders}
    return VisitBilling(results=[r for r in results if r.status == BILLABLE],
                        records=records, orders=orders, patients=facts.patients)
