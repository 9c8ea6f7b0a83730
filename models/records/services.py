"""Services: every read and write the app, the command line and the reports go through.

Functions take the session first and the acting staff member as `actor`; they flush but never
commit (the caller's `unit_of_work` owns the transaction) and return read objects only.
Each write records a change notice on the session (`changes_of(session)`) so views can decide
whether to reload.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, SQLModel, col, select

from models import codes
from models.billing import rules
from models.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from models.records.tables import (
    ADMINISTERED,
    CLINICAL_TABLES,
    Authorization,
    AuthorizationBase,
    AuthorizationRead,
    CareNote,
    CareNoteBase,
    CareNoteRead,
    Coverage,
    CoverageBase,
    CoverageRead,
    Delivery,
    DeliveryBase,
    DeliveryRead,
    Infusion,
    InfusionBase,
    InfusionRead,
    Order,
    OrderBase,
    OrderRead,
    Patient,
    PatientBase,
    PatientRead,
    Payer,
    PayerBase,
    PayerRead,
    Pharmacy,
    PharmacyBase,
    PharmacyRead,
    PlanOfCare,
    PlanOfCareBase,
    PlanOfCareRead,
    PrepNote,
    PrepNoteBase,
    PrepNoteRead,
    Prescriber,
    PrescriberBase,
    PrescriberRead,
    RecordVersion,
    RecordVersionRead,
)
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
    TAX_ID_RE,
    TAXONOMY_RE,
    ZIP_RE,
    hcpcs_problem,
    icd10_problem,
    npi_problem,
)

T = TypeVar("T", bound=SQLModel)
X12_ID_RE = re.compile(r"^[A-Za-z0-9.-]{2,15}$")

# kind -> (table, base, read) for the clinical records
CLINICAL: dict[str, tuple[type, type, type]] = {
    "order": (Order, OrderBase, OrderRead),
    "plan_of_care": (PlanOfCare, PlanOfCareBase, PlanOfCareRead),
    "prep_note": (PrepNote, PrepNoteBase, PrepNoteRead),
    "delivery": (Delivery, DeliveryBase, DeliveryRead),
    "infusion": (Infusion, InfusionBase, InfusionRead),
    "care_note": (CareNote, CareNoteBase, CareNoteRead),
}
assert set(CLINICAL) == set(CLINICAL_TABLES)

LABELS = {
    "order": "order",
    "plan_of_care": "plan of care",
    "prep_note": "preparation note",
    "delivery": "delivery",
    "infusion": "infusion entry",
    "care_note": "care coordination note",
    "patient": "patient",
    "payer": "payer",
    "prescriber": "prescriber",
    "authorization": "authorization",
}
ID_PREFIX = {
    "order": "o", "plan_of_care": "poc", "prep_note": "rx", "delivery": "d", "infusion": "mar",
    "care_note": "cn", "patient": "p", "payer": "payer", "prescriber": "dr",
    "authorization": "pa",
}


# --- change notices -------------------------------------------------------------------------


@dataclass
class Changes:
    """What a transaction wrote: record kinds and the patients they belong to."""

    kinds: set[str] = field(default_factory=set)
    patient_ids: set[str] = field(default_factory=set)

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


def changes_of(session: Session) -> Changes:
    return session.info.setdefault("perdiem_changes", Changes())


def _changed(session: Session, kind: str, patient_id: str | None = None) -> None:
    c = changes_of(session)
    c.kinds.add(kind)
    if patient_id:
        c.patient_ids.add(patient_id)


# --- validation -----------------------------------------------------------------------------


class _Check:
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

    def order_of(self, start_fld: str, start: Any, end_fld: str, end: Any) -> None:
        if start is not None and end is not None and end < start:
            self.add(end_fld, f"is before the {start_fld.replace('_', ' ')}")

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _check_address(c: _Check, obj: Any, required: bool = True) -> None:
    # a partial address would be dropped by the export (the file's address needs all four)
    if required or any((obj.address_line1, obj.address_line2, obj.city, obj.state, obj.zip)):
        c.required("address_line1", obj.address_line1)
        c.required("city", obj.city)
        c.required("state", obj.state)
        c.required("zip", obj.zip)
    c.pattern("state", obj.state, STATE_RE, "is two capital letters, e.g. IL")
    c.pattern("zip", obj.zip, ZIP_RE, "is 5 or 9 digits")


def check_pharmacy(p: PharmacyBase) -> None:
    c = _Check()
    c.required("name", p.name)
    if c.required("npi", p.npi):
        c.add("npi", npi_problem(p.npi))
    c.pattern("tax_id", p.tax_id, TAX_ID_RE, "is the 9-digit employer identification number")
    c.required("tax_id", p.tax_id)
    c.pattern("taxonomy", p.taxonomy, TAXONOMY_RE, "is 10 characters ending in X, e.g. 3336H0001X")
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    _check_address(c, p)
    for fld in ("submitter_id", "receiver_id"):  # ISA06/ISA08: X12 identifiers (claims)
        c.pattern(fld, getattr(p, fld), X12_ID_RE, "is 2-15 letters, digits or - . (no ~ * : ^)")
    for fld in ("submitter_id_qualifier", "receiver_id_qualifier"):
        c.pattern(fld, getattr(p, fld), re.compile(r"^[0-9A-Z]{2}$"), "is two characters, e.g. ZZ")
    c.pattern("submitter_contact_phone", p.submitter_contact_phone, PHONE_RE, "is 10 digits")
    c.pattern("usage_indicator", p.usage_indicator, re.compile(r"^[TP]$"),
              "is T (test) or P (production)")
    c.done()


def check_payer(p: PayerBase) -> None:
    c = _Check()
    c.pattern("id", p.id, ID_RE, "uses letters, digits, dot, dash or underscore (up to 64)")
    c.required("name", p.name)
    if c.required("payer_id", p.payer_id):
        c.pattern("payer_id", p.payer_id, PAYER_ID_RE, "is 2-80 letters or digits")
    if p.kind not in ("commercial", "medicaid", "medicare", "other"):
        c.add("kind", "is commercial, medicaid, medicare or other")
    if len(p.per_diem_modifiers or []) > 2:
        c.add("per_diem_modifiers", "holds at most two modifiers")
    for m in p.per_diem_modifiers or []:
        c.pattern("per_diem_modifiers", m, MODIFIER_RE, f'"{m}" is not a two-character modifier')
    _check_address(c, p, required=False)
    c.done()


def check_prescriber(p: PrescriberBase) -> None:
    c = _Check()
    c.pattern("id", p.id, ID_RE, "uses letters, digits, dot, dash or underscore (up to 64)")
    c.required("first_name", p.first_name)
    c.required("last_name", p.last_name)
    if c.required("npi", p.npi):
        c.add("npi", npi_problem(p.npi))
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    c.done()


def check_patient(p: PatientBase, coverages: list[CoverageBase]) -> None:
    c = _Check()
    c.pattern("id", p.id, ID_RE, "uses letters, digits, dot, dash or underscore (up to 64)")
    c.required("first_name", p.first_name)
    c.required("last_name", p.last_name)
    c.required("birth_date", p.birth_date)
    if p.sex not in ("F", "M", "U"):
        c.add("sex", "is F, M or U")
    c.pattern("phone", p.phone, PHONE_RE, "is 10 digits")
    _check_address(c, p)
    for i, cov in enumerate(coverages):
        pre = f"coverages[{i}]."
        c.required(pre + "payer", cov.payer_id)
        if c.required(pre + "member_id", cov.member_id):
            c.pattern(pre + "member_id", cov.member_id, MEMBER_ID_RE,
                      "uses letters, digits and dashes only")
        c.pattern(pre + "group_number", cov.group_number, GROUP_NUMBER_RE,
                  "uses letters, digits and dashes only (up to 50)")
        c.required(pre + "start_date", cov.start_date)
        c.order_of("start_date", cov.start_date, pre + "end_date", cov.end_date)
        _one_of(c, pre + "priority", cov.priority, ("primary", "secondary"))
        _one_of(c, pre + "relationship", cov.relationship, ("self", "spouse", "child", "other"))
        if cov.relationship != "self" and not (
            cov.subscriber_first_name and cov.subscriber_last_name and cov.subscriber_birth_date
            and cov.subscriber_sex in ("F", "M", "U")  # the file's subscriber needs all four
        ):
            c.add(pre + "subscriber", "is required when the patient is not the subscriber")
    c.done()


def check_authorization(a: AuthorizationBase) -> None:
    c = _Check()
    c.pattern("id", a.id, ID_RE, "uses letters, digits, dot, dash or underscore (up to 64)")
    if c.required("number", a.number):
        c.pattern("number", a.number, AUTH_NUMBER_RE, "uses letters, digits and dashes only")
    if c.required("code", a.code):
        c.add("code", hcpcs_problem(a.code))
    c.order_of("start_date", a.start_date, "end_date", a.end_date)
    if a.units is None or not 1 <= a.units <= 366:
        c.add("units", "is a whole number from 1 to 366")
    c.done()


# The interchange file's vocabularies (schema.json): a value a form saves must export and
# import again, so these fields accept only what the file format allows.
ROUTES = ("IV", "SC", "IM", "other")
DOSE_UNITS = ("mg", "g", "mL", "units", "mcg")
CARE_NOTE_CONTACTS = ("patient", "family", "prescriber", "nurse", "case manager", "payer", "other")


def _one_of(c: _Check, fld: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value not in (None, "") and value not in allowed:
        c.add(fld, "is " + ", ".join(allowed[:-1]) + " or " + allowed[-1])


def check_order(o: OrderBase) -> None:
    c = _Check()
    c.pattern("id", o.id, ID_RE, "uses letters, digits, dot, dash or underscore (up to 64)")
    c.required("prescriber", o.prescriber_id)
    if c.required("per_diem_code", o.per_diem_code):
        problem = hcpcs_problem(o.per_diem_code)
        if not problem and not codes.is_per_diem_code(o.per_diem_code):
            problem = f"{o.per_diem_code} is not a home infusion per diem code"
        c.add("per_diem_code", problem)
    c.required("drug_name", o.drug_name)
    c.pattern("drug_ndc", o.drug_ndc, NDC_RE, "is 11 digits (5-4-2) without dashes")
    _one_of(c, "route", o.route, ROUTES)
    _one_of(c, "drug_dose_unit", o.drug_dose_unit, DOSE_UNITS)
    if o.drug_hcpcs:
        c.add("drug_hcpcs", hcpcs_problem(o.drug_hcpcs))
    if o.drug_hcpcs_unit_amount is not None and o.drug_hcpcs_unit_amount <= 0:
        c.add("drug_hcpcs_unit_amount", "is more than zero")
    if not o.diagnosis_codes:
        c.add("diagnosis_codes", "needs at least one ICD-10 code")
    if len(o.diagnosis_codes) > 12:
        c.add("diagnosis_codes", "holds at most 12 codes")
    for code in o.diagnosis_codes:
        c.add("diagnosis_codes", icd10_problem(code))
    c.required("start_date", o.start_date)
    c.order_of("start_date", o.start_date, "end_date", o.end_date)
    c.order_of("start_date", o.start_date, "discontinued_date", o.discontinued_date)
    for name in ("per_diem_rate", "drug_unit_charge"):
        value = getattr(o, name)
        if value is not None and value < 0:
            c.add(name, "cannot be negative")
        elif value is not None and not MONEY_RE.fullmatch(format(value, "f")):
            # the interchange file's money pattern: what is saved must export and import again
            c.add(name, "is dollars and cents, e.g. 150.00 (at most 9999999.99)")
    c.done()


def check_plan_of_care(p: PlanOfCareBase) -> None:
    c = _Check()
    c.required("start_date", p.start_date)
    c.required("end_date", p.end_date)
    c.order_of("start_date", p.start_date, "end_date", p.end_date)
    c.done()


def check_prep_note(p: PrepNoteBase) -> None:
    c = _Check()
    c.required("date", p.date)
    c.required("pharmacist", p.pharmacist)
    c.required("beyond_use_date", p.beyond_use_date)
    c.order_of("date", p.date, "beyond_use_date", p.beyond_use_date)
    c.done()


def check_delivery(d: DeliveryBase) -> None:
    c = _Check()
    c.required("date", d.date)
    if d.method not in (None, "", "courier", "pharmacy driver", "pickup", "mail"):
        c.add("method", "is courier, pharmacy driver, pickup or mail")
    c.done()


def check_infusion(e: InfusionBase) -> None:
    c = _Check()
    c.required("date", e.date)
    if e.status not in ("completed", "partial", "held", "refused", "missed"):
        c.add("status", "is completed, partial, held, refused or missed")
    if e.setting not in ("home", "suite"):
        c.add("setting", "is home or suite")
    if e.status in ("held", "refused", "missed") and not (e.notes or "").strip():
        c.add("notes", f"say why the dose was {e.status}")
    # An end time earlier than the start is the next morning: TPN is often cycled overnight.
    if e.dose_given is not None and e.dose_given < 0:
        c.add("dose_given", "cannot be negative")
    c.done()


def check_care_note(n: CareNoteBase) -> None:
    c = _Check()
    c.required("date", n.date)
    c.required("author", n.author)
    _one_of(c, "contact", n.contact, CARE_NOTE_CONTACTS)
    c.required("text", n.text)
    c.done()


CHECKS = {
    "order": check_order, "plan_of_care": check_plan_of_care, "prep_note": check_prep_note,
    "delivery": check_delivery, "infusion": check_infusion, "care_note": check_care_note,
}


# --- helpers --------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _log_version(session: Session, kind: str, record_id: str, data: dict, actor: str,
                 recorded_at: dt.datetime | None) -> None:
    """Append a version of a reference record (patient with coverages, payer, prescriber,
    authorization) to the history when it differs from the last one: these records change
    billing (coverage dates, units, prior authorization), so an auditor can see when and who."""
    last = session.exec(
        select(RecordVersion).where(RecordVersion.kind == kind,
                                    RecordVersion.record_id == record_id)
        .order_by(col(RecordVersion.version).desc()).limit(1)).first()
    if last is not None and last.data == data:
        return
    session.add(RecordVersion(
        kind=kind, record_id=record_id, version=last.version + 1 if last else 1,
        action="edited" if last else "created", data=data, recorded_by=actor,
        recorded_at=recorded_at or _now()))
    session.flush()


def _get(session: Session, table: type[T], key: Any, kind: str) -> T:
    row = session.get(table, key)
    if row is None:
        raise NotFound(f"There is no {LABELS.get(kind, kind)} with id \"{key}\".")
    return row


def _require(session: Session, table: type, key: str | None, kind: str, fld: str) -> None:
    if key and session.get(table, key) is None:
        raise ValidationFailed([FieldError(fld, f'no {LABELS[kind]} with id "{key}"')])


def new_id(session: Session, kind: str) -> str:
    """A fresh id for a record made in the app, like `o-12`: prefix and next free number."""
    table = CLINICAL[kind][0] if kind in CLINICAL else {
        "patient": Patient, "payer": Payer, "prescriber": Prescriber,
        "authorization": Authorization,
    }[kind]
    prefix = ID_PREFIX[kind] + "-"
    ids = session.exec(select(table.id).where(col(table.id).startswith(prefix))).all()
    numbers = [int(i[len(prefix):]) for i in ids if i[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _upsert(session: Session, table: type[T], data: SQLModel, key: Any) -> T:
    row = session.get(table, key)
    values = data.model_dump()
    if row is None:
        row = table(**values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    return row


# --- pharmacy and reference data ------------------------------------------------------------


def get_pharmacy(session: Session) -> PharmacyRead | None:
    row = session.get(Pharmacy, 1)
    return PharmacyRead.model_validate(row) if row else None


def save_pharmacy(session: Session, *, actor: str, data: PharmacyBase) -> PharmacyRead:
    check_pharmacy(data)
    row = session.get(Pharmacy, 1)
    if row is None:
        row = Pharmacy(id=1, **data.model_dump())
        session.add(row)
    else:  # fields the caller never set (e.g. clearinghouse settings) keep their values
        for k, v in data.model_dump(exclude_unset=True).items():
            setattr(row, k, v)
    session.flush()
    _changed(session, "pharmacy")
    return PharmacyRead.model_validate(row)


def list_payers(session: Session) -> list[PayerRead]:
    rows = session.exec(select(Payer).order_by(Payer.name)).all()
    return [PayerRead.model_validate(r) for r in rows]


def get_payer(session: Session, payer_id: str) -> PayerRead:
    return PayerRead.model_validate(_get(session, Payer, payer_id, "payer"))


def save_payer(session: Session, *, actor: str, data: PayerBase,
               recorded_at: dt.datetime | None = None) -> PayerRead:
    check_payer(data)
    row = _upsert(session, Payer, data, data.id)
    read = PayerRead.model_validate(row)
    _log_version(session, "payer", read.id, read.model_dump(mode="json"), actor, recorded_at)
    _changed(session, "payer")
    return read


def list_prescribers(session: Session) -> list[PrescriberRead]:
    rows = session.exec(select(Prescriber).order_by(Prescriber.last_name, Prescriber.first_name))
    return [PrescriberRead.model_validate(r) for r in rows.all()]


def get_prescriber(session: Session, prescriber_id: str) -> PrescriberRead:
    return PrescriberRead.model_validate(_get(session, Prescriber, prescriber_id, "prescriber"))


def save_prescriber(session: Session, *, actor: str, data: PrescriberBase,
                    recorded_at: dt.datetime | None = None) -> PrescriberRead:
    check_prescriber(data)
    row = _upsert(session, Prescriber, data, data.id)
    read = PrescriberRead.model_validate(row)
    _log_version(session, "prescriber", read.id, read.model_dump(mode="json"), actor,
                 recorded_at)
    _changed(session, "prescriber")
    return read


# --- patients -------------------------------------------------------------------------------


def _coverages(session: Session, patient_ids: list[str] | None = None) -> dict[str, list]:
    stmt = select(Coverage).order_by(Coverage.patient_id, Coverage.position)
    if patient_ids is not None:
        stmt = stmt.where(col(Coverage.patient_id).in_(patient_ids))
    out: dict[str, list[CoverageRead]] = {}
    for cov in session.exec(stmt).all():
        out.setdefault(cov.patient_id, []).append(CoverageRead.model_validate(cov))
    return out


def _patient_read(row: Patient, coverages: list[CoverageRead]) -> PatientRead:
    return PatientRead(**row.model_dump(), coverages=coverages)


def list_patients(session: Session, search: str = "") -> list[PatientRead]:
    """Patients by name; `search` matches name, member id or id (case-insensitive)."""
    rows = session.exec(select(Patient).order_by(Patient.last_name, Patient.first_name)).all()
    covs = _coverages(session)
    out = [_patient_read(r, covs.get(r.id, [])) for r in rows]
    needle = search.strip().lower()
    if needle:
        out = [
            p for p in out
            if needle in f"{p.display_name} {p.first_name} {p.last_name} {p.id}".lower()
            or any(needle in c.member_id.lower() for c in p.coverages)
        ]
    return out


def get_patient(session: Session, patient_id: str) -> PatientRead:
    row = _get(session, Patient, patient_id, "patient")
    return _patient_read(row, _coverages(session, [patient_id]).get(patient_id, []))


def save_patient(
    session: Session, *, actor: str, data: PatientBase, coverages: list[CoverageBase],
    recorded_at: dt.datetime | None = None,
) -> PatientRead:
    """Create or update a patient; the coverages given replace the patient's coverages."""
    check_patient(data, coverages)
    for i, cov in enumerate(coverages):
        _require(session, Payer, cov.payer_id, "payer", f"coverages[{i}].payer")
    row = _upsert(session, Patient, data, data.id)
    for old in session.exec(select(Coverage).where(Coverage.patient_id == data.id)).all():
        session.delete(old)
    session.flush()
    for i, cov in enumerate(coverages):
        session.add(Coverage(**cov.model_dump(), patient_id=data.id, position=i))
    session.flush()
    read = get_patient(session, row.id)
    _log_version(session, "patient", read.id, read.model_dump(mode="json"), actor, recorded_at)
    _changed(session, "patient", data.id)
    return read


