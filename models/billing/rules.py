"""The per diem billing rules R1-R18 of BILLING_RULES.md (and R27's hold, by the pharmacy's
setting in `BillingData`; R28's lots in R9/R10; R29's access days, from
models/billing/access_days.py, and R30's suite place of service, by the billed payer's
contract), as pure functions over read objects.

No session, no I/O, no clock: callers load a `BillingData` snapshot and call `evaluate`.
The calendar, the packets, the claim drafts and the command line all use this one function.
One module over 400 lines on purpose: R1-R18 read as one rule book, in the book's order.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate, groupby

from models.billing.access_days import access_service_days
from models.records.lots import covers
from models.records.tables import (
    AuthorizationRead,
    CareNoteRead,
    CoverageRead,
    DeliveryRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PlanOfCareRead,
    PrepNoteRead,
)
from models.vocab import ACCESS_DAYS, ADMINISTERED, INFUSION_DAYS

BEFORE_CLAIM, BEFORE_SERVICE = "before-claim", "before-service"  # R27 (vocab.ORDER_SIGNATURES)
BILLABLE = "billable"
HOLD = "hold"
NOT_BILLABLE = "not-billable"
STATUSES = (BILLABLE, HOLD, NOT_BILLABLE)


@dataclass(frozen=True)
class Reason:
    rule: str
    code: str
    text: str
    fix: str
    fixed_in: str  # the record kind a user edits to fix it (registry key): the GUI opens its form

    @property
    def sentence(self) -> str:
        return f"{self.text}: {self.fix}."


REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason("R1", "no-infusion", "No dose was given this day (every entry is held, refused "
               "or missed)", "a per diem day needs an administered infusion", "infusion"),
        Reason("R2", "no-active-order", "The order is not in force on this day",
               "check the order's start, end and discontinued dates", "order"),
        Reason("R3", "no-coverage", "The patient has no primary coverage on this day",
               "add or correct the patient's coverage dates", "patient"),
        Reason("R4", "medicare-s-code", "Medicare does not pay home infusion S-codes",
               "bill Medicare with its own home infusion codes, not this per diem", "patient"),
        Reason("R5", "no-authorization", "The payer requires prior authorization and none "
               "covers this day", "add the authorization or correct its dates", "authorization"),
        Reason("R6", "authorization-exhausted", "Every authorization covering this day has used "
               "all its units", "ask the payer for more units and record them", "authorization"),
        Reason("R7", "unsigned-order", "The order has no signed date",
               "record the date the prescriber signed it", "order"),
        # R27 with the pharmacy's order_signature `before-service`: right after R7's place
        Reason("R27", "order-signed-late", "The order was signed after this day, and the "
               "pharmacy bills only days served once the order is signed",
               "open the order and check its signed date (if it was signed earlier, correct "
               "it; if not, the day cannot be billed on this order)", "order"),
        Reason("R8", "missing-plan-of-care", "No plan of care covers this day",
               "add one or correct its dates", "plan_of_care"),
        Reason("R9", "missing-prep-note", "No preparation note covers this day",
               "add one, correct its beyond-use date, or correct the lot the entry names "
               "(R28)", "prep_note"),
        Reason("R10", "missing-delivery", "No delivery supports this day",
               "record the delivery made after the preparation and before the infusion",
               "delivery"),
        Reason("R11", "incomplete-mar", "The infusion record is incomplete",
               "fill in start time, end time, dose given and who administered it", "infusion"),
        Reason("R12", "missing-care-note", "No care coordination note in the 30 days up to "
               "this day", "add a care coordination note", "care_note"),
    )
}
REASON_ORDER = list(REASONS)
NOT_BILLABLE_REASONS = frozenset(REASON_ORDER[:4])
CARE_NOTE_DAYS = 29  # R12: a care note dated up to 29 days before the service date counts


def care_notes_from(day: dt.date) -> dt.date:
    """The earliest date of a care note that counts for `day` (R12); never before year 1."""
    if day <= dt.date.min + dt.timedelta(days=CARE_NOTE_DAYS):
        return dt.date.min
    return day - dt.timedelta(days=CARE_NOTE_DAYS)


@dataclass(frozen=True, slots=True)
class InfusionFacts:
    """The fields of an infusion entry the rules and the claims read: a light read object, so a
    long window costs a few Python objects per row instead of a validated model."""

    id: str
    order_id: str
    date: dt.date
    status: str
    setting: str
    start_time: dt.time | None
    end_time: dt.time | None
    dose_given: Decimal | None
    administered_by: str | None
    wasted: Decimal | None = None  # discarded from a single-dose vial (JW), in the dose unit
    prep_note: str | None = None  # R28: the lot given from (a preparation note id)

    @property
    def administered(self) -> bool:
        return self.status in ADMINISTERED


@dataclass(frozen=True, slots=True)
class PlanFacts:
    id: str
    order_id: str
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class PrepNoteFacts:
    id: str
    order_id: str
    date: dt.date
    beyond_use_date: dt.date
    beyond_use_time: dt.time | None = None  # R28: the beyond-use hour


@dataclass(frozen=True, slots=True)
class DeliveryFacts:
    id: str
    order_id: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class CareNoteFacts:
    id: str
    patient_id: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class PriorDay:
    """A service day before the period asked for, as R13 needs it: whether any entry of the
    day was administered (R1); its order's dates, coverage and payer give R2-R4."""

    order_id: str
    date: dt.date
    administered: bool


