"""R26: what the app says about when a clinical record was written and where it came from,
for the calendar's day panel and a record's history (the packet reads the same fields itself).

A record is a late entry by models/records/late.py (the one definition), measured from its own
date (its kind's listing date) to its first save (`first_recorded_at`), by the pharmacy's
`late_entry_days`; it is then shown with `late_note()`: "Late entry, recorded 11/20/2026 by
Jia Lee: paper MAR received today". An imported record names the file and the moment of the
import; one imported without `recorded_at` is taken as recorded on its own date (never late).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.records import registry
from models.records.clinical import late_entry_days
from models.records.late import is_late, late_note
from models.records.registry import ClinicalKind
from models.records.tables import Order


@dataclass(frozen=True)
class RecordedNote:
    """When and by whom one clinical record was first saved, as the app shows it."""

    kind: str  # registry key
    label: str  # "infusion entry"
    record_id: str
    date: dt.date | None  # the record's own date
    first_recorded_at: dt.datetime | None
    first_recorded_by: str | None
    late: str | None  # late_note(...) when it is a late entry
    imported: str | None  # "Imported from example.json on 12/02/2026 at 10:15"

    @property
    def marked(self) -> bool:
        """Worth a line in the day panel: a late entry or an imported record."""
        return self.late is not None or self.imported is not None


def imported_text(row: Any) -> str | None:
    """Where and when an imported record came from (None for one saved in PerDiem)."""
    at = getattr(row, "imported_at", None)
    if at is None:
        return None
    source = getattr(row, "imported_from", None) or "an interchange file"
    return f"Imported from {source} on {at:%m/%d/%Y at %H:%M}"


def note_of(kind: ClinicalKind[Any, Any], row: Any, days: int) -> RecordedNote:
    """The note of one record (a table row or read object), `days` the pharmacy's
    late_entry_days."""
    own = getattr(row, kind.listing_date) if kind.listing_date else None
    at, by = row.first_recorded_at, row.first_recorded_by
    late = (late_note(at, by or "", row.late_entry_reason)
            if own is not None and at is not None and is_late(own, at, days) else None)
    return RecordedNote(kind.key, kind.label, row.id, own, at, by, late, imported_text(row))


def record_note(session: Session, kind: ClinicalKind[Any, Any], record_id: str
                ) -> RecordedNote | None:
    """The note of one record (its history's heading); None when there is no such record."""
    row = session.get(kind.table, record_id)
    return None if row is None else note_of(kind, row, late_entry_days(session))


def day_notes(session: Session, patient_id: str, start: dt.date, end: dt.date
              ) -> dict[dt.date, list[RecordedNote]]:
    """The patient's records dated in [start, end] (not voided) that are late entries or
    imported, by their date, in the file's kind order then id: what the calendar's day panel
    lists under the day. One SELECT per clinical kind."""
    days = late_entry_days(session)
    out: dict[dt.date, list[RecordedNote]] = defaultdict(list)
    for kind in registry.CLINICAL:
        table: Any = kind.table
        day = getattr(table, kind.listing_date or "")
        stmt = select(table).where(col(table.voided).is_(False), day >= start, day <= end)
        if kind.owner is registry.ORDER:
            stmt = stmt.join(Order, col(Order.id) == table.order_id).where(
                Order.patient_id == patient_id)
        else:
            stmt = stmt.where(table.patient_id == patient_id)
        for row in session.exec(stmt.order_by(day, table.id)):
            note = note_of(kind, row, days)
            if note.marked and note.date is not None:
                out[note.date].append(note)
    return dict(out)
