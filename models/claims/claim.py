"""What a claim is: its lines, the draft that holds them, the days a claim already bills, and
what a writer needs besides the claims (models/claims/drafts.py makes them, R19-R23)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from models.records.tables import (
    CoverageRead,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PrescriberRead,
)
from models.vocab import DEFAULT_FILING_INDICATOR

FORMATS = ("837p", "cms1500", "csv")
PER_DIEM, DRUG = "per-diem", "drug"  # the two kinds of claim line (R20, R21)
COMPONENT = "component"  # a compound order's listed component (R21, issue 15)
VISIT = "visit"  # a nursing visit's 99601/99602 line (R34)


@dataclass(frozen=True)
class ClaimedInfo:
    """The claim and batch that bill a service day (the newest claim that is not replaced)."""

    claim_id: int
    batch_id: int
    batch_created_at: dt.datetime
    account_number: str
    frequency_code: str
    format: str
    file_name: str
    payer_id: str | None = None  # the payer the claim went to
    payer_claim_number: str | None = None  # the payer's ICN/DCN for it, once recorded

    @property
    def label(self) -> str:
        return f"claimed in batch {self.batch_id} on {self.batch_created_at:%Y-%m-%d}"


@dataclass(frozen=True)
class ClaimLine:
    """One service line: a per diem run of days (R20; a month's days, R31), one day's drug
    (R21), a run of days of one component of a compound order (R21,
    models/claims/component_lines.py), or one code of a nursing visit (R34)."""

    kind: str
    order_id: str
    code: str
    modifiers: tuple[str, ...]
    start: dt.date
    end: dt.date
    units: int
    unit_charge: Decimal | None
    charge: Decimal
    pointers: tuple[int, ...] = ()
    authorization_number: str | None = None
    ndc: str | None = None
    ndc_quantity: Decimal | None = None
    ndc_unit: str | None = None
    description: str = ""
    place_of_service: str = "12"  # R30: 49 for a suite day of a payer billing suites so
    expected: Decimal | None = None  # R32: the payer's expected amount for the line, if given


@dataclass
class ClaimDraft:
    """One claim: a patient, billed payer and calendar month (R19), with its checks."""

    patient: PatientRead
    coverage: CoverageRead
    payer: PayerRead
    month: dt.date  # first day of the month
    account_number: str
    lines: list[ClaimLine]
    diagnosis_codes: list[str]
    prescriber: PrescriberRead | None
    line_prescribers: dict[str, PrescriberRead | None]
    days: list[tuple[str, dt.date]]
    total_charge: Decimal
    authorization_number: str | None = None  # given once for the claim (R23)
    frequency_code: str = "1"
    original_reference: str | None = None
    replaces_claim_id: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    issue_codes: list[str] = field(default_factory=list)  # models.claims.clearing's, if any
    visits: list[str] = field(default_factory=list)  # the nursing visits it bills (R34)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def start(self) -> dt.date:
        return min(line.start for line in self.lines)

    @property
    def end(self) -> dt.date:
        return max(line.end for line in self.lines)

    @property
    def place_of_service(self) -> str:
        """The claim's place of service (837P CLM05-1): 12, or 49 when every line is a suite
        day billed with 49 (R30); a line whose place differs says its own (SV105)."""
        places = {line.place_of_service for line in self.lines}
        return places.pop() if len(places) == 1 else "12"

    @property
    def per_diem_units(self) -> int:
        return sum(line.units for line in self.lines if line.kind == PER_DIEM)

    @property
    def title(self) -> str:
        what = {"7": "replacement claim", "8": "void of claim"}.get(self.frequency_code, "claim")
        return (f"{what} {self.account_number}: {self.patient.display_name} ({self.patient.id}), "
                f"{self.payer.name}, {self.month:%B %Y}")


@dataclass(frozen=True)
class BatchContext:
    """What a writer needs besides the claims: the pharmacy (billing provider and clearinghouse
    settings), when the batch was made and, for an 837P, one control number per interchange;
    `copy` when the claims are written again as a copy of what was sent."""

    pharmacy: PharmacyRead
    created_at: dt.datetime
    control_numbers: tuple[int, ...] = ()
    # a copy of claims already sent (models/claims/copies.py): the writers mark it as one
    # (837P BHT02 18 reissue, a COPY mark on the CMS-1500, the CSV's `copy` column)
    copy: bool = False

    @property
    def usage(self) -> str:
        return self.pharmacy.usage_indicator or "T"


def filing_indicator(payer: PayerRead) -> str | None:
    """R33: the payer's claim filing indicator (SBR09), else its kind's default; None for a
    payer of kind `other` that names none (its claims are refused)."""
    return payer.claim_filing_indicator or DEFAULT_FILING_INDICATOR.get(payer.kind)


def workers_comp(payer: PayerRead) -> bool:
    """A workers' compensation claim: CLM11 EM, REF*Y4, DTP*439, box 10a YES."""
    return filing_indicator(payer) == "WC"


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)