def active_patient_ids(session: Session, on: dt.date) -> set[str]:
    """Patients with an order in force on `on` (not voided)."""
    orders = session.exec(select(Order).where(Order.voided == False)).all()  # noqa: E712
    return {o.patient_id for o in orders if o.active_on(on)}


# --- authorizations -------------------------------------------------------------------------


def list_authorizations(session: Session, patient_id: str | None = None) -> list[AuthorizationRead]:
    stmt = select(Authorization).order_by(Authorization.start_date, Authorization.id)
    if patient_id:
        stmt = stmt.where(Authorization.patient_id == patient_id)
    return [AuthorizationRead.model_validate(a) for a in session.exec(stmt).all()]


def save_authorization(
    session: Session, *, actor: str, data: AuthorizationBase,
    recorded_at: dt.datetime | None = None,
) -> AuthorizationRead:
    check_authorization(data)
    _require(session, Patient, data.patient_id, "patient", "patient")
    _require(session, Payer, data.payer_id, "payer", "payer")
    row = _upsert(session, Authorization, data, data.id)
    read = AuthorizationRead.model_validate(row)
    _log_version(session, "authorization", read.id, read.model_dump(mode="json"), actor,
                 recorded_at)
    _changed(session, "authorization", data.patient_id)
    return read


# --- clinical records: versioned, never overwritten -----------------------------------------


