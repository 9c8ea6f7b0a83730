"""Attachments: scanned documents (PDF, PNG, JPEG) stored with a SHA-256 for the audit packet."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.errors import DomainError, FieldError, NotFound
from models.records import registry
from models.records.changes import ATTACHMENT, note_change
from models.records.registry import RecordKind
from models.records.rows import moment, now
from models.records.scans import MAX_BYTES, damage
from models.records.tables import Attachment, AttachmentRead, Order
from models.security import audit
from models.security.permissions import ATTACH, authorize
from models.vocab import alternatives


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment with its stored bytes and whether they still match the recorded hash."""

    info: AttachmentRead
    content: bytes
    intact: bool


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sniff_media_type(content: bytes) -> str | None:
    """The media type from the file's first bytes (the name's extension can lie)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _owner_patient(session: Session, kind: RecordKind[Any, Any], record_id: str) -> str:
    """The patient a record belongs to; raises a field error when the record does not exist."""
    row: Any = session.get(kind.table, record_id)
    if row is None:
        raise FieldError(kind.key, f'no {kind.label} with id "{record_id}"')
    if kind is registry.PATIENT:
        return record_id
    if kind.owner is registry.PATIENT:
        return row.patient_id
    order = session.get(Order, row.order_id)
    assert order is not None  # an order-owned record names an existing order
    return order.patient_id


def add_attachment(
    session: Session,
    *,
    actor: str,
    patient_id: str,
    filename: str,
    content: bytes,
    record_kind: str = "patient",
    record_id: str | None = None,
    description: str | None = None,
    added_at: dt.datetime | None = None,
) -> AttachmentRead:
    """Store a scanned document for a patient, or for one of the patient's orders, plans of
    care or deliveries (`record_kind`: a registry key of a kind taking attachments)."""
    authorize(session, actor, ATTACH)
    kind = next((k for k in registry.ATTACHABLE if k.key == record_kind), None)
    if kind is None:
        raise FieldError("record_kind", "is " + alternatives([k.key for k in registry.ATTACHABLE]))
    if not (filename or "").strip():
        raise FieldError("filename", "is required")
    if not content:
        raise FieldError("file", f"{filename} is empty")
    if len(content) > MAX_BYTES:
        raise FieldError("file", f"{filename} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    media_type = sniff_media_type(content)
    if media_type is None:
        raise FieldError("file", f"{filename} is not a PDF, PNG or JPEG file")
    problem = damage(content, media_type)  # the whole file, as a packet will read it
    if problem is not None:
        raise FieldError("file", f"{filename} is damaged and was not attached: {problem}")
    owner = _owner_patient(session, registry.PATIENT, patient_id)
    if kind is not registry.PATIENT:
        if not record_id:
            raise FieldError(kind.key, "is required")
        owner = _owner_patient(session, kind, record_id)
        if owner != patient_id:
            raise FieldError(kind.key, f'{kind.label} "{record_id}" belongs to '
                             f'another patient, not "{patient_id}"')
    row = Attachment(
        patient_id=patient_id, record_kind=record_kind, record_id=record_id or patient_id,
        filename=filename.strip()[:255], media_type=media_type, size=len(content),
        sha256=sha256(content), description=(description or "").strip() or None,
        added_by=actor, added_at=moment(added_at), content=content,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, audit.CREATED, patient_id=patient_id, record_kind=ATTACHMENT,
                 record_id=str(row.id), detail=f"{media_type}, {len(content)} bytes")
    note_change(session, ATTACHMENT, patient_id)
    return AttachmentRead.model_validate(row)


def list_attachments(
    session: Session, patient_id: str, *, include_voided: bool = False
) -> list[AttachmentRead]:
    """A patient's attachments in the order they were added (without their bytes)."""
    table = Attachment.__table__
    stmt = select(*(c for c in table.c if c.name != "content")).where(
        table.c.patient_id == patient_id)
    if not include_voided:
        stmt = stmt.where(table.c.voided == False)  # noqa: E712
    stmt = stmt.order_by(table.c.added_at, table.c.id)
    return [AttachmentRead.model_validate(dict(r)) for r in session.execute(stmt).mappings()]


def _get(session: Session, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"There is no attachment with id {attachment_id}.")
    return row


def load_file(session: Session, attachment_id: int) -> AttachmentFile:
    row = _get(session, attachment_id)
    content = bytes(row.content)
    return AttachmentFile(AttachmentRead.model_validate(row), content,
                          sha256(content) == row.sha256)


def load_files(session: Session, attachment_ids: list[int]) -> list[AttachmentFile]:
    """Several attachments with their bytes, in the order asked, in one query."""
    rows = {r.id: r for r in session.exec(
        select(Attachment).where(col(Attachment.id).in_(attachment_ids))).all()}
    out = []
    for attachment_id in attachment_ids:
        row = rows[attachment_id]
        content = bytes(row.content)
        out.append(AttachmentFile(AttachmentRead.model_validate(row), content,
                                  sha256(content) == row.sha256))
    return out


def verify_attachment(session: Session, attachment_id: int) -> bool:
    """True when the stored bytes still have the SHA-256 taken when the file was added."""
    return load_file(session, attachment_id).intact


def void_attachment(
    session: Session, *, actor: str, attachment_id: int, reason: str
) -> AttachmentRead:
    """Take an attachment out of the packets; it stays on file with who voided it and why."""
    authorize(session, actor, ATTACH)
    if not (reason or "").strip():
        raise FieldError("reason", "say why the attachment is voided")
    row = _get(session, attachment_id)
    if row.voided:
        raise DomainError(f'The attachment "{row.filename}" is already void.')
    row.voided = True
    row.void_reason = reason.strip()
    row.voided_by = actor
    row.voided_at = now()
    audit.record(session, actor, audit.VOIDED, patient_id=row.patient_id,
                 record_kind=ATTACHMENT, record_id=str(row.id))
    session.flush()
    note_change(session, ATTACHMENT, row.patient_id)
    return AttachmentRead.model_validate(row)
