"""The checks of a claim draft before any export: what its format can carry, in words a biller
can act on (pyx12 checks the 837P's syntax only). Problems refuse the claim; warnings do not."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from models.claims.claim import (
    COMPONENT,
    PER_DIEM,
    VISIT,
    ClaimDraft,
    ClaimLine,
    money,
    month_end,
)
from models.claims.x12 import X12TextError, x12_fields, x12_id, x12_text
from models.records.tables import OrderRead, PharmacyRead
from models.validation import (
    MODIFIER_RE,
    NDC_RE,
    hcpcs_problem,
    icd10_problem,
    npi_problem,
)

MAX_DIAGNOSES = 12  # 837P HI segment and CMS-1500 box 21 (R22)
MAX_MODIFIERS = 4
MAX_837_LINES = 50  # the 2400 loop repeats at most 50 times
MAX_1500_LINE_CHARGE = Decimal("999999.99")  # six dollar digits in box 24F
MAX_1500_TOTAL = Decimal("9999999.99")  # seven in box 28


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
    # the pharmacy's NPI, tax id, ZIP+4...: models/claims/clearing.py (billing provider)
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
        if ln.kind != VISIT and (problem := hcpcs_problem(ln.code)):
            out.append(f"The code of {name}: {problem}.")
        if len(ln.modifiers) > MAX_MODIFIERS:
            out.append(f"{cap} has more than {MAX_MODIFIERS} modifiers.")
        for m in ln.modifiers:
            if not MODIFIER_RE.fullmatch(m):
                out.append(f'{cap} has the modifier "{m}", which is not two '
                           "letters or digits.")
        if ln.units <= 0:
            out.append(f"{cap} has no units: check the "
                       + ("component's quantity." if ln.kind == COMPONENT else "dose given."))
        if ln.charge <= 0:
            fix = ("record the order's per diem rate" if ln.kind == PER_DIEM
                   else f"record the unit charge of the component {ln.description}"
                   if ln.kind == COMPONENT else "record the drug's unit charge")
            if ln.kind == VISIT:  # R34: the payer's rate or the pharmacy's price list
                out.append(f"{cap} has a charge of zero: no price for nursing visit code "
                           f"{ln.code}; record the payer's rate or the pharmacy's price for it.")
            else:
                out.append(f"{cap} has a charge of zero: {fix} on order {ln.order_id}, or a "
                           f"price for {ln.code} in the payer's or the pharmacy's price list "
                           "(R32).")
        if ln.ndc is not None and not NDC_RE.fullmatch(ln.ndc):
            out.append(f'The NDC "{ln.ndc}" of {name} is not 11 digits.')
        if ln.end < ln.start:
            out.append(f"{cap} ends before it starts.")
        if not (draft.month <= ln.start and ln.end <= last):
            out.append(f"{cap} falls outside {draft.month:%B %Y}; a line never "
                       "crosses a month (R20).")
        span = (ln.end - ln.start).days + 1
        if ln.kind == PER_DIEM and (ln.units > span if draft.payer.line_layout == "month"
                                    else ln.units != span):  # R31: a month line skips days
            out.append(f"{cap} has {ln.units} units for "
                       f"{(ln.end - ln.start).days + 1} days (R20).")
        if not ln.pointers:
            out.append(f"{cap} points at no diagnosis.")
    if draft.total_charge != money(sum((ln.charge for ln in draft.lines), Decimal(0))):
        out.append("The claim total differs from the sum of its lines.")
    if draft.total_charge <= 0:
        out.append("The claim's total charge is zero.")
    out.extend(format_problems(draft, pharmacy, fmt))
    return out


def format_problems(draft: ClaimDraft, pharmacy: PharmacyRead | None, fmt: str) -> list[str]:
    """What `fmt` alone cannot carry (X12's lengths and 50 lines, the form's amounts): also
    checked when a claim sent in one format is copied into another (models/claims/copies.py)."""
    if fmt == "837p":
        return _x12_problems(draft, pharmacy)
    if fmt == "cms1500":
        return _form_problems(draft)
    return []


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
    if fmt == "837p" and pharmacy is not None and (pharmacy.usage_indicator or "T") != "P":
        out.append("The 837P is marked as test data (ISA15 T): a clearinghouse does not pass "
                   "it on to payers. Set the usage indicator to P in the pharmacy settings to "
                   "bill for real.")
    return out


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
