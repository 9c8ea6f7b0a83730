"""Reading patients' records with a name on it: opening a patient's record is authorized
(VIEW_CLINICAL) and recorded in the audit trail, in the caller's write transaction."""

from __future__ import annotations

from sqlmodel import Session

from models.records import registry
from models.records.rows import get_row
from models.records.tables import Patient
from models.security import audit
from models.security.permissions import AUDIT, VIEW_CLINICAL, authorize
from models.security.tables import AuditEvent


def open_patient(session: Session, *, actor: str, patient_id: str) -> None:
    """Refuse (PermissionDenied) or record that `actor` opened the patient's record."""
    authorize(session, actor, VIEW_CLINICAL)
    get_row(session, Patient, patient_id, registry.PATIENT.label)
    audit.record(session, actor, audit.VIEWED, patient_id=patient_id,
                 record_kind=registry.PATIENT.key, record_id=patient_id)


def read_trail(session: Session, *, actor: str, **filters) -> list[AuditEvent]:
    """The audit trail with `audit.rows`'s filters, for one who may read it (AUDIT)."""
    authorize(session, actor, AUDIT)
    return audit.rows(session, **filters)
