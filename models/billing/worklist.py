"""Today's work list: what the staff must do today, read off the billing rules' own output.

No rule is implemented again here: the holds are `rules.evaluate`'s days with status hold and
their reasons (the record that settles each from `fixes.record_to_fix`); "not yet logged" is an
order in force (`OrderBase.active_on`, R2) with no entry for the day, which is R1's no-infusion
day before anyone typed it; authorization units come from R13's count
(`rules.authorization_units` over the period's own data); a beyond-use date is R9's and a care
note's reach R12's (`rules.CARE_NOTE_DAYS`); an unsigned order is R7's; a claim is ready for a
billable day no claim batch holds (`month.shown_status`); a nursing visit on hold is R34's
(`visit_data.billable_visits`). The GUI's Today page and `main.py worklist` both show it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models.billing import loading, month, rules
from models.billing.fixes import record_to_fix
from models.billing.visit_data import billable_visits
from models.billing.visits import FIRST_HOURS, VISIT_REASON_ORDER, VISIT_REASONS
from models.claims.batches import claimed_days
from models.records import registry
from models.records.reference import list_authorizations, list_patients
from models.records.tables import (
    Authorization,
    AuthorizationRead,
    CareNote,
    Infusion,
    Order,
    OrderRead,
    PrepNote,
)
from models.words import plural

HOLD_DAYS = 31  # holds are looked for over the last month (the days a claim still waits on)
AUTH_ENDING_DAYS = 14  # an authorization ending within two weeks is listed
FEW_UNITS = 3  # ... and so is one with this many units left or fewer
BUD_DAYS = 2  # a preparation's beyond-use date from yesterday to two days on is listed
CARE_DUE_DAYS = 7  # a care note falling due within a week is listed

UNLOGGED, HOLDS, VISITS, AUTHORIZATIONS, BEYOND_USE, CARE_NOTES, UNSIGNED, CLAIMS = (
    "unlogged", "holds", "visits", "authorizations", "beyond-use", "care-notes", "unsigned",
    "claims")
SECTIONS: dict[str, str] = {
    UNLOGGED: "Infusions not yet logged",
    HOLDS: "Days on hold",
    VISITS: "Nursing visits on hold",
    AUTHORIZATIONS: "Authorizations running out",
    BEYOND_USE: "Beyond-use dates expiring",
    CARE_NOTES: "Care notes falling due",
    UNSIGNED: "Unsigned orders",
    CLAIMS: "Claims ready to send",
}


@dataclass(frozen=True)
class WorkItem:
    """One line of the work list and the place that settles it: the form of `kind` (a
    registry key, "patient" for the patient form, "claims" for the claim drafts) on the
    saved `record_id`, or a new record for `order_id` and `day` when it is None."""

    section: str
    patient_id: str
    patient_name: str
    text: str
    kind: str
    record_id: str | None = None
    order_id: str | None = None
    day: dt.date | None = None
    reason: str | None = None  # a hold's reason code (rules.REASONS, visits.VISIT_REASONS)
    code: str | None = None  # the code of a new authorization (99601 for a visit's, R34)


@dataclass
class WorkList:
    today: dt.date
    items: list[WorkItem] = field(default_factory=list)

    def section(self, key: str) -> list[WorkItem]:
        return [i for i in self.items if i.section == key]

    def counts(self) -> dict[str, int]:
        return {key: len(self.section(key)) for key in SECTIONS}


def _us(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _span(dates: list[dt.date]) -> str:
    first, last = min(dates), max(dates)
    if first == last:
        return _us(first)
    return f"{_us(first)}–{_us(last)} ({plural(len(set(dates)), 'day')})"


def _orders_in_force(session: Session, first: dt.date, last: dt.date) -> list[OrderRead]:
    """The orders not void that are in force (R2) on some day of first..last: read by their
    dates, not the pharmacy's every order since it opened."""
    return [OrderRead.model_validate(o) for o in session.exec(
        select(Order).where(
            Order.voided == False, Order.start_date <= last,  # noqa: E712
            or_(col(Order.end_date).is_(None), col(Order.end_date) >= first),
            or_(col(Order.discontinued_date).is_(None), col(Order.discontinued_date) >= first))
        .order_by(Order.start_date, Order.id)).all()]


