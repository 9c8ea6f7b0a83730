"""The audit trail: every saved version of a record, append-only, and reading it back.

Clinical records store a version at every save (`snapshot`); reference records (patients with
their coverages, payers, prescribers, authorizations) change billing too, so a version of
theirs is logged whenever it differs from the last one (`log_version`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from models.records.registry import ClinicalKind
from models.records.rows import moment
from models.records.tables import Order, RecordVersion, RecordVersionRead
from models.security import audit


def log_version(session: Session, kind: str, record_id: str, data: dict, actor: str,
                recorded_at: dt.datetime | None) -> None:
    """Append a version of a reference record (or a claim: `kind` is the history's name for
    it) when it differs from the last one."""
    last = session.exec(
        select(RecordVersion).where(RecordVersion.kind == kind,
                                    RecordVersion.record_id == record_id)
        .order_by(col(RecordVersion.version).desc()).limit(1)).first()
    if last is not None and last.data == data:
        return
    session.add(RecordVersion(
        kind=kind, record_id=record_id, version=last.version + 1 if last else 1,
        action="edited" if last else "created", data=data, recorded_by=actor,
        recorded_at=moment(recorded_at)))
    session.flush()
    patient = (record_id if kind == "patient" else data.get("patient_id")
               if isinstance(data.get("patient_id"), str) else None)
    audit.record(session, actor, audit.EDITED if last else audit.CREATED, patient_id=patient,
                 record_kind=kind, record_id=record_id,
                 detail=f"version {last.version + 1 if last else 1}")


def snapshot(session: Session, kind: ClinicalKind[Any, Any], row: Any, action: str,
             reason: str | None) -> None:
    """Store the clinical record's current version (`row`, just saved) in its history."""
    session.add(RecordVersion(
        kind=kind.key, record_id=row.id, version=row.version, action=action,
        data=kind.base.model_validate(row).model_dump(mode="json"),
        recorded_by=row.recorded_by, recorded_at=row.recorded_at, reason=reason,
    ))
    owner = getattr(row, "patient_id", None)
    if owner is None and getattr(row, "order_id", None):
        order = session.get(Order, row.order_id)
        owner = order.patient_id if order else None
    audit.record(session, row.recorded_by, {"edited": audit.EDITED, "voided": audit.VOIDED}.get(
        action, audit.CREATED), patient_id=owner, record_kind=kind.key, record_id=row.id,
        detail=f"version {row.version}")


def history(session: Session, kind: str, record_id: str) -> list[RecordVersionRead]:
    """Every saved version of a record, oldest first; `kind` is a registry key or, for a
    claim's payer claim numbers, changes.CLAIM."""
    stmt = (select(RecordVersion)
            .where(RecordVersion.kind == kind, RecordVersion.record_id == record_id)
            .order_by(RecordVersion.version))
    return [RecordVersionRead.model_validate(v) for v in session.exec(stmt).all()]
