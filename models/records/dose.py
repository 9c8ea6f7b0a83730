"""Doses: unit conversion between the units an order's dose is written in, and the dose and
nurse, times, site and date a new infusion log (MAR) entry is prefilled with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models.records import registry
from models.records.clinical import last_nurse, list_records, patient_orders
from models.records.sanity import UNITS, dose_from_text, out_of_range
from models.records.tables import InfusionRead, OrderRead

__all__ = ["UNITS", "dose_from_text", "entry_defaults", "last_entry", "load_prefill",
           "next_entry_date", "prefill_dose"]


def prefill_dose(order: OrderRead, entries: list[InfusionRead]) -> Decimal | None:
    """The dose to offer: the one given at the order's last administered entry, else the
    ordered dose read from the order's dose text. A dose out of R25's range (confirmed once,
    with a note) is never offered again: the ordered dose is."""
    given = [e for e in entries if e.order_id == order.id and e.administered
             and not e.voided and e.dose_given is not None]
    if given:
        last = max(given, key=lambda e: (e.date, e.start_time or dt.time.min, e.id))
        if not out_of_range(order, last.dose_given, last.status):
            return last.dose_given
    return dose_from_text(order.dose, order.drug_dose_unit)


def load_prefill(session: Session, order_id: str) -> tuple[list[InfusionRead], str | None]:
    """What the dose and nurse are prefilled from: the order's entries and its last nurse."""
    return (list_records(session, registry.INFUSION, order_id=order_id),
            last_nurse(session, order_id))


def entry_defaults(session: Session, patient_id: str, day: dt.date | None, selected: str | None,
                   prefill: bool) -> tuple[list[OrderRead], str | None, Any]:
    """What a new MAR entry offers: the patient's orders in force on `day`, the one chosen
    (`selected`, else the first), and (if `prefill`) what its dose and nurse come from."""
    orders = patient_orders(session, patient_id, selected, day)
    ids = [o.id for o in orders]
    chosen = selected if selected in ids else (ids[0] if ids else None)
    return orders, chosen, load_prefill(session, chosen) if prefill and chosen else None


def last_entry(order: OrderRead, entries: list[InfusionRead]) -> InfusionRead | None:
    """The order's latest current entry (by date, then start time): what a new entry's times
    and site are prefilled from."""
    mine = [e for e in entries if e.order_id == order.id and not e.voided]
    return max(mine, key=lambda e: (e.date, e.start_time or dt.time.min, e.id), default=None)


def next_entry_date(order: OrderRead, entries: list[InfusionRead], today: dt.date) -> dt.date:
    """The date a new entry of `order` is offered: the day after its last entry, as on a paper
    log filled in line after line; never after today (R24), and today when that day is not
    one the order is in force on (R2) or there is no entry yet."""
    last = last_entry(order, entries)
    if last is None or last.date >= today:
        return today
    following = last.date + dt.timedelta(days=1)
    return following if order.active_on(following) else today