def _patient_of(session: Session, kind: str, data: Any) -> str:
    if kind in ("order", "care_note"):
        return data.patient_id
    order = session.get(Order, data.order_id)
    return order.patient_id if order else ""


def _check_refs(session: Session, kind: str, data: Any) -> None:
    if kind == "order":
        _require(session, Patient, data.patient_id, "patient", "patient")
        _require(session, Prescriber, data.prescriber_id, "prescriber", "prescriber")
    elif kind == "care_note":
        _require(session, Patient, data.patient_id, "patient", "patient")
    else:
        _require(session, Order, data.order_id, "order", "order")


def _snapshot(session: Session, kind: str, row: Any, action: str, reason: str | None) -> None:
    base = CLINICAL[kind][1]
    session.add(RecordVersion(
        kind=kind, record_id=row.id, version=row.version, action=action,
        data=base.model_validate(row).model_dump(mode="json"),
        recorded_by=row.recorded_by, recorded_at=row.recorded_at, reason=reason,
    ))


def create_record(session: Session, *, actor: str, kind: str, data: SQLModel,
                  recorded_at: dt.datetime | None = None, form_checks: bool = True) -> Any:
    """Save a new clinical record (version 1) and its first history entry.

    `form_checks=False` skips the entry form's extra demands (e.g. a note on a held dose) for
    records the interchange importer has already checked against the file format.
    """
    table, base, read = CLINICAL[kind]
    data = base.model_validate(data)
    if not data.id:
        data.id = new_id(session, kind)
    if form_checks:
        CHECKS[kind](data)
    _check_refs(session, kind, data)
    if session.get(table, data.id) is not None:
        raise Conflict(f'A {LABELS[kind]} with id "{data.id}" already exists.')
    row = table(**data.model_dump(), version=1, recorded_by=actor,
                recorded_at=recorded_at or _now())
    session.add(row)
    session.flush()
    _snapshot(session, kind, row, "created", None)
    session.flush()
    _changed(session, kind, _patient_of(session, kind, data))
    return read.model_validate(row)