def _authorizations_on(session: Session, day: dt.date) -> list[AuthorizationRead]:
    """The authorizations whose dates hold `day`, by start date and id."""
    return [AuthorizationRead.model_validate(a) for a in session.exec(
        select(Authorization).where(Authorization.start_date <= day,
                                    Authorization.end_date >= day)
        .order_by(Authorization.start_date, Authorization.id)).all()]


def build_worklist(session: Session, today: dt.date) -> WorkList:
    """Everything of today's list, in the order of SECTIONS (within one: patient, date)."""
    names = {p.id: p.display_name for p in list_patients(session)}
    yesterday = today - dt.timedelta(days=1)
    orders = _orders_in_force(session, yesterday, today)
    live = [o for o in orders if o.active_on(today)]
    out = WorkList(today)
    add = out.items.append

    # not yet logged, yesterday and today: an order in force due a dose (the day after its
    # last entry, or its last entry plus the gap between its last two: a weekly order is due
    # a week on) with no entry that day
    entry_dates: dict[str, set[dt.date]] = defaultdict(set)
    for order_id, day in session.execute(select(Infusion.order_id, Infusion.date).where(
            Infusion.voided == False, Infusion.date <= today,  # noqa: E712
            col(Infusion.order_id).in_([o.id for o in orders]))).all():
        entry_dates[order_id].add(day)
    for o in orders:
        dates = sorted(entry_dates.get(o.id, ()))
        for day in (yesterday, today):
            if not o.active_on(day) or day in dates:
                continue
            before = [d for d in dates if d < day]
            due = (o.start_date if not before else before[-1] + (
                before[-1] - before[-2] if len(before) > 1 else dt.timedelta(days=1)))
            if due <= day:
                add(WorkItem(UNLOGGED, o.patient_id, names.get(o.patient_id, o.patient_id),
                             f"{o.drug_name} ({o.id}): no entry for {_us(day)}"
                             + (f" (due since {_us(due)})" if due < yesterday else ""),
                             registry.INFUSION.key, order_id=o.id, day=day))

    # holds over the last month, by reason (the rules' order): one line per order and reason
    # with its days, opening what settles the first of them
    start = today - dt.timedelta(days=HOLD_DAYS)
    data, days = loading.billing_period(session, start, today)
    held: dict[tuple[str, str], list[rules.DayResult]] = defaultdict(list)
    for d in days:
        if d.status == rules.HOLD:
            for reason in d.reasons:
                held[(reason, d.order_id)].append(d)
    for (reason, _order_id), group in sorted(held.items(), key=lambda kv: (
            rules.REASON_ORDER.index(kv[0][0]), kv[1][0].patient_id, kv[1][0].date)):
        r, d = rules.REASONS[reason], group[0]
        add(WorkItem(HOLDS, d.patient_id, names.get(d.patient_id, d.patient_id),
                     f"{d.order_id}, {_span([g.date for g in group])}: {r.text} ({r.rule})",
                     r.fixed_in, record_to_fix(session, reason, d), d.order_id, d.date, reason))

    out.items += _visit_holds(session, start, today, names)

    # authorizations in force: ending soon or with few units left (R13's own count)
    in_force = [a for a in _authorizations_on(session, today) if a.covers(today)]
    # the period's data holds every authorization chain reaching today with its earlier
    # service days (R13's look-back): the units used through today, without a second read
    used = rules.authorization_units(data)
    for a in in_force:
        left = a.units - used.get(a.id, 0)
        ends_in = (a.end_date - today).days
        if ends_in <= AUTH_ENDING_DAYS or left <= FEW_UNITS:
            add(WorkItem(AUTHORIZATIONS, a.patient_id, names.get(a.patient_id, a.patient_id),
                         f"{a.number} ({a.code}): ends {_us(a.end_date)}, "
                         f"{plural(left, 'unit')} left", registry.AUTHORIZATION.key, a.id))

    # beyond-use dates (R9): the latest preparation of each order in force
    # only the notes of the orders in force: never five years of preparations
    latest: dict[str, object] = {}
    for row in session.exec(select(PrepNote).where(
            PrepNote.voided == False, col(PrepNote.order_id).in_([o.id for o in live]))  # noqa: E712
            .order_by(PrepNote.date, PrepNote.id)):
        latest[row.order_id] = registry.PREP_NOTE.read.model_validate(row)
    for o in live:
        p = latest.get(o.id)
        if p is not None and -1 <= (p.beyond_use_date - today).days <= BUD_DAYS:
            verb = "expired" if p.beyond_use_date < today else "expires"
            add(WorkItem(BEYOND_USE, o.patient_id, names.get(o.patient_id, o.patient_id),
                         f"{o.drug_name} ({o.id}): preparation {p.id} {verb} "
                         f"{_us(p.beyond_use_date)}", registry.PREP_NOTE.key,
                         order_id=o.id, day=today))

    # care notes (R12): the last note of each patient with an order in force reaches 29 days
    last_note: dict[str, dt.date] = dict(session.execute(
        select(CareNote.patient_id, func.max(CareNote.date))
        .where(CareNote.voided == False,  # noqa: E712
               col(CareNote.patient_id).in_({o.patient_id for o in live}))
        .group_by(CareNote.patient_id)).all())
    for pid in sorted({o.patient_id for o in live}):
        last = last_note.get(pid)
        due = None if last is None else last + dt.timedelta(days=rules.CARE_NOTE_DAYS + 1)
        if due is None or (due - today).days <= CARE_DUE_DAYS:
            text = ("no care coordination note yet" if due is None else
                    f"next care note due {_us(due)} (last {_us(last)})")
            add(WorkItem(CARE_NOTES, pid, names.get(pid, pid), text, registry.CARE_NOTE.key,
                         day=today))

    # R7: orders in force without a signed date
    for o in live:
        if o.signed_date is None:
            add(WorkItem(UNSIGNED, o.patient_id, names.get(o.patient_id, o.patient_id),
                         f"{o.drug_name} ({o.id}) has no signed date", registry.ORDER.key,
                         o.id, o.id))

    # claims: billable days no batch holds yet, per patient
    claimed = claimed_days(session, start=start, end=today)
    ready: dict[str, list[dt.date]] = defaultdict(list)
    for d in days:
        if month.shown_status(d, claimed) == rules.BILLABLE:
            ready[d.patient_id].append(d.date)
    for pid in sorted(ready):
        dates = ready[pid]
        add(WorkItem(CLAIMS, pid, names.get(pid, pid),
                     f"{plural(len(dates), 'billable day')} to claim, "
                     + (_us(min(dates)) if len(set(dates)) == 1
                        else f"{_us(min(dates))}–{_us(max(dates))}"),
                     "claims"))
    return out


