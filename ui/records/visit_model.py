"""The patient's nursing visits as a list (R34): when, how long, who, what kind, and the MAR
entries given during each."""

from __future__ import annotations

from models.records.visits import visit_minutes
from ui.records.table_models import Column, RecordTableModel


def length_text(visit) -> str:
    """`4 h 0 min`, with `overnight` when it ended the next morning; empty when unknown."""
    minutes = visit_minutes(visit.start_time, visit.end_time)
    if minutes is None:
        return ""
    night = " overnight" if visit.end_time < visit.start_time else ""
    return f"{minutes // 60} h {minutes % 60} min{night}"


class NursingVisitsTableModel(RecordTableModel):
    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Visit", lambda v: v.id),
            Column("Order", lambda v: self.order_name(v.order_id)),
            Column("Date", lambda v: v.date),
            Column("Start", lambda v: v.start_time),
            Column("End", lambda v: v.end_time),
            Column("Length", length_text, tip="R34: 99601 for the first two hours, 99602 for "
                   "each further hour once more than 30 minutes of it passed"),
            Column("Nurse", lambda v: v.nurse),
            Column("Type", lambda v: v.visit_type),
            Column("MAR entries", lambda v: ", ".join(v.infusions)),
            Column("Note", lambda v: (v.note or "").strip().splitlines()[0][:80]
                   if (v.note or "").strip() else ""),
        ]