def edit_record(session: Session, *, actor: str, kind: str, record_id: str, data: SQLModel,
                reason: str, recorded_at: dt.datetime | None = None) -> Any:
    """Store a new version of a clinical record; the previous ones stay in its history."""
    table, base, read = CLINICAL[kind]
    if not (reason or "").strip():
        raise FieldError("reason", "say why the record is changed")
    row = _get(session, table, record_id, kind)
    if row.voided:
        raise DomainError(f'The {LABELS[kind]} "{record_id}" is void and cannot be edited.')
    data = base.model_validate({**data.model_dump(), "id": record_id})
    CHECKS[kind](data)
    _check_refs(session, kind, data)
    new = data.model_dump()
    if all(getattr(row, k) == v for k, v in new.items()):
        raise DomainError("Nothing was changed, so no new version was saved.")
    for k, v in new.items():
        setattr(row, k, v)
    row.version += 1
    row.recorded_by = actor
    row.recorded_at = recorded_at or _now()
    row.change_reason = reason.strip()
    session.flush()
    _snapshot(session, kind, row, "edited", reason.strip())
    session.flush()
    _changed(session, kind, _patient_of(session, kind, data))
    return read.model_validate(row)


def void_record(session: Session, *, actor: str, kind: str, record_id: str, reason: str,
                recorded_at: dt.datetime | None = None) -> Any:
    """Mark a clinical record void (it stays on file with its history; the rules ignore it)."""
    table, _base, read = CLINICAL[kind]
    if not (reason or "").strip():
        raise FieldError("reason", "say why the record is voided")
    row = _get(session, table, record_id, kind)
    if row.voided:
        raise DomainError(f'The {LABELS[kind]} "{record_id}" is already void.')
    row.voided = True
    row.void_reason = reason.strip()
    row.version += 1
    row.recorded_by = actor
    row.recorded_at = recorded_at or _now()
    row.change_reason = reason.strip()
    session.flush()
    _snapshot(session, kind, row, "voided", reason.strip())
    session.flush()
    _changed(session, kind, _patient_of(session, kind, row))
    return read.model_validate(row)


