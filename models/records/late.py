"""R26: when a record was written. A clinical record is a *late entry* when the local date of
its first save (`recorded_at`) is more than `late_entry_days` after the record's own date
(pharmacy setting, default 1: saved the next day is on time, two days later is late).

Pure functions, shared by the forms (which ask for a reason), the services and the importer
(which refuse a late entry without one), the calendar's day panel and the packet (which mark
it). See docs/billing-rules.md, R26.
"""

from __future__ import annotations

import datetime as dt

LATE_ENTRY_DAYS = 1  # the pharmacy setting's default


def days_late(record_date: dt.date, recorded_at: dt.datetime | dt.date | None) -> int:
    """Whole days from the record's own date to the local date it was first saved (0 when it
    was saved on or before its date, or when the time of saving is unknown)."""
    if recorded_at is None:
        return 0
    saved = recorded_at.date() if isinstance(recorded_at, dt.datetime) else recorded_at
    return max(0, (saved - record_date).days)


def is_late(record_date: dt.date, recorded_at: dt.datetime | dt.date | None,
            late_entry_days: int = LATE_ENTRY_DAYS) -> bool:
    """True when the record was first saved more than `late_entry_days` after its date."""
    return days_late(record_date, recorded_at) > late_entry_days


def late_note(recorded_at: dt.datetime | dt.date, recorded_by: str,
              reason: str | None) -> str:
    """What every place that shows a late entry says (R26)."""
    saved = recorded_at.date() if isinstance(recorded_at, dt.datetime) else recorded_at
    who = f" by {recorded_by}" if recorded_by else ""
    return f"Late entry, recorded {saved:%m/%d/%Y}{who}: {reason or 'no reason given'}"
