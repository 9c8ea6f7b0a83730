"""Attachments: scanned documents (PDF, PNG, JPEG) stored with a SHA-256 for the audit packet."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.errors import DomainError, FieldError, NotFound
from models.records.services import changes_of
from models.records.tables import (
    ATTACHMENT_KINDS,
    Attachment,
    AttachmentRead,
    Delivery,
    Order,
    Patient,
    PlanOfCare,
)

MAX_BYTES = 25 * 1024 * 1024  # a scanned multi-page order is a few MB; more is a wrong file
LABELS = {"patient": "patient", "order": "order", "plan_of_care": "plan of care",
          "delivery": "delivery"}
_TABLES = {"order": Order, "plan_of_care": PlanOfCare, "delivery": Delivery}


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


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _owner_patient(session: Session, kind: str, record_id: str) -> str:
    """The patient a record belongs to; raises a field error when the record does not exist."""
    if kind == "patient":
        if session.get(Patient, record_id) is None:
            raise FieldError("patient", f'no patient with id "{record_id}"')
        return record_id
    row = session.get(_TABLES[kind], record_id)
    if row is None:
        raise FieldError(kind, f'no {LABELS[kind]} with id "{record_id}"')
    if kind == "order":
        return row.patient_id
    order = session.get(Order, row.order_id)
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
    care or deliveries (`record_kind`, `record_id`)."""
    if record_kind not in ATTACHMENT_KINDS:
        raise FieldError("record_kind", "is patient, order, plan_of_care or delivery")
    if not (filename or "").strip():
        raise FieldError("filename", "is required")
    if not content:
        raise FieldError("file", f"{filename} is empty")
    if len(content) > MAX_BYTES:
        raise FieldError("file", f"{filename} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    media_type = sniff_media_type(content)
    if media_type is None:
        raise FieldError("file", f"{filename} is not a PDF, PNG or JPEG file")
    owner = _owner_patient(session, "patient", patient_id)
    if record_kind != "patient":
        if not record_id:
            raise FieldError(record_kind, "is required")
        owner = _owner_patient(session, record_kind, record_id)
        if owner != patient_id:
            raise FieldError(record_kind, f'{LABELS[record_kind]} "{record_id}" belongs to '
                             f'another patient, not "{patient_id}"')
    row = Attachment(
        patient_id=patient_id, record_kind=record_kind, record_id=record_id or patient_id,
        filename=filename.strip()[:255], media_type=media_type, size=len(content),
        sha256=sha256(content), description=(description or "").strip() or None,
        added_by=actor, added_at=added_at or _now(), content=content,
    )
    session.add(row)
    session.flush()
    _changed(session, patient_id)
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
    if not (reason or "").strip():
        raise FieldError("reason", "say why the attachment is voided")
    row = _get(session, attachment_id)
    if row.voided:
        raise DomainError(f'The attachment "{row.filename}" is already void.')
    row.voided = True
    row.void_reason = reason.strip()
    row.voided_by = actor
    row.voided_at = _now()
    session.flush()
    _changed(session, row.patient_id)
    return AttachmentRead.model_validate(row)


def _changed(session: Session, patient_id: str) -> None:
    c = changes_of(session)
    c.kinds.add("attachment")
    c.patient_ids.add(patient_id)
