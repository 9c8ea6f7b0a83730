"""Services of the clinical records (orders, plans of care, preparation notes, deliveries,
infusion entries, care notes, nursing visits): versioned, never overwritten.

A save stores version 1, an edit a new version with its reason, a void marks the record void
with its reason; every version goes to the history (models/records/history.py). Functions are
typed by the record kind (models/records/registry.py): `create_record(kind=ORDER, ...)`
returns an `OrderRead`. Like every service they flush but never commit, check the record first
(checks.py) and leave a change notice (changes.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.errors import Conflict, DomainError, FieldError, ValidationFailed
from models.records import registry
from models.records.changes import note_change
from models.records.checks import check_record
from models.records.history import snapshot
from models.records.late import LATE_ENTRY_DAYS, days_late, is_late
from models.records.lots import covers_date, lot_problem
from models.records.registry import B, ClinicalKind, R
from models.records.rows import get_row, moment, new_id, require
from models.records.sanity import EntryWarning, entry_warnings
from models.records.tables import Infusion, Order, OrderRead, Pharmacy, PrepNote, PrepNoteRead
from models.records.visits import check_links
from models.security.permissions import RECORDING, authorize


def _patient_of(session: Session, kind: ClinicalKind[Any, Any], data: Any) -> str:
    if kind.owner is registry.PATIENT:
        return data.patient_id
    order = session.get(Order, data.order_id)
    return order.patient_id if order else ""


def _check_refs(session: Session, kind: ClinicalKind[Any, Any], data: Any) -> None:
    for ref in kind.refs:
        require(session, ref, getattr(data, f"{ref.key}_id"))
    if kind is registry.NURSING_VISIT:  # R34: its patient's order, that order's MAR entries
        check_links(session, data)
    note_id = getattr(data, "prep_note", None) if kind is registry.INFUSION else None
    if note_id:  # R28: the lot given from
        problem = lot_problem(session.get(PrepNote, note_id), note_id, data)
        if problem:
            raise ValidationFailed([FieldError("prep_note", problem)])


def infusion_warnings(session: Session, entry: Any) -> list[EntryWarning]:
    """R25 on an infusion entry as it would be saved: its dose against its order's, and the
    order's other current entries of its date."""
    order = session.get(Order, entry.order_id)
    if order is None:
        return []
    others = session.exec(select(Infusion).where(
        Infusion.order_id == entry.order_id, Infusion.date == entry.date,
        Infusion.voided == False)).all()  # noqa: E712
    return entry_warnings(order, entry, others)


def _check_r25(session: Session, kind: ClinicalKind[Any, Any], record: Any) -> None:
    """R25: an entry out of range, or a second administered one, is saved only with a note."""
    if kind is not registry.INFUSION or (record.notes or "").strip():
        return
    found = infusion_warnings(session, record)
    if found:
        raise ValidationFailed([FieldError(
            "notes", f"{w.text}: say why in the notes ({w.code})", w.code) for w in found])


LATE_ENTRY_REASON_REQUIRED = "late-entry-reason-required"


@dataclass(frozen=True)
class Imported:
    """An imported record's origin: its first save as the file states it (R26; None: taken as
    recorded on its own date, so never late), the file's name and the moment of the import."""

    recorded_at: dt.datetime | None
    recorded_by: str | None
    source: str | None
    at: dt.datetime


def late_entry_days(session: Session) -> int:
    """The pharmacy's R26 setting (1 until the pharmacy is set)."""
    pharmacy = session.get(Pharmacy, 1)
    return pharmacy.late_entry_days if pharmacy is not None else LATE_ENTRY_DAYS


def late_problem(kind: ClinicalKind[Any, Any], record: Any, first_recorded_at: Any,
                 days: int) -> FieldError | None:
    """R26: a late entry (late.py) without its reason, named on `late_entry_reason`."""
    own = getattr(record, kind.listing_date or "", None)
    if own is None or not is_late(own, first_recorded_at, days):
        return None
    if (record.late_entry_reason or "").strip():
        return None
    saved = first_recorded_at.date() if hasattr(first_recorded_at, "date") else first_recorded_at
    return FieldError("late_entry_reason", f"is required: recorded {days_late(own, saved)} days "
                      f"after the {kind.label}'s date, a late entry must say why "
                      f"({LATE_ENTRY_REASON_REQUIRED})", LATE_ENTRY_REASON_REQUIRED)


def _check_late(session: Session, kind: ClinicalKind[Any, Any], record: Any,
                first_recorded_at: Any) -> None:
    if problem := late_problem(kind, record, first_recorded_at, late_entry_days(session)):
        raise ValidationFailed([problem])


