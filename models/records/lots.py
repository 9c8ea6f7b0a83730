"""R28: the lot an infusion was given from (its `prep_note`, a preparation note of the same
order) and the note's beyond-use date and hour (USP 797).

Pure functions shared by the rules (R9 with a named lot), the services and the importer (which
refuse a lot that cannot be the one given) and the MAR form (which offers only the notes that
cover the entry's date). Objects are read duck-typed: a note has `order_id`, `date`,
`beyond_use_date` and optionally `beyond_use_time` and `voided`; an entry has `order_id`,
`date` and `start_time`. See docs/billing-rules.md, R28.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def covers_date(note: Any, day: dt.date) -> bool:
    """The note's date <= `day` <= its beyond-use date (R9 as written, hour aside)."""
    return note.date <= day <= note.beyond_use_date


def covers(note: Any, day: dt.date, start: dt.time | None) -> bool:
    """The note covers an infusion on `day` started at `start` (R28): its dates cover the day
    and, on the beyond-use date itself, a beyond-use hour is not before the start. An entry
    with no start time on that date is given the benefit (R11 holds the day for the missing
    time anyway)."""
    if not covers_date(note, day):
        return False
    hour = getattr(note, "beyond_use_time", None)
    return hour is None or day < note.beyond_use_date or start is None or start <= hour


def beyond_use_text(note: Any) -> str:
    """`2026-10-03` or `2026-10-03 14:00`: the beyond-use date, with its hour when set."""
    hour = getattr(note, "beyond_use_time", None)
    return f"{note.beyond_use_date}" + (f" {hour:%H:%M}" if hour is not None else "")


def lot_problem(note: Any | None, note_id: str, entry: Any) -> str | None:
    """Why the note `note_id` (None: no such note) cannot be the lot the entry was given from,
    or None: it must exist, be of the entry's order, not be void, and cover the entry's date.
    A start after the beyond-use hour is not refused: it is recorded as it happened, and the
    rules hold the day (R9)."""
    if note is None:
        return f'no preparation note with id "{note_id}"'
    if getattr(note, "voided", False):
        return f'the preparation note "{note_id}" is void'
    if note.order_id != entry.order_id:
        return (f'the preparation note "{note_id}" is of order "{note.order_id}", not of this '
                f'entry\'s order "{entry.order_id}"')
    if not covers_date(note, entry.date):
        return (f'the preparation note "{note_id}" (prepared {note.date}, beyond use '
                f"{beyond_use_text(note)}) does not cover the entry's date {entry.date}")
    return None