def _visit_holds(session: Session, start: dt.date, today: dt.date,
                 names: dict[str, str]) -> list[WorkItem]:
    """R34: the nursing visits of [start, today] on hold, one line per visit and reason,
    opening what settles it: the visit (incomplete), the 99601 authorization that ran out
    (more units go on it, as for R13's days), or a new 99601 authorization."""
    results = [r for r in billable_visits(session, start, today) if r.status == rules.HOLD]
    if not results:
        return []
    auths = [a for a in list_authorizations(session) if a.code == FIRST_HOURS]
    items = []
    for r in results:
        for reason in r.reasons:
            why = VISIT_REASONS[reason]
            text = (f"visit {r.visit_id} ({r.order_id}), {_us(r.date)}: {why.text} "
                    f"({why.rule})")
            name = names.get(r.patient_id, r.patient_id)
            if reason == "incomplete-visit":
                items.append(WorkItem(VISITS, r.patient_id, name, text,
                                      registry.NURSING_VISIT.key, r.visit_id, r.order_id,
                                      r.date, reason))
                continue
            ran_out = [a.id for a in auths if reason == "authorization-exhausted"
                       and a.patient_id == r.patient_id and a.payer_id == r.payer_id
                       and a.covers(r.date)]
            items.append(WorkItem(VISITS, r.patient_id, name, text,
                                  registry.AUTHORIZATION.key, ran_out[-1] if ran_out else None,
                                  r.order_id, r.date, reason, FIRST_HOURS))
    items.sort(key=lambda i: (VISIT_REASON_ORDER.index(i.reason or ""), i.patient_name,
                              i.day or today))
    return items


def to_text(work: WorkList) -> str:
    """The list as plain text, section by section (`main.py worklist`)."""
    lines = [f"Work list for {_us(work.today)}"]
    for key, title in SECTIONS.items():
        items = work.section(key)
        lines.append("")
        lines.append(f"{title} ({len(items)})")
        lines.extend(f"  {i.patient_name}: {i.text}" for i in items)
        if not items:
            lines.append("  nothing")
    return "\n".join(lines) + "\n"