def get_record(session: Session, kind: str, record_id: str) -> Any:
    table, _base, read = CLINICAL[kind]
    return read.model_validate(_get(session, table, record_id, kind))


def list_records(
    session: Session,
    kind: str,
    *,
    patient_id: str | None = None,
    order_id: str | None = None,
    include_voided: bool = False,
) -> list[Any]:
    """Current versions of one kind of clinical record, by date (or start date) then id."""
    table, _base, read = CLINICAL[kind]
    stmt = select(table)
    if not include_voided:
        stmt = stmt.where(table.voided == False)  # noqa: E712
    if order_id is not None and kind not in ("order", "care_note"):
        stmt = stmt.where(table.order_id == order_id)
    if patient_id is not None:
        if kind in ("order", "care_note"):
            stmt = stmt.where(table.patient_id == patient_id)
        else:
            stmt = stmt.join(Order, Order.id == table.order_id).where(
                Order.patient_id == patient_id)
    date_col = table.start_date if hasattr(table, "start_date") else table.date
    stmt = stmt.order_by(date_col, table.id)
    return [read.model_validate(r) for r in session.exec(stmt).all()]


def history(session: Session, kind: str, record_id: str) -> list[RecordVersionRead]:
    """Every saved version of a record, oldest first."""
    stmt = (select(RecordVersion)
            .where(RecordVersion.kind == kind, RecordVersion.record_id == record_id)
            .order_by(RecordVersion.version))
    return [RecordVersionRead.model_validate(v) for v in session.exec(stmt).all()]


