"""Claim drafts (R19-R23): billable days become claims and lines, checked before any export.

Pure functions over read objects: no session, no I/O, no clock. The services in
models/claims/batches.py load the data and record what was written; the writers in reports/
turn checked drafts into 837P, CMS-1500 and CSV files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from models.billing.rules import BILLABLE, BillingData, DayResult, billed_coverage
from models.records.tables import (
    CoverageRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PrescriberRead,
)
from models.validation import (
    MODIFIER_RE,
    NDC_RE,
    TAX_ID_RE,
    hcpcs_problem,
    icd10_problem,
    npi_problem,
)

FORMATS = ("837p", "cms1500", "csv")
PER_DIEM, DRUG = "per-diem", "drug"
MAX_DIAGNOSES = 12  # 837P HI segment and CMS-1500 box 21 (R22)
MAX_POINTERS = 4
MAX_MODIFIERS = 4
MAX_837_LINES = 50  # the 2400 loop repeats at most 50 times
MAX_1500_LINE_CHARGE = Decimal("999999.99")  # six dollar digits in box 24F
MAX_1500_TOTAL = Decimal("9999999.99")  # seven in box 28
X12_DELIMITERS = "~*:^"
# Where each format names the claim a replacement replaces.
ORIGINAL_FIELD = {"837p": "REF*F8", "cms1500": "box 22", "csv": "original_reference"}
# CLAIM filing indicator (SBR09) by payer kind.
FILING_INDICATOR = {"commercial": "CI", "medicaid": "MC", "medicare": "MB", "other": "ZZ"}
# Dose units to the NDC unit of measure of CTP05 (F2 international unit, GR gram, ME milligram,
# ML millilitre, UN unit); a dose in micrograms is given in milligrams.
NDC_UNITS: dict[str, tuple[str, Decimal]] = {
    "mg": ("ME", Decimal(1)), "mcg": ("ME", Decimal("0.001")), "g": ("GR", Decimal(1)),
    "gm": ("GR", Decimal(1)), "ml": ("ML", Decimal(1)), "l": ("ML", Decimal(1000)),
    "iu": ("F2", Decimal(1)), "unit": ("UN", Decimal(1)), "units": ("UN", Decimal(1)),
}


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
    """One service line: a per diem run of days (R20) or one day's drug (R21)."""

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
    def per_diem_units(self) -> int:
        return sum(line.units for line in self.lines if line.kind == PER_DIEM)

    @property
    def title(self) -> str:
        what = "replacement claim" if self.frequency_code == "7" else "claim"
        return (f"{what} {self.account_number}: {self.patient.display_name} ({self.patient.id}), "
                f"{self.payer.name}, {self.month:%B %Y}")


# --- helpers --------------------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def account_number(patient_id: str, payer_id: str, member_id: str, month: dt.date,
                   sequence: int = 1) -> str:
    """A stable patient account number (CLM01, box 26): the same claim always gets the same one.

    `YYMM-` and eight characters of a hash of patient, payer, member id and month: short enough
    for box 26, free of X12 delimiters, and a later claim for the same month gets `-2`, `-3`.
    """
    key = f"{patient_id}|{payer_id}|{member_id}|{month:%Y-%m}".encode()
    digest = hashlib.sha1(key).hexdigest().upper()[:8]
    base = f"{month:%y%m}-{digest}"
    return base if sequence == 1 else f"{base}-{sequence}"


def drug_units(dose: Decimal, unit_amount: Decimal) -> int:
    """R21: the dose given over the HCPCS unit amount, rounded up to a whole unit."""
    return int((dose / unit_amount).to_integral_value(rounding=ROUND_CEILING))


def ndc_quantity(dose: Decimal, dose_unit: str | None) -> tuple[Decimal, str]:
    """The dose in the NDC unit of measure, to the three decimals NDC quantities carry."""
    unit, factor = NDC_UNITS.get((dose_unit or "").strip().lower(), ("UN", Decimal(1)))
    return (dose * factor).quantize(Decimal("0.001")).normalize(), unit


# --- X12 text -------------------------------------------------------------------------------

# X12 basic and extended character set, less the delimiters PerDiem uses.
_X12_ALLOWED = re.compile(r"^[A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]*$")


class X12TextError(ValueError):
    """A value that cannot go into an X12 field as it stands."""