def create_record(session: Session, *, actor: str, kind: ClinicalKind[B, R], data: B,
                  recorded_at: dt.datetime | None = None, form_checks: bool = True,
                  today: dt.date | None = None, imported: Imported | None = None) -> R:
    """Save a new clinical record (version 1) and its first history entry; `imported` when it
    comes from an interchange file (its first save is then the file's, R26).

    `form_checks=False` skips the entry form's extra demands (e.g. a note on a held dose) for
    records the interchange importer has already checked against the file format. `today`
    (models.clock.today() when None) is the day no date may lie after (R24).
    """
    authorize(session, actor, RECORDING[kind.key])
    record: Any = kind.base.model_validate(data)
    if not record.id:
        record.id = new_id(session, kind)
    check_record(kind, record, entry=form_checks, today=today)
    _check_refs(session, kind, record)
    if form_checks:
        _check_r25(session, kind, record)
    recorded_at = moment(recorded_at)
    first = (recorded_at, actor) if imported is None else (
        imported.recorded_at and moment(imported.recorded_at), imported.recorded_by)
    _check_late(session, kind, record, first[0])
    if session.get(kind.table, record.id) is not None:
        raise Conflict(f'A {kind.label} with id "{record.id}" already exists.')
    row: Any = kind.table(**record.model_dump(), version=1, recorded_by=actor,
                          recorded_at=recorded_at, first_recorded_at=first[0],
                          first_recorded_by=first[1],
                          imported_from=imported.source if imported else None,
                          imported_at=imported.at if imported else None)
    session.add(row)
    session.flush()
    snapshot(session, kind, row, "created", None)
    session.flush()
    note_change(session, kind.key, _patient_of(session, kind, record))
    return kind.read.model_validate(row)


def edit_record(session: Session, *, actor: str, kind: ClinicalKind[B, R], record_id: str,
                data: B, reason: str, recorded_at: dt.datetime | None = None,
                today: dt.date | None = None, base_version: int | None = None) -> R:
    """Store a new version of a clinical record; the previous ones stay in its history.

    `base_version` is the version the edit was made from (a form names the version it
    loaded): when the record changed meanwhile (another workstation saved a correction), the
    edit is refused with both versions shown (StaleEdit), never saved over the newer one."""
    authorize(session, actor, RECORDING[kind.key])
    if not (reason or "").strip():
        raise FieldError("reason", "say why the record is changed")
    row: Any = get_row(session, kind.table, record_id, kind.label)
    record = kind.base.model_validate({**data.model_dump(), "id": record_id})
    new = record.model_dump()
    if base_version is not None and row.version != base_version:
        raise StaleEdit(kind, row, base_version, new)
    if row.voided:
        raise DomainError(f'The {kind.label} "{record_id}" is void and cannot be edited.')
    check_record(kind, record, today=today)
    _check_refs(session, kind, record)
    _check_r25(session, kind, record)
    _check_late(session, kind, record, row.first_recorded_at)
    if all(getattr(row, k) == v for k, v in new.items()):
        raise DomainError("Nothing was changed, so no new version was saved.")
    for k, v in new.items():
        setattr(row, k, v)
    row.version += 1
    row.recorded_by = actor
    row.recorded_at = moment(recorded_at)
    row.change_reason = reason.strip()
    session.flush()
    snapshot(session, kind, row, "edited", reason.strip())
    session.flush()
    note_change(session, kind.key, _patient_of(session, kind, record))
    return kind.read.model_validate(row)


def void_record(session: Session, *, actor: str, kind: ClinicalKind[Any, R], record_id: str,
                reason: str, recorded_at: dt.datetime | None = None,
                base_version: int | None = None) -> R:
    """Mark a clinical record void (it stays on file with its history; the rules ignore it).
    With `base_version`, refused (StaleEdit) when the record changed since that version."""
    authorize(session, actor, RECORDING[kind.key])
    if not (reason or "").strip():
        raise FieldError("reason", "say why the record is voided")
    row: Any = get_row(session, kind.table, record_id, kind.label)
    if base_version is not None and row.version != base_version:
        raise StaleEdit(kind, row, base_version, None)
    if row.voided:
        raise DomainError(f'The {kind.label} "{record_id}" is already void.')
    row.voided = True
    row.void_reason = reason.strip()
    row.version += 1
    row.recorded_by = actor
    row.recorded_at = moment(recorded_at)
    row.change_reason = reason.strip()
    session.flush()
    snapshot(session, kind, row, "voided", reason.strip())
    session.flush()
    note_change(session, kind.key, _patient_of(session, kind, row))
    return kind.read.model_validate(row)


def get_record(session: Session, kind: ClinicalKind[Any, R], record_id: str) -> R:
    return kind.read.model_validate(get_row(session, kind.table, record_id, kind.label))


def list_records(
    session: Session,
    kind: ClinicalKind[Any, R],
    *,
    patient_id: str | None = None,
    order_id: str | None = None,
    include_voided: bool = False,
) -> list[R]:
    """Current versions of one kind of clinical record, by date (or start date) then id."""
    table: Any = kind.table
    stmt = select(table)
    if not include_voided:
        stmt = stmt.where(table.voided == False)  # noqa: E712
    by_order = kind.owner is registry.ORDER
    if order_id is not None and by_order:
        stmt = stmt.where(table.order_id == order_id)
    if patient_id is not None:
        if by_order:
            stmt = stmt.join(Order, Order.id == table.order_id).where(
                Order.patient_id == patient_id)
        else:
            stmt = stmt.where(table.patient_id == patient_id)
    stmt = stmt.order_by(getattr(table, kind.listing_date or "id"), table.id)
    return [kind.read.model_validate(r) for r in session.exec(stmt).all()]


