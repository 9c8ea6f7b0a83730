"""R26 in tests: save a record as of its own date, so it is no late entry.

The rule is strict (a record first saved more than the pharmacy's `late_entry_days` after its
date needs a reason), so a test that builds past-dated records through the services either
gives a reason (when it is about a late entry) or saves them on their day, as a nurse would."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

from models import clock
from models.records import registry


def own_date(record: Any, kind: str | registry.RecordKind[Any, Any]) -> dt.date | None:
    """The date R26 measures a record's lateness from (its kind's listing date)."""
    k = registry.kind(kind) if isinstance(kind, str) else kind
    return getattr(record, k.listing_date) if k.listing_date else None


@contextlib.contextmanager
def today_is(day: dt.date | None) -> Iterator[None]:
    """Make `day` today (models/clock.py) inside the block; None changes nothing."""
    if day is None:
        yield
        return
    clock.set_today(day)
    try:
        yield
    finally:
        clock.set_today(None)


def on_its_day(record: Any, kind: str | registry.RecordKind[Any, Any]):
    """`with on_its_day(data, "infusion"): create_record(...)`: saved on the record's date."""
    return today_is(own_date(record, kind))


def create_on_its_day(session: Any, *, actor: str, kind: str | registry.RecordKind[Any, Any],
                      data: Any, **kwargs: Any) -> Any:
    """`clinical.create_record` as of the record's own date (R26: on time, no reason needed)."""
    from models.records import clinical

    k = registry.clinical(kind if isinstance(kind, str) else kind.key)
    with on_its_day(data, k):
        return clinical.create_record(session, actor=actor, kind=k, data=data, **kwargs)