def x12_text(value: str | None, max_len: int) -> str:
    """Free text cleaned for X12: accents dropped, uppercase, delimiters and repeated spaces
    removed, cut to the field's length. Raises X12TextError when nothing usable is left or a
    character has no plain form."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = " ".join(re.sub(f"[{re.escape(X12_DELIMITERS)}]", " ", folded.upper()).split())
    if not text.isascii() or not _X12_ALLOWED.fullmatch(text):
        raise X12TextError(f'"{value}" has characters X12 cannot carry')
    if not text:
        raise X12TextError(f'"{value}" is empty once the X12 delimiters ~ * : ^ are removed')
    return text[:max_len].rstrip()


def x12_id(value: str | None, max_len: int) -> str:
    """An identifier for X12: uppercase, but never altered otherwise, since a changed id would
    name someone else. Raises X12TextError when it holds a delimiter or is too long."""
    text = (value or "").strip().upper()
    if not text:
        raise X12TextError("is empty")
    bad = sorted({ch for ch in text if ch in X12_DELIMITERS})
    if bad:
        raise X12TextError(f'"{value}" holds the X12 delimiter {" ".join(bad)}, which cannot be '
                           "removed from an identifier")
    if not _X12_ALLOWED.fullmatch(text):
        raise X12TextError(f'"{value}" has characters X12 cannot carry')
    if len(text) > max_len:
        raise X12TextError(f'"{value}" is longer than the {max_len} characters X12 allows')
    return text


# --- drafts ---------------------------------------------------------------------------------


def draft_claims(
    days: Iterable[DayResult],
    data: BillingData,
    prescribers: Mapping[str, PrescriberRead],
    pharmacy: PharmacyRead | None,
    *,
    start: dt.date,
    end: dt.date,
    fmt: str = "837p",
    claimed: Mapping[tuple[str, dt.date], ClaimedInfo] | None = None,
    rebill: bool = False,
    used_accounts: Iterable[str] = (),
) -> list[ClaimDraft]:
    """Claim drafts for the billable days of [start, end] (R19-R23), each checked for `fmt`.

    Days already claimed are left out, unless `rebill`: then every claim holding a billable day
    of the period is replaced (frequency 7) by a claim for its days that are still billable,
    wherever in its month they fall, so a replacement never drops a day by accident.
    """
    claimed = claimed or {}
    used = set(used_accounts)
    billable = [d for d in days if d.status == BILLABLE]
    replacing = {claimed[(d.order_id, d.date)].claim_id for d in billable
                 if (d.order_id, d.date) in claimed and start <= d.date <= end}
    orders = {o.id: o for o in data.orders}

    groups: dict[tuple, list[DayResult]] = defaultdict(list)
    for d in billable:
        holder = claimed.get((d.order_id, d.date))
        if holder is None and not start <= d.date <= end:
            continue
        if holder is not None and (not rebill or holder.claim_id not in replacing):
            continue
        coverage = billed_coverage(data.patients[d.patient_id].coverages, d.date)
        if coverage is None or d.payer_id is None:  # R3 makes such a day not-billable
            continue
        key = (d.patient_id, d.payer_id, coverage.member_id, month_of(d.date),
               holder.claim_id if holder else 0)
        groups[key].append(d)

    entries = defaultdict(list)
    for e in data.infusions:
        if e.administered:
            entries[(e.order_id, e.date)].append(e)

    drafts = []
    for key in sorted(groups, key=lambda k: (k[0], k[3], k[1], k[2], k[4])):
        patient_id, payer_id, member_id, month, holder_id = key
        group = groups[key]
        patient = data.patients[patient_id]
        coverage = billed_coverage(patient.coverages, min(d.date for d in group))
        assert coverage is not None
        lines = _per_diem_lines(group, orders) + _drug_lines(group, orders, entries)
        lines.sort(key=lambda ln: (ln.start, ln.kind != PER_DIEM, ln.order_id, ln.end))
        diagnoses, lines = _diagnoses(lines, orders)
        numbers = {ln.authorization_number for ln in lines}
        claim_auth = numbers.pop() if len(numbers) == 1 else None

        if holder_id:
            holder = next(c for c in claimed.values() if c.claim_id == holder_id)
            # the payer knows the claim by its own number (ICN/DCN); PerDiem's is the fallback
            acct, freq = holder.account_number, "7"
            original = holder.payer_claim_number or holder.account_number
        else:
            seq = 1
            while (acct := account_number(patient_id, payer_id, member_id, month, seq)) in used:
                seq += 1
            freq, original = "1", None
        used.add(acct)

        first_order = orders[lines[0].order_id]
        line_prescribers = {ln.order_id: prescribers.get(orders[ln.order_id].prescriber_id)
                            for ln in lines}
        draft = ClaimDraft(
            patient=patient, coverage=coverage, payer=data.payers[payer_id], month=month,
            account_number=acct, lines=lines, diagnosis_codes=diagnoses,
            prescriber=prescribers.get(first_order.prescriber_id),
            line_prescribers=line_prescribers,
            days=sorted({(d.order_id, d.date) for d in group}, key=lambda k: (k[1], k[0])),
            total_charge=money(sum((ln.charge for ln in lines), Decimal(0))),
            authorization_number=claim_auth, frequency_code=freq, original_reference=original,
            replaces_claim_id=holder_id or None,
        )
        draft.problems = check_claim(draft, pharmacy, fmt, orders)
        if holder_id:
            draft.problems += _replacement_problems(draft, holder, groups, data.payers)
        draft.warnings = claim_warnings(draft, pharmacy, fmt)
        if holder_id and not holder.payer_claim_number:
            draft.warnings.append(
                f"The payer's claim number of the original claim {holder.account_number} is not "
                f"recorded: {ORIGINAL_FIELD.get(fmt, 'REF*F8')} carries PerDiem's "
                "claim number; record it with `claim-number` (or Payer claim no. in the "
                "billing calendar).")
        drafts.append(draft)
    return drafts


def _replacement_problems(draft: ClaimDraft, holder: ClaimedInfo, groups: Mapping[tuple, list],
                          payers: Mapping[str, PayerRead]) -> list[str]:
    """A replacement goes to the payer of the claim it replaces, one for one: a payer rejects
    a frequency 7 claim naming a claim it never received."""
    out = []
    old = payers.get(holder.payer_id or "")
    if old is not None and old.id != draft.payer.id:
        out.append(f"Claim {holder.account_number} went to {old.name}, but its days now bill "
                   f"{draft.payer.name}: a replacement must go to the payer of the claim it "
                   f"replaces. Void claim {holder.account_number} with {old.name} (PerDiem "
                   "cannot void claims yet), or correct the coverage.")
    parts = sum(1 for key in groups if key[4] == holder.claim_id)
    if parts > 1:
        out.append(f"The days of claim {holder.account_number} now make {parts} claims (the "
                   "payer or member id changed within the month); a replacement replaces one "
                   "claim with one.")
    return out


def _per_diem_lines(group: list[DayResult], orders: dict[str, OrderRead]) -> list[ClaimLine]:
    """R20: consecutive days of one order with the same modifiers (and authorization) make a
    line; the group is one month, so no line crosses a month."""
    lines: list[ClaimLine] = []
    run: list[DayResult] = []

    def close() -> None:
        if not run:
            return
        order = orders[run[0].order_id]
        rate = order.per_diem_rate
        units = len(run)
        lines.append(ClaimLine(
            kind=PER_DIEM, order_id=order.id, code=run[0].code, modifiers=run[0].modifiers,
            start=run[0].date, end=run[-1].date, units=units, unit_charge=rate,
            charge=money((rate or Decimal(0)) * units),
            authorization_number=run[0].authorization_number,
            description=f"Per diem, {order.drug_name}",
        ))

    for d in sorted(group, key=lambda d: (d.order_id, d.date)):
        prev = run[-1] if run else None
        if prev is not None and not (
            d.order_id == prev.order_id
            and d.date == prev.date + dt.timedelta(days=1)
            and d.modifiers == prev.modifiers
            and d.authorization_number == prev.authorization_number
            and d.date.month == prev.date.month
        ):
            close()
            run = []
        run.append(d)
    close()
    return lines


def _drug_lines(group: list[DayResult], orders: dict[str, OrderRead],
                entries: Mapping[tuple[str, dt.date], list]) -> list[ClaimLine]:
    """R21: one drug line a billable day when the drug has a HCPCS code and a unit amount."""
    lines = []
    for d in group:
        order = orders[d.order_id]
        if not order.drug_hcpcs or not order.drug_hcpcs_unit_amount:
            continue
        dose = sum((e.dose_given or Decimal(0) for e in entries[(d.order_id, d.date)]),
                   Decimal(0))
        units = drug_units(dose, order.drug_hcpcs_unit_amount)
        charge = money((order.drug_unit_charge or Decimal(0)) * units)
        qty, unit = ndc_quantity(dose, order.drug_dose_unit) if order.drug_ndc else (None, None)
        lines.append(ClaimLine(
            kind=DRUG, order_id=order.id, code=order.drug_hcpcs, modifiers=(), start=d.date,
            end=d.date, units=units, unit_charge=order.drug_unit_charge, charge=charge,
            authorization_number=d.authorization_number, ndc=order.drug_ndc,
            ndc_quantity=qty, ndc_unit=unit, description=order.drug_name,
        ))
    return lines


def _diagnoses(lines: list[ClaimLine], orders: dict[str, OrderRead]
               ) -> tuple[list[str], list[ClaimLine]]:
    """R22: the codes of the claim's orders, first order's first; each line points (1-based)
    at up to four codes of its own order."""
    codes: list[str] = []
    for ln in lines:
        for code in orders[ln.order_id].diagnosis_codes:
            if code not in codes:
                codes.append(code)
    pointed = []
    for ln in lines:
        own = list(dict.fromkeys(orders[ln.order_id].diagnosis_codes))[:MAX_POINTERS]
        pointed.append(_replace(ln, pointers=tuple(codes.index(c) + 1 for c in own)))
    return codes, pointed


def _replace(line: ClaimLine, **kw) -> ClaimLine:
    from dataclasses import replace

    return replace(line, **kw)


# --- checks ---------------------------------------------------------------------------------


def _line_name(i: int, ln: ClaimLine, first: str = "line") -> str:
    when = f"{ln.start:%m/%d/%Y}" if ln.start == ln.end else f"{ln.start:%m/%d}-{ln.end:%m/%d/%Y}"
    return f"{first} {i} ({ln.code} {when})"


def check_claim(draft: ClaimDraft, pharmacy: PharmacyRead | None, fmt: str,
                orders: Mapping[str, OrderRead]) -> list[str]:
    """Every problem that keeps the claim from being written, in words a biller can act on.

    pyx12 checks the 837P's syntax only; these are the checks it cannot make: NPI check
    digits, CLM02 = sum of the lines, ICD-10/HCPCS/NDC format, dates, charges."""
    out: list[str] = []
    if pharmacy is None:
        out.append("The pharmacy's settings (name, NPI, tax id, address) are missing: fill them "
                   "in under Settings.")
    else:
        if problem := npi_problem(pharmacy.npi):
            out.append(f"The pharmacy's NPI {pharmacy.npi}: {problem}.")
        if not TAX_ID_RE.fullmatch(pharmacy.tax_id or ""):
            out.append("The pharmacy's tax id must be 9 digits.")
    if not (draft.coverage.member_id or "").strip():
        out.append(f"The patient's {draft.payer.name} coverage has no member id.")
    if draft.coverage.relationship != "self" and not (
        draft.coverage.subscriber_first_name and draft.coverage.subscriber_last_name
    ):
        out.append("The coverage is not the patient's own but names no subscriber.")
    if draft.patient.sex not in ("F", "M", "U"):
        out.append(f'The patient\'s sex "{draft.patient.sex}" is not F, M or U.')

    seen_prescribers = set()
    for order_id, prescriber in draft.line_prescribers.items():
        if prescriber is None:
            out.append(f"Order {order_id} names a prescriber that is not on file.")
        elif prescriber.id not in seen_prescribers:
            seen_prescribers.add(prescriber.id)
            if problem := npi_problem(prescriber.npi):
                out.append(f"Prescriber {prescriber.display_name} NPI {prescriber.npi}: "
                           f"{problem}.")

    if len(draft.diagnosis_codes) > MAX_DIAGNOSES:
        out.append(f"The claim has {len(draft.diagnosis_codes)} diagnosis codes; a claim holds "
                   f"at most {MAX_DIAGNOSES} (R22): correct the orders' diagnosis codes.")
    for code in draft.diagnosis_codes:
        if problem := icd10_problem(code):
            out.append(f"Diagnosis {problem}.")
    for order_id in dict.fromkeys(ln.order_id for ln in draft.lines):
        if not orders[order_id].diagnosis_codes:
            out.append(f"Order {order_id} has no diagnosis code, so its lines point at none.")

    last = month_end(draft.month)
    for i, ln in enumerate(draft.lines, 1):
        name, cap = _line_name(i, ln), _line_name(i, ln, "Line")
        if problem := hcpcs_problem(ln.code):
            out.append(f"The code of {name}: {problem}.")
        if len(ln.modifiers) > MAX_MODIFIERS:
            out.append(f"{cap} has more than {MAX_MODIFIERS} modifiers.")
        for m in ln.modifiers:
            if not MODIFIER_RE.fullmatch(m):
                out.append(f'{cap} has the modifier "{m}", which is not two '
                           "letters or digits.")
        if ln.units <= 0:
            out.append(f"{cap} has no units: check the dose given.")
        if ln.charge <= 0:
            fix = ("record the order's per diem rate" if ln.kind == PER_DIEM
                   else "record the drug's unit charge")
            out.append(f"{cap} has a charge of zero: {fix} on order {ln.order_id}.")
        if ln.ndc is not None and not NDC_RE.fullmatch(ln.ndc):
            out.append(f'The NDC "{ln.ndc}" of {name} is not 11 digits.')
        if ln.end < ln.start:
            out.append(f"{cap} ends before it starts.")
        if not (draft.month <= ln.start and ln.end <= last):
            out.append(f"{cap} falls outside {draft.month:%B %Y}; a line never "
                       "crosses a month (R20).")
        if ln.kind == PER_DIEM and ln.units != (ln.end - ln.start).days + 1:
            out.append(f"{cap} has {ln.units} units for "
                       f"{(ln.end - ln.start).days + 1} days (R20).")
        if not ln.pointers:
            out.append(f"{cap} points at no diagnosis.")
    if draft.total_charge != money(sum((ln.charge for ln in draft.lines), Decimal(0))):
        out.append("The claim total differs from the sum of its lines.")
    if draft.total_charge <= 0:
        out.append("The claim's total charge is zero.")
    if fmt == "837p":
        out.extend(_x12_problems(draft, pharmacy))
    if fmt == "cms1500":
        out.extend(_form_problems(draft))
    return out


def _form_problems(draft: ClaimDraft) -> list[str]:
    """Amounts the CMS-1500's boxes cannot hold: printing them cut would state another sum."""
    out = [f"{_line_name(i, ln, 'Line')} charges ${ln.charge:,}, more than box 24F holds "
           f"(${MAX_1500_LINE_CHARGE:,}): export this claim as 837P or CSV."
           for i, ln in enumerate(draft.lines, 1) if ln.charge > MAX_1500_LINE_CHARGE]
    if draft.total_charge > MAX_1500_TOTAL:
        out.append(f"The claim total ${draft.total_charge:,} is more than box 28 holds "
                   f"(${MAX_1500_TOTAL:,}): export this claim as 837P or CSV.")
    return out