@dataclass
class BillingData:
    """Everything the rules read: current, non-voided records (payers and patients by id).

    Either the whole history, or what can affect a period
    (models.billing.loading.load_billing_data):
    then `prior_days` are the earlier service days whose authorization units (R13) the period
    still feels, and `orders` also holds their orders. Records may be the `...Read` models or
    the light `...Facts` objects above; the rules read the same fields of either."""

    payers: dict[str, PayerRead]
    patients: dict[str, PatientRead]
    orders: list[OrderRead]
    infusions: list[InfusionRead | InfusionFacts]
    plans_of_care: list[PlanOfCareRead | PlanFacts] = field(default_factory=list)
    authorizations: list[AuthorizationRead] = field(default_factory=list)
    prep_notes: list[PrepNoteRead | PrepNoteFacts] = field(default_factory=list)
    deliveries: list[DeliveryRead | DeliveryFacts] = field(default_factory=list)
    care_notes: list[CareNoteRead | CareNoteFacts] = field(default_factory=list)
    prior_days: list[PriorDay] = field(default_factory=list)
    # R27, the pharmacy's setting: before-claim (R7 as written) | before-service
    order_signature: str = BEFORE_CLAIM
    # R29: access days run no further than today (a day not yet lived is not on service yet);
    # None: no limit (the pure rules have no clock: loading sets it)
    today: dt.date | None = None


@dataclass(frozen=True)
class DayResult:
    """One service day (order, date) with its status, reasons, modifiers and authorization."""

    patient_id: str
    order_id: str
    date: dt.date
    code: str
    status: str
    reasons: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()
    payer_id: str | None = None
    authorization_id: str | None = None
    authorization_number: str | None = None
    basis: str = INFUSION_DAYS  # R29: the basis that made it a service day
    place_of_service: str = "12"  # R30: 49 for a suite day of a payer billing suites so

    @property
    def reason_sentences(self) -> list[str]:
        return [REASONS[r].sentence for r in self.reasons]


def billed_coverage(coverages: Iterable[CoverageRead], day: dt.date) -> CoverageRead | None:
    """The primary coverage in force on `day`.

    Two primary coverages overlapping is a data-entry problem; the one that started last wins
    (then the one entered last), as it is the one the patient most recently presented.
    """
    best = None
    for cov in coverages:
        if cov.priority == "primary" and cov.covers(day):
            if best is None or cov.start_date >= best.start_date:
                best = cov
    return best


def mar_complete(entry: InfusionRead) -> bool:
    return (
        entry.start_time is not None
        and entry.end_time is not None
        and entry.dose_given is not None
        and bool((entry.administered_by or "").strip())
    )


def _rate(order: OrderRead) -> Decimal:
    return order.per_diem_rate if order.per_diem_rate is not None else Decimal(0)


def _blocking(order: OrderRead, day: dt.date, administered: bool, patient: PatientRead,
              payers: dict[str, PayerRead]) -> tuple[list[str], PayerRead | None]:
    """R1-R4 for one service day, and the billed payer."""
    blocking: list[str] = []
    if not administered:
        blocking.append("no-infusion")
    if not order.active_on(day):
        blocking.append("no-active-order")
    coverage = billed_coverage(patient.coverages, day)
    payer = payers.get(coverage.payer_id) if coverage else None
    if payer is None:
        blocking.append("no-coverage")
    elif payer.kind == "medicare" and order.per_diem_code.startswith("S"):
        blocking.append("medicare-s-code")
    return blocking, payer


