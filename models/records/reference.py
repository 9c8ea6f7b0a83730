"""Services of the reference records: the pharmacy's settings, payers, prescribers, patients
with their coverages, and prior authorizations.

Functions take the session first and the acting staff member as `actor`; they flush but never
commit (the caller's `unit_of_work` owns the transaction), return read objects only, check the
record first (models/records/checks.py) and leave a change notice (models/records/changes.py).
Saving replaces the record; its history keeps each version that differed (history.py).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from models.records import registry
from models.records.changes import PHARMACY, note_change
from models.records.checks import (
    check_authorization,
    check_patient,
    check_payer,
    check_pharmacy,
    check_prescriber,
)
from models.records.history import log_version
from models.records.rows import get_row, require, upsert
from models.records.tables import (
    Authorization,
    AuthorizationBase,
    AuthorizationRead,
    Coverage,
    CoverageBase,
    CoverageRead,
    Order,
    Patient,
    PatientBase,
    PatientRead,
    Payer,
    PayerBase,
    PayerRead,
    Pharmacy,
    PharmacyBase,
    PharmacyRead,
    Prescriber,
    PrescriberBase,
    PrescriberRead,
)
from models.security.permissions import EDIT_REFERENCE, authorize

# --- the pharmacy ---------------------------------------------------------------------------


def get_pharmacy(session: Session) -> PharmacyRead | None:
    row = session.get(Pharmacy, 1)
    return PharmacyRead.model_validate(row) if row else None


def save_pharmacy(session: Session, *, actor: str, data: PharmacyBase) -> PharmacyRead:
    authorize(session, actor, EDIT_REFERENCE)
    check_pharmacy(data)
    row = session.get(Pharmacy, 1)
    if row is None:
        row = Pharmacy(id=1, **data.model_dump())
        session.add(row)
    else:  # fields the caller never set (e.g. clearinghouse settings) keep their values
        for k, v in data.model_dump(exclude_unset=True).items():
            setattr(row, k, v)
    session.flush()
    note_change(session, PHARMACY)
    return PharmacyRead.model_validate(row)


# --- payers and prescribers -----------------------------------------------------------------


def list_payers(session: Session) -> list[PayerRead]:
    rows = session.exec(select(Payer).order_by(Payer.name)).all()
    return [PayerRead.model_validate(r) for r in rows]


def get_payer(session: Session, payer_id: str) -> PayerRead:
    return PayerRead.model_validate(get_row(session, Payer, payer_id, registry.PAYER.label))


def save_payer(session: Session, *, actor: str, data: PayerBase,
               recorded_at: dt.datetime | None = None) -> PayerRead:
    authorize(session, actor, EDIT_REFERENCE)
    check_payer(data)
    row = upsert(session, Payer, data, data.id)
    read = PayerRead.model_validate(row)
    log_version(session, registry.PAYER.key, read.id, read.model_dump(mode="json"), actor,
                recorded_at)
    note_change(session, registry.PAYER.key)
    return read


def list_prescribers(session: Session) -> list[PrescriberRead]:
    rows = session.exec(select(Prescriber).order_by(Prescriber.last_name, Prescriber.first_name))
    return [PrescriberRead.model_validate(r) for r in rows.all()]


def get_prescriber(session: Session, prescriber_id: str) -> PrescriberRead:
    return PrescriberRead.model_validate(
        get_row(session, Prescriber, prescriber_id, registry.PRESCRIBER.label))


def save_prescriber(session: Session, *, actor: str, data: PrescriberBase,
                    recorded_at: dt.datetime | None = None) -> PrescriberRead:
    authorize(session, actor, EDIT_REFERENCE)
    check_prescriber(data)
    row = upsert(session, Prescriber, data, data.id)
    read = PrescriberRead.model_validate(row)
    log_version(session, registry.PRESCRIBER.key, read.id, read.model_dump(mode="json"), actor,
                recorded_at)
    note_change(session, registry.PRESCRIBER.key)
    return read


# --- patients -------------------------------------------------------------------------------


def _coverages(session: Session, patient_ids: list[str] | None = None
               ) -> dict[str, list[CoverageRead]]:
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
    row = get_row(session, Patient, patient_id, registry.PATIENT.label)
    return _patient_read(row, _coverages(session, [patient_id]).get(patient_id, []))


def save_patient(
    session: Session, *, actor: str, data: PatientBase, coverages: list[CoverageBase],
    recorded_at: dt.datetime | None = None,
) -> PatientRead:
    """Create or update a patient; the coverages given replace the patient's coverages."""
    authorize(session, actor, EDIT_REFERENCE)
    check_patient(data, coverages)
    for i, cov in enumerate(coverages):
        require(session, registry.PAYER, cov.payer_id, f"coverages[{i}].payer")
    row = upsert(session, Patient, data, data.id)
    for old in session.exec(select(Coverage).where(Coverage.patient_id == data.id)).all():
        session.delete(old)
    session.flush()
    for i, cov in enumerate(coverages):
        session.add(Coverage(**cov.model_dump(), patient_id=data.id, position=i))
    session.flush()
    read = get_patient(session, row.id)
    log_version(session, registry.PATIENT.key, read.id, read.model_dump(mode="json"), actor,
                recorded_at)
    note_change(session, registry.PATIENT.key, data.id)
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
    authorize(session, actor, EDIT_REFERENCE)
    check_authorization(data)
    for ref in registry.AUTHORIZATION.refs:
        require(session, ref, getattr(data, f"{ref.key}_id"))
    row = upsert(session, Authorization, data, data.id)
    read = AuthorizationRead.model_validate(row)
    log_version(session, registry.AUTHORIZATION.key, read.id, read.model_dump(mode="json"),
                actor, recorded_at)
    note_change(session, registry.AUTHORIZATION.key, data.patient_id)
    return read