def patient_orders(session: Session, patient_id: str, selected: str | None = None,
                   active_on: dt.date | None = None, keep_selected: bool = True
                   ) -> list[OrderRead]:
    """The orders a form offers: the patient's that are not void (only those in force on
    `active_on` when given), plus `selected` (unless `keep_selected` is off) so an old
    record's order, or the one a caller asked for, is always there."""
    orders = list_records(session, registry.ORDER, patient_id=patient_id)
    if active_on is not None:
        orders = [o for o in orders if o.active_on(active_on)]
    if keep_selected and selected and selected not in {o.id for o in orders}:
        try:
            orders.append(get_record(session, registry.ORDER, selected))
        except DomainError:
            pass
    return orders


def lots_for(session: Session, order_id: str, day: dt.date,
             selected: str | None = None) -> list[PrepNoteRead]:
    """R28: the preparation notes an entry of `order_id` on `day` can name as its lot (not
    void, date <= day <= beyond-use date), by date then id; plus `selected` when it is a note
    of the order no longer offered, so an old entry's lot stays shown."""
    notes = [n for n in list_records(session, registry.PREP_NOTE, order_id=order_id)
             if covers_date(n, day)]
    if selected and selected not in {n.id for n in notes}:
        row = session.get(PrepNote, selected)
        if row is not None and row.order_id == order_id:
            notes.append(PrepNoteRead.model_validate(row))
    return notes


def lot_text(note: Any) -> str:
    """How a lot is shown: its lot number, beyond-use date (and hour) and note id (R28)."""
    hour = f" {note.beyond_use_time:%H:%M}" if note.beyond_use_time is not None else ""
    return (f"{note.lot or 'no lot number'}, BUD {note.beyond_use_date:%m/%d/%Y}{hour} "
            f"({note.id})")


def day_lots(session: Session, patient_id: str, start: dt.date, end: dt.date
             ) -> dict[tuple[str, dt.date], list[str]]:
    """R28: by (order, date), each current infusion entry of the patient in [start, end] with
    the lot it names ("mar-1 completed: lot LE12F044, BUD 10/09/2026 (rx-1)", or "no lot
    named"), by start time then id; what the calendar's day panel lists. One SELECT."""
    stmt = (select(Infusion, PrepNote)
            .join(Order, col(Order.id) == Infusion.order_id)
            .join(PrepNote, col(PrepNote.id) == Infusion.prep_note, isouter=True)
            .where(Order.patient_id == patient_id, Infusion.voided == False,  # noqa: E712
                   Infusion.date >= start, Infusion.date <= end)
            .order_by(Infusion.date, Infusion.start_time, Infusion.id))
    out: dict[tuple[str, dt.date], list[str]] = {}
    for entry, note in session.exec(stmt).all():
        lot = (f"lot {lot_text(note)}" if note is not None else
               f"lot {entry.prep_note} (not on file)" if entry.prep_note else "no lot named")
        out.setdefault((entry.order_id, entry.date), []).append(
            f"{entry.id} {entry.status}: {lot}")
    return out


def last_nurse(session: Session, order_id: str) -> str | None:
    """Who gave the most recent administered dose of an order (to prefill the MAR form)."""
    stmt = (select(Infusion.administered_by)
            .where(Infusion.order_id == order_id, Infusion.voided == False,  # noqa: E712
                   col(Infusion.administered_by).is_not(None))
            .order_by(col(Infusion.date).desc(), col(Infusion.start_time).desc()).limit(1))
    return session.exec(stmt).first()


class StaleEdit(Conflict):
    """An edit made from an older version of a record that changed meanwhile; nothing was
    saved. The message shows both: the version saved now and what the edit would make."""

    def __init__(self, kind: ClinicalKind[Any, Any], row: Any, base_version: int,
                 new: dict[str, Any] | None):
        self.record_id, self.saved_version, self.base_version = row.id, row.version, base_version
        when = f"{row.recorded_at:%Y-%m-%d %H:%M}" if row.recorded_at else "meanwhile"
        lines = [f'The {kind.label} "{row.id}" was changed by {row.recorded_by or "someone"} '
                 f"at {when} (version {row.version}) after you opened version {base_version}; "
                 "nothing was saved. Open it again to see the saved version, then make your "
                 "change to it."]
        if row.voided:
            lines.append(f"It is now void: {row.void_reason or ''}".rstrip(": "))
        if new is not None:
            lines.append("Saved now / yours:")
            for name, value in new.items():
                saved = getattr(row, name, None)
                if name != "id" and saved != value:
                    lines.append(f"  {name}: {_shown(saved)} / {_shown(value)}")
        super().__init__("\n".join(lines))


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
