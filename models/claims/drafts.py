"""Claim drafts (R19-R23): billable days become claims and lines, each checked before any export.

Pure functions over read objects: no session, no I/O, no clock. The services in
models/claims/batches.py load the data and record what was written; the checks are in
models/claims/checks.py; the writers in reports/claims/ turn checked drafts into 837P,
CMS-1500 and CSV files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_CEILING, Decimal

from models.billing.contracts import price
from models.billing.rules import BILLABLE, BillingData, DayResult, billed_coverage
from models.claims.checks import check_claim, claim_warnings
from models.claims.claim import (
    DRUG,
    PER_DIEM,
    ClaimDraft,
    ClaimedInfo,
    ClaimLine,
    money,
    month_of,
)
from models.claims.clearing import draft_issues
from models.claims.component_lines import component_lines
from models.claims.layout import expected_amount, per_diem_lines
from models.claims.visit_claims import VisitBilling, visit_lines
from models.records.tables import (
    OrderRead,
    PatientRead,
    PayerRead,
    PharmacyRead,
    PrescriberRead,
)

MAX_POINTERS = 4  # diagnosis pointers of a line (R22)
# Without the drug's NDC billing unit, a dose unit that is itself an NDC unit of measure of
# CTP05 (GR gram, ME milligram, ML millilitre) gives the quantity; a dose in micrograms is given
# in milligrams. "units" (heparin's USP units: not each, not IU) and anything else have none.
NDC_UNITS: dict[str, tuple[str, Decimal]] = {
    "mg": ("ME", Decimal(1)), "mcg": ("ME", Decimal("0.001")), "g": ("GR", Decimal(1)),
    "gm": ("GR", Decimal(1)), "ml": ("ML", Decimal(1)), "l": ("ML", Decimal(1000)),
    "iu": ("F2", Decimal(1)),
}
JW, JZ = "JW", "JZ"  # single-dose container: drug discarded / none discarded


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


def ndc_quantity(dose: Decimal, dose_unit: str | None, billing_unit: str | None = None,
                 package_quantity: Decimal | None = None) -> tuple[Decimal, str] | None:
    """The dose as the NDC quantity payers read (CTP04/CTP05, box 24A shaded), to the three
    decimals NDC quantities carry: in the drug's billing unit when the order gives it (the dose
    over the package quantity, the dose-unit amount one billing unit holds: 30,000 mg of
    Gammagard 10% at 100 mg a ML is 300 ML, one 1,000 mg Invanz vial is 1 UN), else in the dose
    unit's own NDC unit (mg ME, g GR, mL ML); None when there is neither (the claim checker
    then refuses the claim naming the drug: never a silent UN)."""
    if billing_unit and package_quantity:
        return (dose / package_quantity).quantize(Decimal("0.001")).normalize(), billing_unit
    known = NDC_UNITS.get((dose_unit or "").strip().lower())
    if known is None:
        return None
    unit, factor = known
    return (dose * factor).quantize(Decimal("0.001")).normalize(), unit


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
    visits: VisitBilling | None = None,
) -> list[ClaimDraft]:
    """Claim drafts for the billable days of [start, end] (R19-R23), each checked for `fmt`,
    with the lines of the billable nursing `visits` on the claim of their payer and month
    (R34; a month with visits and no billable day makes a claim of visits alone).

    Days already claimed are left out, unless `rebill`: then every claim holding a billable day
    of the period is replaced (frequency 7) by a claim for its days that are still billable,
    wherever in its month they fall, so a replacement never drops a day by accident.
    """
    claimed = claimed or {}
    used = set(used_accounts)
    billable = [d for d in days if d.status == BILLABLE]
    replacing = {claimed[(d.order_id, d.date)].claim_id for d in billable
                 if (d.order_id, d.date) in claimed and start <= d.date <= end}
    visits = visits or VisitBilling()
    for r in visits.results:
        holder = visits.claimed.get(r.visit_id)
        if holder is not None and start <= r.date <= end:
            replacing.add(holder.claim_id)
    orders = {**visits.orders, **{o.id: o for o in data.orders}}

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

    visit_groups: dict[tuple, list] = defaultdict(list)
    for r in visits.results:  # R34: the visit's billed payer and month
        holder = visits.claimed.get(r.visit_id)
        if holder is None and not start <= r.date <= end:
            continue
        if holder is not None and (not rebill or holder.claim_id not in replacing):
            continue
        coverage = billed_coverage(data_patient(data, visits, r.patient_id).coverages, r.date)
        if coverage is None or r.payer_id is None:
            continue
        visit_groups[(r.patient_id, r.payer_id, coverage.member_id, month_of(r.date),
                      holder.claim_id if holder else 0)].append(r)

    entries = defaultdict(list)
    for e in data.infusions:
        if e.administered:
            entries[(e.order_id, e.date)].append(e)

    drafts = []
    holders = {c.claim_id: c for c in (*claimed.values(), *visits.claimed.values())}
    for key in sorted(groups.keys() | visit_groups.keys(),
                      key=lambda k: (k[0], k[3], k[1], k[2], k[4])):
        patient_id, payer_id, member_id, month, holder_id = key
        group, seen = groups.get(key, []), visit_groups.get(key, [])
        patient = data_patient(data, visits, patient_id)
        coverage = billed_coverage(patient.coverages,
                                   min(x.date for x in (*group, *seen)))
        assert coverage is not None
        payer = data.payers[payer_id]
        lines = (per_diem_lines(group, orders, payer, pharmacy)
                 + _drug_lines(group, orders, entries, payer, pharmacy)
                 + component_lines(group, orders, entries, payer, pharmacy)
                 + visit_lines(seen, visits.records, payer, pharmacy))
        lines.sort(key=lambda ln: (ln.start, ln.kind != PER_DIEM, ln.order_id, ln.end))
        diagnoses, lines = _diagnoses(lines, orders)
        numbers = {ln.authorization_number for ln in lines}
        claim_auth = numbers.pop() if len(numbers) == 1 else None

        if holder_id:
            holder = holders[holder_id]
            # the payer knows the claim by its own number (ICN/DCN): without it the
            # replacement is refused (no-payer-claim-number, models/claims/clearing.py)
            acct, freq = holder.account_number, "7"
            original = holder.payer_claim_number
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
            replaces_claim_id=holder_id or None, visits=[r.visit_id for r in seen],
        )
        draft.problems = check_claim(draft, pharmacy, fmt, orders)
        issues = draft_issues(draft, pharmacy, fmt, orders)
        draft.problems += [str(i) for i in issues]
        draft.issue_codes = [i.code for i in issues]
        if holder_id:
            draft.problems += _replacement_problems(draft, holder, groups, data.payers)
        draft.warnings = claim_warnings(draft, pharmacy, fmt)
        drafts.append(draft)
    return drafts


def data_patient(data: BillingData, visits: VisitBilling, patient_id: str) -> PatientRead:
    """The patient as the days' data holds them, else as the visits' (a month of visits alone
    loads no service day of the patient)."""
    return data.patients.get(patient_id) or visits.patients[patient_id]


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


def _drug_lines(group: list[DayResult], orders: dict[str, OrderRead],
                entries: Mapping[tuple[str, dt.date], list], payer: PayerRead | None = None,
                pharmacy: PharmacyRead | None = None) -> list[ClaimLine]:
    """R21: one drug line a billable day when the drug has a HCPCS code and a unit amount.

    A single-dose vial drug's line carries JZ when nothing was discarded, or is followed by a
    JW line for the amount the day's MAR entries record as wasted: the administered line has
    the administered dose's units rounded up, the JW line the rest of the units of dose plus
    waste rounded up (CMS's JW/JZ rules: together no more than the vials used). Waste that the
    rounding already bills makes no JW line, and no billing unit was discarded: JZ. An R29
    access day without a dose has no drug line. The unit charge is R32's price of the code."""
    lines = []
    for d in group:
        order = orders[d.order_id]
        if not order.drug_hcpcs or not order.drug_hcpcs_unit_amount:
            continue
        day_entries = entries.get((d.order_id, d.date))
        if not day_entries:  # R29: an access day on which no dose was given
            continue
        dose = sum((e.dose_given or Decimal(0) for e in day_entries), Decimal(0))
        units = drug_units(dose, order.drug_hcpcs_unit_amount)
        wasted = sum((e.wasted or Decimal(0) for e in day_entries), Decimal(0))
        waste_units = 0
        modifiers: tuple[str, ...] = ()
        if order.drug_single_dose:
            waste_units = drug_units(dose + wasted, order.drug_hcpcs_unit_amount) - units
            modifiers = (JZ,) if waste_units == 0 else ()

        lines.append(_drug_line(order, d, dose, units, modifiers, payer, pharmacy))
        if waste_units:
            lines.append(_drug_line(order, d, wasted, waste_units, (JW,), payer, pharmacy))
    return lines


def _drug_line(order: OrderRead, d: DayResult, amount: Decimal, units: int,
               modifiers: tuple[str, ...], payer: PayerRead | None = None,
               pharmacy: PharmacyRead | None = None) -> ClaimLine:
    qty = ndc_quantity(amount, order.drug_dose_unit, order.drug_billing_unit,
                       order.drug_package_quantity) if order.drug_ndc else None
    p = price(order.drug_hcpcs or "", payer, order.drug_unit_charge, pharmacy)  # R32
    return ClaimLine(
        kind=DRUG, order_id=order.id, code=order.drug_hcpcs or "", modifiers=modifiers,
        start=d.date, end=d.date, units=units, unit_charge=p.charge,
        charge=money((p.charge or Decimal(0)) * units), place_of_service=d.place_of_service,
        expected=expected_amount(p, units),
        authorization_number=d.authorization_number, ndc=order.drug_ndc,
        ndc_quantity=qty[0] if qty else None, ndc_unit=qty[1] if qty else None,
        description=order.drug_name + (", discarded" if JW in modifiers else ""))


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
    return replace(line, **kw)
