"""The one validation of a record: what the forms check before saving, the services before
writing and the importer for every record of a file (with the file's paths on the fields).

Each check takes a base model (`OrderBase`...) and raises ValidationFailed naming every bad
field at once. `entry=False` leaves out the demands an entry form makes beyond the file format
(a held dose needs a note saying why): the importer's records keep what the file says.

It is over 400 lines on purpose: it is the one validation of every record kind, with the
bounds and field rules they share (addresses, codes, quantities); split by kind, the shared
rules would be copied or imported back and forth.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlmodel import SQLModel

from models import clock, codes, vocab
from models.billing import contracts
from models.errors import FieldError, ValidationFailed
from models.records import registry
from models.records.components import component_problems
from models.records.registry import RecordKind
from models.records.tables import (
    AuthorizationBase,
    CareNoteBase,
    CoverageBase,
    DeliveryBase,
    InfusionBase,
    OrderBase,
    PatientBase,
    PayerBase,
    PharmacyBase,
    PlanOfCareBase,
    PrepNoteBase,
    PrescriberBase,
)
from models.records.visits import check_nursing_visit
from models.validation import (
    AUTH_NUMBER_RE,
    GROUP_NUMBER_RE,
    ID_RE,
    MEMBER_ID_RE,
    MODIFIER_RE,
    MONEY_RE,
    NDC_RE,
    PAYER_ID_RE,
    PHONE_RE,
    STATE_RE,
    ZIP9_RE,
    ZIP_RE,
    hcpcs_problem,
    icd10_problem,
    npi_problem,
    tax_id_problem,
    taxonomy_problem,
)

X12_ID_RE = re.compile(r"^[A-Za-z0-9.-]{2,15}$")  # ISA06/ISA08, submitter and receiver
X12_ID_HINT = "is 2-15 letters, digits or - . (no ~ * : ^)"
X12_QUALIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")  # ISA05/ISA07
X12_QUALIFIER_HINT = "is two characters, e.g. ZZ"
MAX_LATE_ENTRY_DAYS = 365  # R26: as the interchange schema allows
ID_HINT = "uses letters, digits, dot, dash or underscore (up to 64)"
# A dose or a HCPCS unit amount beyond these is a typing slip or a hostile file: 1e25 mg was
# once imported and then broke every claims run (R21's drug units, the NDC quantity). Within
# them every drug line's units, quantity and charge fit their claim fields.
MAX_QUANTITY = Decimal(1_000_000)
MIN_UNIT_AMOUNT = Decimal("0.001")


class Check:
    """Collects field problems and raises them together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, fld: str, problem: str | None) -> None:
        if problem:
            self.errors.append(FieldError(fld, problem))

    def required(self, fld: str, value: Any) -> bool:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(fld, "is required")
            return False
        return True

    def pattern(self, fld: str, value: str | None, regex: re.Pattern, hint: str) -> None:
        if value not in (None, "") and not regex.fullmatch(value):
            self.add(fld, hint)

    def one_of(self, fld: str, value: str | None, allowed: tuple[str, ...]) -> None:
        if value not in (None, "") and value not in allowed:
            self.add(fld, "is " + vocab.alternatives(allowed))

    def dates_in_order(self, kind: RecordKind[Any, Any], record: Any, prefix: str = "") -> None:
        """The kind's date pairs (registry): an end before its start is named on the end."""
        for pair in kind.date_pairs:
            start, end = getattr(record, pair.start), getattr(record, pair.end)
            if start is not None and end is not None and end < start:
                self.add(prefix + pair.end, f"is before the {pair.start.replace('_', ' ')}")

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def per_diem_problem(code: str) -> str | None:
    """Why `code` cannot be an order's per diem code (R2's orders bill one), or None."""
    if problem := hcpcs_problem(code):
        return problem
    if codes.is_per_diem_code(code):
        return None
    known = codes.hcpcs_codes().get(code)
    what = f" ({known.short_description})" if known else ""
    return f"{code}{what} is not a home infusion per diem code"


