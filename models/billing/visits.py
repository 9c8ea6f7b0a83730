"""R34 nursing visit lines (BILLING_RULES.md Part 2), as pure functions over read objects,
their `billable-visits` table, and the one price lookup of a visit code.

A visit's status does not depend on the per diem day's. In the book's order: `not-billable`
with `no-coverage` (R3: no billed payer on the visit's date) or `medicare-visit` (a Medicare
payer gets no 99601/99602 lines); otherwise `hold` with any of `no-authorization`,
`authorization-exhausted` (authorizations for 99601; one unit per visit, counted as in R13 in
date then visit-id order, from each authorization's start) and `incomplete-visit` (start,
end, nurse or note missing); otherwise `billable`. A visit yields 99601 (1 unit) and, when it
lasted more than 150 minutes, 99602 with units (minutes - 120 + 29) // 60; an end before the
start is the next morning.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models import spreadsheet
from models.billing.contracts import Price, price
from models.billing.rules import (
    BILLABLE,
    HOLD,
    NOT_BILLABLE,
    AuthorizationUnits,
    Reason,
    billed_coverage,
)
from models.records.tables import AuthorizationRead, NursingVisitRead, PatientRead, PayerRead
from models.records.visits import visit_minutes
from models.vocab import VISIT_CODES

FIRST_HOURS, EACH_HOUR = VISIT_CODES  # CPT: home infusion visit, first 2 hours / each hour
FIRST_MINUTES = 120  # what 99601 covers
EXTRA_FROM = 150  # 99602 only for a visit of more than 150 minutes

VISIT_REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason("R3", "no-coverage", "The patient has no primary coverage on the visit's date",
               "add or correct the patient's coverage dates", "patient"),
        Reason("R34", "medicare-visit", "Medicare does not pay nursing visits as 99601/99602",
               "Medicare's home infusion G-codes are a later part of the rule book", "patient"),
        Reason("R5", "no-authorization", "The payer requires prior authorization and none for "
               "99601 covers this visit", "add the authorization for 99601 or correct its "
               "dates", "authorization"),
        Reason("R6", "authorization-exhausted", "Every authorization for 99601 covering this "
               "visit has used all its units", "ask the payer for more visits and record them",
               "authorization"),
        Reason("R34", "incomplete-visit", "The visit record is incomplete",
               "fill in start time, end time, nurse and note", "nursing_visit"),
    )
}
VISIT_REASON_ORDER = list(VISIT_REASONS)
NOT_BILLABLE_VISIT = frozenset({"no-coverage", "medicare-visit"})


def extra_hours(minutes: int | None) -> int:
    """R34: the units of 99602: none up to 150 minutes, then (minutes - 120 + 29) // 60 (an
    additional hour counts once more than 30 minutes of it passed)."""
    if minutes is None or minutes <= EXTRA_FROM:
        return 0
    return (minutes - FIRST_MINUTES + 29) // 60


@dataclass(frozen=True)
class VisitResult:
    """One visit's R34 evaluation: its status, reasons and the codes it bills with units."""

    patient_id: str
    visit_id: str
    order_id: str
    date: dt.date
    status: str
    reasons: tuple[str, ...]
    minutes: int | None
    lines: tuple[tuple[str, int], ...]  # (code, units); a not-billable visit: (99601, 0)
    payer_id: str | None = None
    authorization_id: str | None = None
    authorization_number: str | None = None

    @property
    def reason_sentences(self) -> list[str]:
        return [VISIT_REASONS[r].sentence for r in self.reasons]


def visit_complete(visit: Any) -> bool:
    return (visit.start_time is not None and visit.end_time is not None
            and bool((visit.nurse or "").strip()) and bool((visit.note or "").strip()))


