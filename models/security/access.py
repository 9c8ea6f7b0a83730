"""Reading patients' records with a name on it: opening a patient's record is authorized
(VIEW_CLINICAL) and recorded in the audit trail, in the caller's write transaction; the GUI's
own reads of clinical records go through `clinical_read` (refused, nothing read, to one who
may not open them); billing reads (billable days, the month) are authorized and recorded by
`billing_viewed`, naming who, the period and the patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from models.records import registry
from models.records.rows import get_row
from models.records.tables import Patient
from models.security import audit
from models.security.permissions import AUDIT, VIEW_CLINICAL, authorize
from models.security.tables import AuditEvent

R = TypeVar("R")


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


def clinical_read(actor: str, read: Callable[[Session], R]) -> Callable[[Session], R]:
    """`read` (a view's read of patients' clinical records: a MAR, orders, scans, a billing
    calendar) behind the check that `actor` may open clinical records: PermissionDenied
    before anything is read (the administrator without a clinical role sees none)."""

    def checked(session: Session) -> R:
        authorize(session, actor, VIEW_CLINICAL)
        return read(session)

    return checked


def billing_viewed(session: Session, *, actor: str, action: str, start: dt.date,
                   end: dt.date, patient_id: str | None = None, detail: str = "") -> None:
    """Refuse (PermissionDenied) or record in the trail that `actor` read billing days
    (`audit.BILLABLE_DAYS`, `audit.MONTH`) of `start`..`end`, for one patient or all."""
    authorize(session, actor, VIEW_CLINICAL)
    audit.record(session, actor, action, patient_id=patient_id,
                 detail=f"{start.isoformat()} to {end.isoformat()}" + (f"; {detail}" if detail
                                                                         else ""))