def _address(c: Check, obj: Any, required: bool = True) -> None:
    # a partial address would be dropped by the export (the file's address needs all four)
    if required or any((obj.address_line1, obj.address_line2, obj.city, obj.state, obj.zip)):
        c.required("address_line1", obj.address_line1)
        c.required("city", obj.city)
        c.required("state", obj.state)
        c.required("zip", obj.zip)
    c.pattern("state", obj.state, STATE_RE, "is two capital letters, e.g. IL")
    c.pattern("zip", obj.zip, ZIP_RE, "is 5 or 9 digits")


PO_BOX_RE = re.compile(r"\bP\.?\s*O\.?\s*BOX\b|\bPOST OFFICE BOX\b", re.IGNORECASE)


def check_pharmacy(p: PharmacyBase, entry: bool = False) -> None:
    """The pharmacy settings; `entry` (the settings form) also refuses what claims cannot carry
    (billing_provider_problems), which an imported file's pharmacy is allowed to hold."""
    c = Check()
    c.required("name", p.name)
    if c.required("npi", p.npi):
        c.add("npi", npi_problem(p.npi))
    if c.required("tax_id", p.tax_id):
        c.add("tax_id", tax_id_problem(p.tax_id))
    if p.taxonomy:
        c.add("taxonomy", taxonomy_problem(p.taxonomy))
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    _address(c, p)
    for fld in ("submitter_id", "receiver_id"):  # ISA06/ISA08: X12 identifiers (claims)
        c.pattern(fld, getattr(p, fld), X12_ID_RE, X12_ID_HINT)
    for fld in ("submitter_id_qualifier", "receiver_id_qualifier"):
        c.pattern(fld, getattr(p, fld), X12_QUALIFIER_RE, X12_QUALIFIER_HINT)
    c.pattern("submitter_contact_phone", p.submitter_contact_phone, PHONE_RE, "is 10 digits")
    if p.usage_indicator not in (None, "", *vocab.USAGE_INDICATORS):  # "is T (test) or P (...)"
        c.add("usage_indicator", "is " + vocab.alternatives(
            [f"{code} ({word})" for code, word in vocab.USAGE_INDICATORS.items()]))
    if not 0 <= p.late_entry_days <= MAX_LATE_ENTRY_DAYS:  # R26
        c.add("late_entry_days", f"is {p.late_entry_days}: give 0 to {MAX_LATE_ENTRY_DAYS} days")
    if p.order_signature not in vocab.ORDER_SIGNATURES:  # R27
        c.add("order_signature", f'"{p.order_signature}" is not '
              f"{vocab.alternatives(tuple(vocab.ORDER_SIGNATURES))}")
    for fld, problem in contracts.pharmacy_problems(p).items():  # the price list
        c.add(fld, problem)
    if entry:
        for fld, problem in billing_provider_problems(p).items():
            c.add(fld, problem)
    c.done()


def billing_provider_problems(p: PharmacyBase) -> dict[str, str]:
    """What a clearinghouse refuses in the billing provider (837P 2010AA, CMS-1500 box 33)
    beyond the file format: a ZIP code without its +4 and a post office box as the address.
    The settings form refuses them (`entry`); a file's pharmacy is taken as it is, and its
    claims are refused until they are fixed (models/claims/clearing.py)."""
    out = {}
    if p.zip and not ZIP9_RE.fullmatch(p.zip):
        out["zip"] = ("needs all 9 digits (ZIP+4) on claims: clearinghouses refuse a billing "
                      "provider's 5-digit ZIP")
    if PO_BOX_RE.search(p.address_line1 or ""):
        out["address_line1"] = ("is a post office box: claims need the street address where "
                                "the pharmacy is (a box may be a pay-to address)")
    return out


