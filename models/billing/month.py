"""The pharmacy's billing month: one row per patient with the service days by day of month and
the totals per status, the filters by status, reason and payer, and the table as CSV. The
month view shows and exports it; `main.py month` writes the same CSV.

A billable day that a claim batch already holds is shown as CLAIMED (not a rule status): the
rules still say billable, the claims say it is billed.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from models import spreadsheet
from models.billing import loading
from models.billing.revenue import expected_by_patient
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, STATUSES, DayResult
from models.billing.visit_data import load_visit_data
from models.billing.visits import evaluate_visits
from models.claims import batches
from models.claims.claim import ClaimedInfo
from models.records import reference

CLAIMED = "claimed"
Claimed = dict[tuple[str, dt.date], ClaimedInfo]  # (order id, date) -> the claim billing it
NO_PRIMARY_COVERAGE = "No primary coverage"  # the payer column of a patient billing no payer


def shown_status(r: DayResult, claimed: Claimed | None) -> str:
    """The rule status, or CLAIMED for a billable day already in a claim batch."""
    if r.status == BILLABLE and claimed and (r.order_id, r.date) in claimed:
        return CLAIMED
    return r.status


def combined_status(results: list[DayResult]) -> str | None:
    """One status for a day holding several orders' days: a hold needs someone's attention
    first, then anything billable, else the day is not billable."""
    statuses = {r.status for r in results}
    for status in (HOLD, BILLABLE, NOT_BILLABLE):
        if status in statuses:
            return status
    return None


def combined_shown(results: list[DayResult], claimed: Claimed | None) -> str | None:
    """combined_status, where a billable day is "claimed" only when all its billable orders
    are: a day with something left to bill still reads billable."""
    shown = {shown_status(r, claimed) for r in results}
    for status in (HOLD, BILLABLE, CLAIMED, NOT_BILLABLE):
        if status in shown:
            return status
    return None


def count_statuses(results: list[DayResult]) -> dict[str, int]:
    """Service days per status; a day with two orders is two per diem days (two claim lines)."""
    counts = Counter(r.status for r in results)
    return {s: counts.get(s, 0) for s in STATUSES}


def count_claimed(results: list[DayResult], claimed: Claimed | None) -> int:
    """Billable service days already in a claim batch (a part of the billable count)."""
    return sum(1 for r in results if shown_status(r, claimed) == CLAIMED)


@dataclass
class PatientMonth:
    """One patient's service days in a month, by day of month."""

    patient_id: str
    name: str
    payers: str
    days: dict[int, list[DayResult]]
    totals: dict[str, int]
    claimed: Claimed = field(default_factory=dict)  # this patient's claimed days
    expected: Decimal = Decimal("0.00")  # expected revenue of the billable days (R32 prices)

    @property
    def claimed_count(self) -> int:
        return count_claimed(self.results, self.claimed)

    @property
    def results(self) -> list[DayResult]:
        return [r for day in sorted(self.days) for r in self.days[day]]


def patient_months(
    results: list[DayResult], names: dict[str, str], payer_names: dict[str, str],
    claimed: Claimed | None = None, expected: dict[str, Decimal] | None = None,
) -> list[PatientMonth]:
    """Group a month's day results into one row per patient, by name."""
    grouped: dict[str, list[DayResult]] = {}
    for r in results:
        grouped.setdefault(r.patient_id, []).append(r)
    rows = []
    for pid, rs in grouped.items():
        days: dict[int, list[DayResult]] = {}
        for r in rs:
            days.setdefault(r.date.day, []).append(r)
        payer_ids = sorted({r.payer_id for r in rs if r.payer_id})
        payers = ", ".join(payer_names.get(p, p) for p in payer_ids) or NO_PRIMARY_COVERAGE
        mine = {(r.order_id, r.date): (claimed or {})[(r.order_id, r.date)] for r in rs
                if (r.order_id, r.date) in (claimed or {})}
        rows.append(PatientMonth(pid, names.get(pid, pid), payers, days, count_statuses(rs),
                                 mine, (expected or {}).get(pid, Decimal("0.00"))))
    rows.sort(key=lambda p: (p.name.lower(), p.patient_id))
    return rows


@dataclass
class MonthFilter:
    """Which days count; None means any. A patient is shown when one of their days matches."""

    status: str | None = None
    reason: str | None = None
    payer_id: str | None = None  # "" selects days with no primary coverage

    def active(self) -> bool:
        return any(v is not None for v in (self.status, self.reason, self.payer_id))

    def matches(self, r: DayResult) -> bool:
        return (
            (self.status is None or r.status == self.status)
            and (self.reason is None or self.reason in r.reasons)
            and (self.payer_id is None or (r.payer_id or "") == self.payer_id)
        )

    def keeps(self, row: PatientMonth) -> bool:
        return not self.active() or any(self.matches(r) for r in row.results)


@dataclass
class Month:
    """A month's rows (patients by name) and the payers to filter by, (id, name) by name."""

    first: dt.date
    rows: list[PatientMonth]
    payers: list[tuple[str, str]]

    @property
    def expected(self) -> Decimal:
        """Expected revenue of every patient's billable days."""
        return sum((r.expected for r in self.rows), Decimal("0.00"))

    @property
    def dates(self) -> list[dt.date]:
        last = calendar.monthrange(self.first.year, self.first.month)[1]
        return [self.first.replace(day=d) for d in range(1, last + 1)]


def load_month(session: Session, first: dt.date) -> Month:
    """Every patient's service days of the month starting `first`, with the claimed ones."""
    first = first.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    data, days = loading.billing_period(session, first, last)
    names = {p.id: p.display_name for p in reference.list_patients(session)}
    payers = [(p.id, p.name) for p in reference.list_payers(session)]
    claimed = batches.claimed_days(session, start=first, end=last)
    visits = load_visit_data(session, first, last)  # R34: the month's nursing visits
    results = evaluate_visits(visits.visits, visits.patients, visits.payers,
                              visits.authorizations, start=first, end=last)
    expected = expected_by_patient(days, data, reference.get_pharmacy(session), results,
                                   visits.payers)
    return Month(first, patient_months(days, names, dict(payers), claimed, expected), payers)


def csv_rows(first: dt.date, rows: Iterable[PatientMonth]) -> list[list[str]]:
    """The month table as CSV rows: patient id, name, one column per day holding the day's
    status (statuses joined by "+" when a day's orders differ), then the totals."""
    dates = Month(first, [], []).dates
    header = ["patient_id", "name", *(d.isoformat() for d in dates),
              "billable_days", "hold_days", "not_billable_days"]
    out = [header]
    for row in rows:
        cells = []
        for d in dates:
            statuses = {r.status for r in row.days.get(d.day, [])}
            cells.append("+".join(s for s in STATUSES if s in statuses))
        out.append([row.patient_id, row.name, *cells, *(str(row.totals[s]) for s in STATUSES)])
    return out


def to_csv(first: dt.date, rows: Iterable[PatientMonth]) -> str:
    """The text of the month's CSV file (csv's own line ends, \\r\\n); no cell a spreadsheet
    would run as a formula (models/spreadsheet.py)."""
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(spreadsheet.row(r) for r in csv_rows(first, rows))
    return buf.getvalue()