def claim_warnings(draft: ClaimDraft, pharmacy: PharmacyRead | None, fmt: str) -> list[str]:
    """Things many payers or clearinghouses reject, though the file itself is well formed."""
    out = []
    if fmt == "837p" and pharmacy is not None and len(pharmacy.zip or "") != 9:
        out.append("The 837P asks for the billing provider's 9-digit ZIP code; the pharmacy's "
                   "has 5.")
    if fmt == "837p" and pharmacy is not None and (pharmacy.usage_indicator or "T") != "P":
        out.append("The 837P is marked as test data (ISA15 T): a clearinghouse does not pass "
                   "it on to payers. Set the usage indicator to P in the pharmacy settings to "
                   "bill for real.")
    return out


def submitter(pharmacy: PharmacyRead) -> tuple[str, str, str]:
    """(ISA05 qualifier, submitter id, name): the clearinghouse settings, else the pharmacy."""
    return (pharmacy.submitter_id_qualifier or "ZZ", pharmacy.submitter_id or pharmacy.npi,
            pharmacy.submitter_name or pharmacy.name)


def receiver(pharmacy: PharmacyRead, payer: PayerRead) -> tuple[str, str, str]:
    """(ISA07 qualifier, receiver id, name): the clearinghouse, else the payer itself."""
    if pharmacy.receiver_id:
        return (pharmacy.receiver_id_qualifier or "ZZ", pharmacy.receiver_id,
                pharmacy.receiver_name or pharmacy.receiver_id)
    return "ZZ", payer.payer_id, payer.name