def check_payer(p: PayerBase, entry: bool = True) -> None:
    c = Check()
    c.pattern("id", p.id, ID_RE, ID_HINT)
    c.required("name", p.name)
    if c.required("payer_id", p.payer_id):
        c.pattern("payer_id", p.payer_id, PAYER_ID_RE, "is 2-80 letters or digits")
    if p.kind not in vocab.PAYER_KINDS:
        c.add("kind", "is " + vocab.alternatives(vocab.PAYER_KINDS))
    c.one_of("claim_filing_indicator", p.claim_filing_indicator,
             tuple(vocab.CLAIM_FILING_INDICATORS))
    if len(p.per_diem_modifiers or []) > 2:
        c.add("per_diem_modifiers", "holds at most two modifiers")
    for m in p.per_diem_modifiers or []:
        c.pattern("per_diem_modifiers", m, MODIFIER_RE, f'"{m}" is not a two-character modifier')
    for fld, problem in contracts.payer_problems(p).items():  # R29-R32
        c.add(fld, problem)
    _address(c, p, required=False)
    c.done()


def check_prescriber(p: PrescriberBase, entry: bool = True) -> None:
    c = Check()
    c.pattern("id", p.id, ID_RE, ID_HINT)
    c.required("first_name", p.first_name)
    c.required("last_name", p.last_name)
    if c.required("npi", p.npi):
        c.add("npi", npi_problem(p.npi))
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    c.done()


def check_patient(p: PatientBase, coverages: list[CoverageBase]) -> None:
    c = Check()
    c.pattern("id", p.id, ID_RE, ID_HINT)
    c.required("first_name", p.first_name)
    c.required("last_name", p.last_name)
    c.required("birth_date", p.birth_date)
    if p.sex not in vocab.SEXES:
        c.add("sex", "is " + vocab.alternatives(tuple(vocab.SEXES)))
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    _address(c, p)
    for i, cov in enumerate(coverages):
        pre = f"coverages[{i}]."
        c.required(pre + "payer", cov.payer_id)
        if c.required(pre + "member_id", cov.member_id):
            c.pattern(pre + "member_id", cov.member_id, MEMBER_ID_RE,
                      "uses letters, digits and dashes only")
        c.pattern(pre + "group_number", cov.group_number, GROUP_NUMBER_RE,
                  "uses letters, digits and dashes only (up to 50)")
        c.required(pre + "start_date", cov.start_date)
        if cov.start_date is not None and cov.end_date is not None \
                and cov.end_date < cov.start_date:
            c.add(pre + "end_date", "is before the start date")
        c.one_of(pre + "priority", cov.priority, vocab.PRIORITIES)
        c.one_of(pre + "relationship", cov.relationship, vocab.RELATIONSHIPS)
        c.pattern(pre + "employer_claim_number", cov.employer_claim_number, GROUP_NUMBER_RE,
                  "uses letters, digits and dashes only (up to 50)")
        _injury_date(c, pre, p, cov)
        if cov.relationship != "self" and not (
            cov.subscriber_first_name and cov.subscriber_last_name and cov.subscriber_birth_date
            and cov.subscriber_sex in vocab.SEXES  # the file's subscriber needs all four
        ):
            c.add(pre + "subscriber", "is required when the patient is not the subscriber")
    c.done()


def _injury_date(c: Check, pre: str, p: PatientBase, cov: CoverageBase) -> None:
    """A workers' compensation coverage's date of injury (DTP*439, box 14): workers'
    compensation pays for care from the injury on, so the coverage cannot start before it."""
    day = cov.injury_date
    if day is None:
        return
    if p.birth_date is not None and day < p.birth_date:
        c.add(pre + "injury_date", "is before the patient's date of birth")
    elif cov.start_date is not None and day > cov.start_date:
        c.add(pre + "injury_date", "is after the coverage start: workers' compensation covers "
              "care from the injury on, so the coverage starts on or after it")