def evaluate_visits(visits: Iterable[NursingVisitRead], patients: Mapping[str, PatientRead],
                    payers: Mapping[str, PayerRead],
                    authorizations: Iterable[AuthorizationRead], *,
                    start: dt.date | None = None, end: dt.date | None = None
                    ) -> list[VisitResult]:
    """R34 for every visit given (current, not void), the results of those in [start, end]
    sorted by patient, date, visit. Visits before `start` are given so that their
    authorization units count (R13)."""
    units = AuthorizationUnits(a for a in authorizations if a.code == FIRST_HOURS)
    out = []
    for v in sorted(visits, key=lambda v: (v.date, v.id)):
        if end is not None and v.date > end:
            continue
        coverage = billed_coverage(patients[v.patient_id].coverages, v.date)
        payer = payers.get(coverage.payer_id) if coverage else None
        reasons: list[str] = []
        auth = None
        if payer is None:
            reasons.append("no-coverage")
        elif payer.kind == "medicare":
            reasons.append("medicare-visit")
        else:
            if payer.requires_prior_auth:
                auth, missing = units.take(v.patient_id, payer.id, FIRST_HOURS, v.date)
                if missing:
                    reasons.append(missing)
            if not visit_complete(v):
                reasons.append("incomplete-visit")
        if start is not None and v.date < start:
            continue
        minutes = visit_minutes(v.start_time, v.end_time)
        if reasons and reasons[0] in NOT_BILLABLE_VISIT:
            status, lines = NOT_BILLABLE, ((FIRST_HOURS, 0),)
        else:
            status = HOLD if reasons else BILLABLE
            extra = extra_hours(minutes)
            lines = ((FIRST_HOURS, 1),) + (((EACH_HOUR, extra),) if extra else ())
        out.append(VisitResult(
            v.patient_id, v.id, v.order_id, v.date, status, tuple(reasons), minutes, lines,
            payer.id if payer else None, auth.id if auth else None,
            auth.number if auth else None))
    out.sort(key=lambda r: (r.patient_id, r.date, r.visit_id))
    return out


def visit_price(code: str, payer: Any, pharmacy: Any) -> Price:
    """The price of one unit of a visit code (R34 through R32's `contracts.price`): the
    payer's rate for the code, else the pharmacy's price list; no charge (None) when neither
    lists it (a claim with a zero-charge visit line is refused: models/claims/checks.py),
    with the payer's expected amount when its contract gives one. The one place the price of a
    visit line is decided."""
    return price(code, payer, None, pharmacy)


# --- the billable-visits table --------------------------------------------------------------

COLUMNS = ("patient", "visit", "date", "code", "units", "status", "reasons", "authorization")


def table_rows(results: Iterable[VisitResult]) -> list[dict[str, str]]:
    """One row per visit and code, sorted by patient, date, visit, code (R34)."""
    out = []
    for r in results:
        for code, n in r.lines:
            out.append({"patient": r.patient_id, "visit": r.visit_id, "date": r.date.isoformat(),
                        "code": code, "units": str(n), "status": r.status,
                        "reasons": ";".join(r.reasons),
                        "authorization": r.authorization_number or ""})
    out.sort(key=lambda row: (row["patient"], row["date"], row["visit"], row["code"]))
    return out


def to_csv(results: Iterable[VisitResult]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(spreadsheet.record(r) for r in table_rows(results))
    return buf.getvalue()


def codes_text(result: VisitResult) -> str:
    """`99601 + 2 x 99602`, or `no line` for a visit that is not billable."""
    parts = [code if n == 1 else f"{n} x {code}" for code, n in result.lines if n]
    return " + ".join(parts) or "no line"


def visit_text(result: VisitResult, payer_names: Mapping[str, str]) -> str:
    """One visit as the calendar's day panel and the packet say it: its codes, status, payer,
    authorization and, when held or not billable, why and what fixes it (R34)."""
    length = "" if result.minutes is None else \
        f", {result.minutes // 60} h {result.minutes % 60:02d} min"
    head = f"Visit {result.visit_id}{length}: {codes_text(result)}, {result.status}"
    facts = [head]
    if result.payer_id:
        facts.append(f"Payer: {payer_names.get(result.payer_id, result.payer_id)}")
    if result.authorization_number:
        facts.append(f"Authorization: {result.authorization_number}")
    facts += result.reason_sentences
    return "\n".join(facts)