def last_nurse(session: Session, order_id: str) -> str | None:
    """Who gave the most recent administered dose of an order (to prefill the MAR form)."""
    stmt = (select(Infusion.administered_by)
            .where(Infusion.order_id == order_id, Infusion.voided == False,  # noqa: E712
                   col(Infusion.administered_by).is_not(None))
            .order_by(col(Infusion.date).desc(), col(Infusion.start_time).desc()).limit(1))
    return session.exec(stmt).first()


def count_records(session: Session) -> int:
    """How many patients, payers and clinical records there are (0 means an empty database)."""
    total = 0
    for table in (Patient, Payer, Prescriber, *(t for t, _b, _r in CLINICAL.values())):
        total += session.exec(select(func.count()).select_from(table)).one()
    return total


# --- billing --------------------------------------------------------------------------------
# A period's billable days read only the records that can affect it (see docs/billing-rules.md,
# "Reading only what a period needs"): a fixed number of SELECTs whatever the history's length,
# with light read objects for the many rows (infusions, notes) and models for the few.

def _within(column: Any, lo: dt.date | None, hi: dt.date | None) -> list[Any]:
    """Conditions lo <= column <= hi, leaving out an open end."""
    return ([column >= lo] if lo is not None else []) + ([column <= hi] if hi is not None else [])


def _rows(session: Session, stmt: Any) -> list[Any]:
    return session.execute(stmt).all()  # fetchall: iterating a result fetches row by row


def _models(session: Session, model: type[T], stmt: Any) -> list[T]:
    return [model.model_validate(dict(m)) for m in session.execute(stmt).mappings().all()]