def check_authorization(a: AuthorizationBase, entry: bool = True) -> None:
    c = Check()
    c.pattern("id", a.id, ID_RE, ID_HINT)
    if c.required("number", a.number):
        c.pattern("number", a.number, AUTH_NUMBER_RE, "uses letters, digits and dashes only")
    if c.required("code", a.code) and a.code not in vocab.VISIT_CODES:  # R34: 99601
        c.add("code", hcpcs_problem(a.code))
    c.dates_in_order(registry.AUTHORIZATION, a)
    if a.units is None or not 1 <= a.units <= 366:
        c.add("units", "is a whole number from 1 to 366")
    c.done()


def check_order(o: OrderBase, entry: bool = True) -> None:
    c = Check()
    c.pattern("id", o.id, ID_RE, ID_HINT)
    c.required("prescriber", o.prescriber_id)
    if c.required("per_diem_code", o.per_diem_code):
        c.add("per_diem_code", per_diem_problem(o.per_diem_code))
    c.required("drug_name", o.drug_name)
    c.pattern("drug_ndc", o.drug_ndc, NDC_RE, "is 11 digits (5-4-2) without dashes")
    c.one_of("route", o.route, vocab.ROUTES)
    c.one_of("drug_dose_unit", o.drug_dose_unit, vocab.DOSE_UNITS)
    c.one_of("drug_billing_unit", o.drug_billing_unit, vocab.NDC_BILLING_UNITS)
    if o.drug_package_quantity is not None and o.drug_package_quantity <= 0:
        c.add("drug_package_quantity", "is more than zero")
    if (o.drug_billing_unit is None) != (o.drug_package_quantity is None):
        c.add("drug_package_quantity" if o.drug_billing_unit else "drug_billing_unit",
              "goes with the NDC billing unit and the package quantity: give both or neither")
    elif entry and o.drug_ndc and o.drug_hcpcs and o.drug_billing_unit is None \
            and o.drug_dose_unit in set(vocab.DOSE_UNITS) - {"mg", "g", "mL", "mcg"}:
        c.add("drug_billing_unit", f'is required for a drug dosed in "{o.drug_dose_unit}", '
              "which is no NDC unit of measure (heparin 1,000 units a mL: ML, 1000)")
    if o.drug_hcpcs:
        c.add("drug_hcpcs", hcpcs_problem(o.drug_hcpcs))
    c.add("dosing_interval_days", contracts.dosing_interval_problem(o.dosing_interval_days))
    amount = o.drug_hcpcs_unit_amount
    if amount is not None and amount <= 0:
        c.add("drug_hcpcs_unit_amount", "is more than zero")
    elif amount is not None and not MIN_UNIT_AMOUNT <= amount <= MAX_QUANTITY:
        c.add("drug_hcpcs_unit_amount", f"is from {MIN_UNIT_AMOUNT} to {MAX_QUANTITY:,} "
              "(the amount of drug in one billing unit)")
    if not o.diagnosis_codes:
        c.add("diagnosis_codes", "needs at least one ICD-10 code")
    if len(o.diagnosis_codes) > 12:
        c.add("diagnosis_codes", "holds at most 12 codes")
    for code in o.diagnosis_codes:
        c.add("diagnosis_codes", icd10_problem(code))
    c.required("start_date", o.start_date)
    c.dates_in_order(registry.ORDER, o)
    for name in ("per_diem_rate", "drug_unit_charge"):
        value = getattr(o, name)
        if value is not None and value < 0:
            c.add(name, "cannot be negative")
        elif value is not None and not MONEY_RE.fullmatch(format(value, "f")):
            # the interchange file's money pattern: what is saved must export and import again
            c.add(name, "is dollars and cents, e.g. 150.00 (at most 9999999.99)")
    for fld, problem in component_problems(o.components):  # compound orders (issue 15)
        c.add(fld, problem)
    c.done()


def check_plan_of_care(p: PlanOfCareBase, entry: bool = True) -> None:
    c = Check()
    c.required("start_date", p.start_date)
    c.required("end_date", p.end_date)
    c.dates_in_order(registry.PLAN_OF_CARE, p)
    c.done()