X12Field = tuple[str, str | None, int, bool]


def x12_fields(draft: ClaimDraft, pharmacy: PharmacyRead) -> list[X12Field]:
    """(label, value, X12 maximum length, is an identifier) of every value the 837P carries
    from the database; the writer cleans the same values with x12_text / x12_id."""
    p, c, pay = draft.patient, draft.coverage, draft.payer
    sub_q, sub_id, sub_name = submitter(pharmacy)
    _, rec_id, rec_name = receiver(pharmacy, pay)
    fields: list[X12Field] = [
        ("submitter id", sub_id, 15, True),
        ("submitter name", sub_name, 60, False),
        ("submitter contact", pharmacy.submitter_contact_name or pharmacy.name, 60, False),
        ("receiver id", rec_id, 15, True),
        ("receiver name", rec_name, 60, False),
        ("pharmacy name", pharmacy.name, 60, False),
        ("pharmacy address", pharmacy.address_line1, 55, False),
        ("pharmacy city", pharmacy.city, 30, False),
        ("patient last name", p.last_name, 60, False),
        ("patient first name", p.first_name, 35, False),
        ("patient address", p.address_line1, 55, False),
        ("patient city", p.city, 30, False),
        ("member id", c.member_id, 80, True),
        ("payer name", pay.name, 60, False),
        ("payer id", pay.payer_id, 80, True),
        ("patient account number", draft.account_number, 38, True),
    ]
    if pharmacy.address_line2:
        fields.append(("pharmacy address line 2", pharmacy.address_line2, 55, False))
    if p.address_line2:
        fields.append(("patient address line 2", p.address_line2, 55, False))
    if c.group_number:
        fields.append(("group number", c.group_number, 50, True))
    if c.relationship != "self":
        fields += [("subscriber last name", c.subscriber_last_name, 60, False),
                   ("subscriber first name", c.subscriber_first_name, 35, False)]
    for prescriber in {pr.id: pr for pr in draft.line_prescribers.values() if pr}.values():
        fields += [("prescriber last name", prescriber.last_name, 60, False),
                   ("prescriber first name", prescriber.first_name, 35, False)]
    for number in dict.fromkeys(ln.authorization_number for ln in draft.lines):
        if number:
            fields.append(("authorization number", number, 50, True))
    if draft.original_reference:
        fields.append(("original claim reference", draft.original_reference, 50, True))
    return fields