class _Units:
    """R13: authorization units taken in the order days are offered (date, then order id)."""

    def __init__(self, authorizations: Iterable[AuthorizationRead]) -> None:
        self.by_key: dict[tuple[str, str, str], list[AuthorizationRead]] = defaultdict(list)
        for a in sorted(authorizations, key=lambda a: (a.start_date, a.id)):
            self.by_key[(a.patient_id, a.payer_id, a.code)].append(a)
        self.starts = {k: [a.start_date for a in v] for k, v in self.by_key.items()}
        self.used: dict[str, int] = defaultdict(int)

    def take(self, patient_id: str, payer_id: str, code: str, day: dt.date
             ) -> tuple[AuthorizationRead | None, str | None]:
        """The authorization that gives `day` its unit, or the reason none does (R5, R6)."""
        key = (patient_id, payer_id, code)
        auths = self.by_key.get(key)
        if not auths:
            return None, "no-authorization"
        covering = False
        # sorted by start date, then id: the earliest covering one with units left wins
        for i in range(bisect_right(self.starts[key], day)):
            a = auths[i]
            if a.end_date >= day:
                covering = True
                if self.used[a.id] < a.units:
                    self.used[a.id] += 1
                    return a, None
        return None, "authorization-exhausted" if covering else "no-authorization"


AuthorizationUnits = _Units  # R13's counting, which R34 applies to visits (billing/visits.py)


def _service_days(data: BillingData, orders: dict[str, OrderRead], start: dt.date | None,
                  end: dt.date | None
                  ) -> tuple[dict[tuple[str, dt.date], bool], dict[tuple[str, dt.date], list],
                             set[tuple[str, dt.date]]]:
    """The service days before `start` ((order, date) -> administered, or an access day) and
    those in [start, end] (-> their entries), and which of them are R29 access days (an access
    day without entries has none). Days after `end` cannot change the period: R13 takes units
    in date order and R15 ranks within one date; their entries only tell R29 whether a gap
    ended within 7 days."""
    prior: dict[tuple[str, dt.date], bool] = {}
    given: dict[str, set[dt.date]] = defaultdict(set)  # R29: administered dates per order
    for p in data.prior_days:
        if p.order_id in orders:
            prior[(p.order_id, p.date)] = prior.get((p.order_id, p.date), False) or p.administered
            if p.administered:
                given[p.order_id].add(p.date)
    entries: dict[tuple[str, dt.date], list] = defaultdict(list)
    for e in data.infusions:
        if e.order_id not in orders:
            continue
        if e.administered:
            given[e.order_id].add(e.date)
        if end is not None and e.date > end:
            continue
        if start is not None and e.date < start:
            key = (e.order_id, e.date)
            prior[key] = prior.get(key, False) or e.administered
        else:
            entries[(e.order_id, e.date)].append(e)
    until = min((d for d in (end, data.today) if d is not None), default=None)
    access = access_service_days(orders, given, lambda order, day: _basis(data, order, day),
                                 until) if any(p.per_diem_basis == ACCESS_DAYS
                                             for p in data.payers.values()) else set()
    for key in access:  # R1 does not apply on an access day
        if start is not None and key[1] < start:
            prior[key] = True
        else:
            entries.setdefault(key, [])
    return prior, entries, access


def _basis(data: BillingData, order: OrderRead, day: dt.date) -> str | None:
    """R29: the per diem basis of the patient's billed payer on `day` (None: no payer)."""
    coverage = billed_coverage(data.patients[order.patient_id].coverages, day)
    payer = data.payers.get(coverage.payer_id) if coverage else None
    return payer.per_diem_basis if payer else None


def _take_prior_units(data: BillingData, orders: dict[str, OrderRead],
                      prior: dict[tuple[str, dt.date], bool], units: _Units) -> None:
    """R13 over days before the period: only their R1-R4 status decides whether they use a
    unit, so their evidence (R7-R12) is never needed."""
    for order_id, day in sorted(prior, key=lambda k: (k[1], k[0])):
        order = orders[order_id]
        blocking, payer = _blocking(order, day, prior[(order_id, day)],
                                    data.patients[order.patient_id], data.payers)
        if not blocking and payer.requires_prior_auth:
            units.take(order.patient_id, payer.id, order.per_diem_code, day)