def check_prep_note(p: PrepNoteBase, entry: bool = True) -> None:
    c = Check()
    c.required("date", p.date)
    c.required("pharmacist", p.pharmacist)
    c.required("beyond_use_date", p.beyond_use_date)
    c.dates_in_order(registry.PREP_NOTE, p)
    c.done()


def check_delivery(d: DeliveryBase, entry: bool = True) -> None:
    c = Check()
    c.required("date", d.date)
    c.one_of("method", d.method, vocab.DELIVERY_METHODS)
    c.done()


def check_infusion(e: InfusionBase, entry: bool = True) -> None:
    c = Check()
    c.required("date", e.date)
    if e.status not in vocab.INFUSION_STATUSES:
        c.add("status", "is " + vocab.alternatives(vocab.INFUSION_STATUSES))
    if e.setting not in vocab.SETTINGS:
        c.add("setting", "is " + vocab.alternatives(tuple(vocab.SETTINGS)))
    if entry and e.status in vocab.NOT_GIVEN and not (e.notes or "").strip():
        c.add("notes", f"say why the dose was {e.status}")
    # An end time earlier than the start is the next morning: TPN is often cycled overnight.
    if e.dose_given is not None and e.dose_given < 0:
        c.add("dose_given", "cannot be negative")
    elif e.dose_given is not None and e.dose_given > MAX_QUANTITY:
        c.add("dose_given", f"is more than {MAX_QUANTITY:,}, no dose one patient is given")
    if e.wasted is not None and e.wasted < 0:
        c.add("wasted", "cannot be negative")
    elif e.wasted is not None and e.wasted > MAX_QUANTITY:
        c.add("wasted", f"is more than {MAX_QUANTITY:,}, no amount one patient's dose wastes")
    c.done()


def check_care_note(n: CareNoteBase, entry: bool = True) -> None:
    c = Check()
    c.required("date", n.date)
    c.required("author", n.author)
    c.one_of("contact", n.contact, vocab.CARE_NOTE_CONTACTS)
    c.required("text", n.text)
    c.done()


# every kind's check but the patient's, which takes the coverages too
CHECKS: dict[RecordKind[Any, Any], Callable[..., None]] = {
    registry.PAYER: check_payer, registry.PRESCRIBER: check_prescriber,
    registry.AUTHORIZATION: check_authorization, registry.ORDER: check_order,
    registry.PLAN_OF_CARE: check_plan_of_care, registry.PREP_NOTE: check_prep_note,
    registry.DELIVERY: check_delivery, registry.INFUSION: check_infusion,
    registry.CARE_NOTE: check_care_note, registry.NURSING_VISIT: check_nursing_visit,
}
assert set(CHECKS) | {registry.PATIENT} == set(registry.KINDS)


FUTURE_DATE = "future-date"


def future_problems(kind: RecordKind[Any, Any], record: Any,
                    today: dt.date | None = None) -> list[FieldError]:
    """R24: the kind's dates that may not lie after today (models/clock.py), each named with
    the error code `future-date`."""
    day = today or clock.today()
    out = []
    for name in kind.no_future:
        value = getattr(record, name, None)
        if isinstance(value, dt.date) and value > day:
            out.append(FieldError(name, f"{value} is after today, {day} ({FUTURE_DATE})",
                                  FUTURE_DATE))
    return out


def check_record(kind: RecordKind[Any, Any], record: SQLModel, *, entry: bool = True,
                 coverages: list[CoverageBase] | None = None,
                 today: dt.date | None = None) -> None:
    """The checks of one record of `kind` (a patient with its `coverages`), and R24 (no date
    after `today`, by default models.clock.today()); raises ValidationFailed naming every bad
    field."""
    errors: list[FieldError] = []
    try:
        if kind is registry.PATIENT:
            assert isinstance(record, PatientBase)
            check_patient(record, coverages or [])
        else:
            CHECKS[kind](record, entry=entry)
    except ValidationFailed as exc:
        errors = exc.errors
    errors += future_problems(kind, record, today)
    if errors:
        raise ValidationFailed(errors)