def _authorization_chains(start: dt.date | None, end: dt.date | None, patients: Any) -> Any:
    """The authorizations of `patients` (a subquery of ids) overlapping [start, end], and
    every authorization of the same patient, payer and code overlapping one of those, and so
    on: the connected groups whose units can reach into the period (R13)."""
    a = Authorization.__table__
    cols = (a.c.id, a.c.patient_id, a.c.payer_id, a.c.code, a.c.start_date, a.c.end_date)
    chain = select(*cols).where(
        a.c.patient_id.in_(patients), *_within(a.c.end_date, start, None),
        *_within(a.c.start_date, None, end)).cte("chain", recursive=True)
    b = a.alias("linked")
    return chain.union(
        select(*(b.c[c.name] for c in cols)).join(chain, and_(
            b.c.patient_id == chain.c.patient_id, b.c.payer_id == chain.c.payer_id,
            b.c.code == chain.c.code, b.c.start_date <= chain.c.end_date,
            b.c.end_date >= chain.c.start_date)))


def load_billing_data(
    session: Session,
    patient_id: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> rules.BillingData:
    """The current, non-voided records that can affect the service days in [start, end] (the
    whole history when both are None), optionally of one patient:

    - the period's infusion entries, their orders, patients, coverages and every payer;
    - plans of care overlapping the period (R8); preparation notes whose date to beyond-use
      date overlaps it (R9); deliveries from the earliest of those notes' dates, and each
      order's first delivery before it (R10 with no covering note: any earlier delivery);
      care notes from 29 days before the period (R12);
    - authorizations overlapping the period, with the chains of overlapping authorizations
      they belong to, and as `prior_days` the service days of those chains before the period
      (R13 counts units from each authorization's start; only R1-R4 of those days matter).
    """
    inf, o, a = Infusion.__table__, Order.__table__, Authorization.__table__
    in_period = [inf.c.voided == False, *_within(inf.c.date, start, end)]  # noqa: E712
    order_ok = [o.c.voided == False]  # noqa: E712
    if patient_id is None:  # the period's entries, through the (date, voided, order) index
        served = o.c.id.in_(select(inf.c.order_id).where(*in_period))
    else:  # the patient's orders, each probed through its (order, voided, date) index
        order_ok.append(o.c.patient_id == patient_id)
        served = select(inf.c.id).where(inf.c.order_id == o.c.id, *in_period).exists()
    period_orders = select(o.c.id).where(*order_ok, served)
    patients = select(o.c.patient_id).where(o.c.id.in_(period_orders))

    infusions = [rules.InfusionFacts(*r) for r in _rows(session, select(
        inf.c.id, inf.c.order_id, inf.c.date, inf.c.status, inf.c.setting, inf.c.start_time,
        inf.c.end_time, inf.c.dose_given, inf.c.administered_by,
    ).join(o, o.c.id == inf.c.order_id).where(*in_period, *order_ok))]

    chains = _authorization_chains(start, end, patients)
    authorizations = _models(session, AuthorizationRead,
                             select(a).where(a.c.id.in_(select(chains.c.id))))
    prior_days: list[rules.PriorDay] = []
    if start is not None:
        # from the earliest start of the chains reaching into the period, per patient and code
        reach = (select(chains.c.patient_id, chains.c.code,
                        func.min(chains.c.start_date).label("since"))
                 .where(chains.c.start_date < start)
                 .group_by(chains.c.patient_id, chains.c.code).subquery())
        prior_days = [rules.PriorDay(order_id, day, bool(given)) for order_id, day, given in
                      _rows(session, _service_days_query().join(reach, and_(
                          reach.c.patient_id == o.c.patient_id,
                          reach.c.code == o.c.per_diem_code,
                      )).where(inf.c.date >= reach.c.since, inf.c.date < start))]

    wanted = o.c.id.in_(period_orders)
    if prior_days:
        wanted = or_(wanted, o.c.id.in_(sorted({d.order_id for d in prior_days})))
    orders = _models(session, OrderRead, select(o).where(*order_ok, wanted).order_by(o.c.id))

    p, c = Patient.__table__, Coverage.__table__
    coverages: dict[str, list[CoverageRead]] = defaultdict(list)
    for row in session.execute(select(c).where(c.c.patient_id.in_(patients))
                               .order_by(c.c.patient_id, c.c.position)).mappings().all():
        coverages[row["patient_id"]].append(CoverageRead.model_validate(dict(row)))
    people = {row["id"]: PatientRead(**row, coverages=coverages[row["id"]]) for row in
              session.execute(select(p).where(p.c.id.in_(patients))).mappings().all()}

    def evidence(table: Any, facts: type, *conditions: Any) -> list:
        t = table.__table__
        return [facts(*r) for r in _rows(session, select(*(t.c[f] for f in facts.__slots__))
                                         .where(t.c.voided == False,  # noqa: E712
                                                t.c.order_id.in_(period_orders), *conditions))]

    pc, pn, dl, cn = (PlanOfCare.__table__, PrepNote.__table__, Delivery.__table__,
                      CareNote.__table__)
    plans = evidence(PlanOfCare, rules.PlanFacts, *_within(pc.c.end_date, start, None),
                     *_within(pc.c.start_date, None, end))
    preps = evidence(PrepNote, rules.PrepNoteFacts, *_within(pn.c.beyond_use_date, start, None),
                     *_within(pn.c.date, None, end))
    # R10 takes a delivery on or after the covering note's date, and with no covering note
    # any delivery before the day: the first delivery of each order stands for the older ones
    lo = None if start is None else min([start, *(x.date for x in preps)])
    deliveries = evidence(Delivery, rules.DeliveryFacts, *_within(dl.c.date, lo, end))
    if lo is not None:
        deliveries += [rules.DeliveryFacts("", order_id, day) for order_id, day in _rows(
            session, select(dl.c.order_id, func.min(dl.c.date)).where(
                dl.c.voided == False, dl.c.order_id.in_(period_orders),  # noqa: E712
                dl.c.date < lo).group_by(dl.c.order_id))]
    care_notes = [rules.CareNoteFacts(*r) for r in _rows(session, select(
        cn.c.id, cn.c.patient_id, cn.c.date,
    ).where(cn.c.voided == False, cn.c.patient_id.in_(patients),  # noqa: E712
            *_within(cn.c.date, None if start is None else rules.care_notes_from(start), end)))]

    return rules.BillingData(
        payers={x.id: x for x in list_payers(session)}, patients=people, orders=orders,
        infusions=infusions, plans_of_care=plans, authorizations=authorizations,
        prep_notes=preps, deliveries=deliveries, care_notes=care_notes, prior_days=prior_days,
    )


def _service_days_query() -> Any:
    """(order, date, whether any entry was administered) of current entries and orders."""
    inf, o = Infusion.__table__, Order.__table__
    administered = func.max(case((inf.c.status.in_(ADMINISTERED), 1), else_=0))
    return (select(inf.c.order_id, inf.c.date, administered)
            .join(o, o.c.id == inf.c.order_id)
            .where(inf.c.voided == False, o.c.voided == False)  # noqa: E712
            .group_by(inf.c.order_id, inf.c.date))


class _GcPause:
    """Automatic garbage collection paused while a period's rows are read and evaluated.

    They make no reference cycles, yet every full collection walks all of them again: on five
    years it was a third of the time (issue 8). Counted, so overlapping calls from worker
    threads resume collection only when the last one ends, and only if it was on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.resume = False

    def __enter__(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.resume = gc.isenabled()
                gc.disable()
            self.depth += 1

    def __exit__(self, *_exc: object) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.resume:
                gc.enable()


_gc_paused = _GcPause()


def billable_days(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> list[rules.DayResult]:
    """The billable-days table (R1-R18) for a period, optionally for one patient."""
    return billing_period(session, start, end, patient_id)[1]


def billing_period(
    session: Session,
    start: dt.date | None = None,
    end: dt.date | None = None,
    patient_id: str | None = None,
) -> tuple[rules.BillingData, list[rules.DayResult]]:
    """What the rules read for a period and the billable-days table they make of it (the
    claims draft from both, so the data is loaded once)."""
    if patient_id:
        _get(session, Patient, patient_id, "patient")
    with _gc_paused:
        data = load_billing_data(session, patient_id, start, end)
        return data, rules.evaluate(data, start, end, patient_id)


def authorization_usage(session: Session, patient_id: str) -> dict[str, int]:
    """Units used so far (R13) by each of a patient's authorizations, by id (none: left out).

    Counted over each authorization's own dates: only the patient's service days that an
    authorization of the same code covers, with their R1-R4 status (no evidence records)."""
    a, o, inf = Authorization.__table__, Order.__table__, Infusion.__table__
    authorizations = _models(session, AuthorizationRead, select(a).where(
        a.c.patient_id == patient_id))
    if not authorizations:
        return {}
    covered = select(a.c.id).where(
        a.c.patient_id == o.c.patient_id, a.c.code == o.c.per_diem_code,
        a.c.start_date <= inf.c.date, a.c.end_date >= inf.c.date).exists()
    days = [rules.PriorDay(order_id, day, bool(given)) for order_id, day, given in _rows(
        session, _service_days_query().where(o.c.patient_id == patient_id, covered))]
    orders = _models(session, OrderRead, select(o).where(
        o.c.voided == False, o.c.patient_id == patient_id))  # noqa: E712
    data = rules.BillingData(
        payers={x.id: x for x in list_payers(session)},
        patients={patient_id: get_patient(session, patient_id)}, orders=orders, infusions=[],
        authorizations=authorizations, prior_days=days)
    return rules.authorization_units(data)