class _Evidence:
    """Sorted dates per order (per patient for care notes) for R8-R10 and R12 by bisection."""

    def __init__(self, data: BillingData) -> None:
        self.plans = _by(data.plans_of_care, "order_id")
        preps: dict[str, list] = defaultdict(list)
        for p in sorted(data.prep_notes, key=lambda p: p.date):
            preps[p.order_id].append(p)
        self.prep_dates = {k: [p.date for p in v] for k, v in preps.items()}
        self.prep_buds = {k: [p.beyond_use_date for p in v] for k, v in preps.items()}
        # the latest beyond-use date among a note and every earlier one: the backward search
        # for a covering note stops as soon as no earlier note can reach the day
        self.prep_reach = {k: list(accumulate(v, max)) for k, v in self.prep_buds.items()}
        self.prep_by_id = {p.id: p for p in data.prep_notes}  # R28: the named lots
        self.deliveries = _sorted_dates(data.deliveries, "order_id")
        self.care = _sorted_dates(data.care_notes, "patient_id")

    def has_plan(self, order_id: str, day: dt.date) -> bool:
        return any(p.start_date <= day <= p.end_date for p in self.plans.get(order_id, ()))

    def prep_since(self, order_id: str, day: dt.date) -> dt.date | None:
        """The date of the latest preparation note covering `day` (R9, R10), or None."""
        dates = self.prep_dates.get(order_id)
        if not dates:
            return None
        buds, reach = self.prep_buds[order_id], self.prep_reach[order_id]
        i = bisect_right(dates, day) - 1
        while i >= 0 and reach[i] >= day:
            if buds[i] >= day:
                return dates[i]
            i -= 1
        return None

    def lot_reasons(self, order_id: str, day: dt.date, named: list) -> list[str]:
        """R28: R9 and R10 for the administered entries of a day that name their lot. R9
        applies when a named note is not the order's, or does not cover the entry (its dates,
        and a beyond-use hour not before the start); R10 when for a named note no delivery
        of the order is dated from the note's date to the day (from any date when the note is
        not on file: void, or another order's)."""
        r9 = r10 = False
        for entry in named:
            note = self.prep_by_id.get(entry.prep_note)
            if note is None or note.order_id != order_id:
                note = None
            r9 = r9 or note is None or not covers(note, day, entry.start_time)
            since = note.date if note is not None else dt.date.min
            r10 = r10 or not self.has_delivery(order_id, since, day)
        return (["missing-prep-note"] if r9 else []) + (["missing-delivery"] if r10 else [])

    def has_delivery(self, order_id: str, since: dt.date, day: dt.date) -> bool:
        dates = self.deliveries.get(order_id, ())
        i = bisect_right(dates, day)
        return i > 0 and dates[i - 1] >= since

    def has_care_note(self, patient_id: str, day: dt.date) -> bool:
        # days between, not day - 29: a service day in the first days of year 1 must not
        # overflow
        dates = self.care.get(patient_id, ())
        i = bisect_right(dates, day)
        return i > 0 and (day - dates[i - 1]).days <= CARE_NOTE_DAYS


def _draft(data: BillingData, order: OrderRead, day: dt.date, entries: list, units: _Units,
           evidence: _Evidence, access: bool = False) -> tuple:
    """R1-R4 (R1 not on an R29 access day); then R13 (called in date then order id order) and
    R5-R12 (R11 judging the entries that exist)."""
    administered = [e for e in entries if e.administered]
    blocking, payer = _blocking(order, day, bool(administered) or access,
                                data.patients[order.patient_id], data.payers)
    if blocking:
        return order, administered, payer, blocking, None, []
    auth, reasons = None, []
    if payer.requires_prior_auth:
        auth, reason = units.take(order.patient_id, payer.id, order.per_diem_code, day)
        if reason:
            reasons.append(reason)
    if order.signed_date is None:
        reasons.append("unsigned-order")
    elif data.order_signature == BEFORE_SERVICE and day < order.signed_date:
        reasons.append("order-signed-late")  # R27
    if not evidence.has_plan(order.id, day):
        reasons.append("missing-plan-of-care")
    named = [e for e in administered if getattr(e, "prep_note", None)]
    if named:  # R28: the lots the entries name, as written
        reasons += evidence.lot_reasons(order.id, day, named)
    else:
        since = evidence.prep_since(order.id, day)
        if since is None:
            reasons.append("missing-prep-note")
        if not evidence.has_delivery(order.id, since or dt.date.min, day):
            reasons.append("missing-delivery")
    if not all(mar_complete(e) for e in administered):
        reasons.append("incomplete-mar")
    if not evidence.has_care_note(order.patient_id, day):
        reasons.append("missing-care-note")
    return order, administered, payer, blocking, auth, reasons