def _x12_problems(draft: ClaimDraft, pharmacy: PharmacyRead | None) -> list[str]:
    if pharmacy is None:
        return []
    out = []
    for label, value, max_len, is_id in x12_fields(draft, pharmacy):
        try:
            (x12_id if is_id else x12_text)(value, max_len)
        except X12TextError as exc:
            out.append(f"The {label} {exc} (837P).")
    if len(draft.lines) > MAX_837_LINES:
        out.append(f"The claim has {len(draft.lines)} service lines; an 837P claim holds at "
                   f"most {MAX_837_LINES}: export this patient's month as CMS-1500 or CSV.")
    if not (pharmacy.submitter_contact_phone or pharmacy.phone):
        out.append("The 837P needs a submitter telephone number: record the pharmacy's phone "
                   "or the clearinghouse contact phone.")
    return out





# --- batches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchContext:
    """What a writer needs besides the claims: the pharmacy (billing provider and clearinghouse
    settings), when the batch was made and, for an 837P, one control number per interchange."""

    pharmacy: PharmacyRead
    created_at: dt.datetime
    control_numbers: tuple[int, ...] = ()

    @property
    def usage(self) -> str:
        return self.pharmacy.usage_indicator or "T"


def interchanges(drafts: Iterable[ClaimDraft], pharmacy: PharmacyRead
                 ) -> list[tuple[tuple[str, str, str], list[ClaimDraft]]]:
    """837P interchanges: one for the clearinghouse, or one per payer until one is configured
    (the receiver id then is the payer's id)."""
    names: dict[tuple[str, str], tuple[str, str, str]] = {}
    out: dict[tuple[str, str], list[ClaimDraft]] = {}
    for d in drafts:
        rec = receiver(pharmacy, d.payer)
        # one interchange per receiver id: two plans sharing a payer id are one receiver
        names.setdefault(rec[:2], rec)
        out.setdefault(rec[:2], []).append(d)
    return [(names[key], group) for key, group in out.items()]