def _result(order: OrderRead, day: dt.date, administered: list, payer: PayerRead | None,
            blocking: list[str], auth: AuthorizationRead | None, reasons: list[str],
            rank: int, access: bool = False) -> DayResult:
    """The row of one service day, with its modifiers (R15-R18) and place of service (R30)."""
    if blocking:
        return DayResult(order.patient_id, order.id, day, order.per_diem_code, NOT_BILLABLE,
                         tuple(blocking), payer_id=payer.id if payer else None)
    mods: list[str] = []
    if rank == 1:
        mods.append("SH")
    elif rank >= 2:
        mods.append("SJ")
    place = "12"
    if any(e.setting == "suite" for e in administered):
        if payer.suite_place_of_service == "49":
            place = "49"  # R30: the place of service says suite, no SS
        else:
            mods.append("SS")
    mods.extend(payer.per_diem_modifiers or [])
    mods = list(dict.fromkeys(mods))[:4]  # R18: no modifier twice, at most four
    return DayResult(
        order.patient_id, order.id, day, order.per_diem_code, HOLD if reasons else BILLABLE,
        tuple(sorted(reasons, key=REASON_ORDER.index)), tuple(mods), payer.id,
        authorization_id=auth.id if auth else None,
        authorization_number=auth.number if auth else None,
        basis=ACCESS_DAYS if access else INFUSION_DAYS, place_of_service=place,
    )


def evaluate(
    data: BillingData,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> list[DayResult]:
    """Apply R1-R18 and return one row per service day in [start, end], sorted by patient,
    date, order. Authorization units (R13) are counted from each authorization's start: the
    service days of `data` before `start` (and its `prior_days`) use their units first, so a
    month never forgets the units an earlier month used."""
    orders = {o.id: o for o in data.orders if patient_id is None or o.patient_id == patient_id}
    prior, entries, access = _service_days(data, orders, start, end)
    units = _Units(data.authorizations)
    _take_prior_units(data, orders, prior, units)
    evidence = _Evidence(data)

    # One date at a time (R13 takes units in date then order order; R15 ranks within a
    # date), so no more than a date's drafts are held at once.
    results: list[DayResult] = []
    days = sorted(entries.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    for day, group in groupby(days, key=lambda kv: kv[0][1]):
        drafts = [_draft(data, orders[order_id], day, day_entries, units, evidence,
                         (order_id, day) in access)
                  for (order_id, _), day_entries in group]
        # R15 concurrency ranks among a patient's days that are not not-billable.
        same_day: dict[str, list[OrderRead]] = defaultdict(list)
        for order, _adm, _payer, blocking, _auth, _reasons in drafts:
            if not blocking:
                same_day[order.patient_id].append(order)
        rank: dict[str, int] = {}
        for day_orders in same_day.values():
            day_orders.sort(key=lambda o: (-_rate(o), o.start_date, o.id))
            for i, o in enumerate(day_orders):
                rank[o.id] = i
        for order, administered, payer, blocking, auth, reasons in drafts:
            results.append(_result(order, day, administered, payer, blocking, auth, reasons,
                                   rank.get(order.id, 0), (order.id, day) in access))
    results.sort(key=lambda r: (r.patient_id, r.date, r.order_id))
    return results


def authorization_units(data: BillingData) -> dict[str, int]:
    """Units used (R13) by each authorization over the service days of `data` (infusions and
    prior days alike), by authorization id; authorizations that used none are left out.

    Only R1-R4 decide whether a day uses a unit, so this needs no evidence records."""
    orders = {o.id: o for o in data.orders}
    prior, entries, access = _service_days(data, orders, None, None)
    for (order_id, day), day_entries in entries.items():
        prior[(order_id, day)] = prior.get((order_id, day), False) or any(
            e.administered for e in day_entries) or (order_id, day) in access
    units = _Units(data.authorizations)
    _take_prior_units(data, orders, prior, units)
    return {k: v for k, v in units.used.items() if v}


def authorization_usage(data: BillingData) -> dict[str, int]:
    """Units used so far by each authorization (R13), by authorization id."""
    used: dict[str, int] = defaultdict(int)
    for r in evaluate(data):
        if r.authorization_id:
            used[r.authorization_id] += 1
    return dict(used)


def _by(items: Iterable, attr: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for item in items:
        out[getattr(item, attr)].append(item)
    return out


def _sorted_dates(items: Iterable, attr: str) -> dict[str, list[dt.date]]:
    out: dict[str, list[dt.date]] = defaultdict(list)
    for item in items:
        out[getattr(item, attr)].append(item.date)
    for dates in out.values():
        dates.sort()
    return out
