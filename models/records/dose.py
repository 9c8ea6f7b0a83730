"""Doses: unit conversion between the units an order's dose is written in, and the dose and
nurse a new infusion log (MAR) entry is prefilled with."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models.records import registry
from models.records.clinical import last_nurse, list_records, patient_orders
from models.records.tables import InfusionRead, OrderRead

# how many of the smallest unit of a dimension one unit holds
UNITS: dict[str, tuple[str, Decimal]] = {
    "mcg": ("mass", Decimal(1)), "ug": ("mass", Decimal(1)), "µg": ("mass", Decimal(1)),
    "mg": ("mass", Decimal(1000)), "g": ("mass", Decimal(1000000)),
    "ml": ("volume", Decimal(1)), "l": ("volume", Decimal(1000)),
    "unit": ("unit", Decimal(1)), "units": ("unit", Decimal(1)), "u": ("unit", Decimal(1)),
    "meq": ("meq", Decimal(1)),
}


def dose_from_text(dose: str | None, dose_unit: str | None) -> Decimal | None:
    """The ordered dose in `dose_unit` when the order's dose text starts with a number and a
    unit convertible to it ("30 g (0.4 g/kg)" in mg is 30000); otherwise None, never a guess."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ]+)\b", dose or "")
    if not m or not dose_unit:
        return None
    src, dst = UNITS.get(m.group(2).lower()), UNITS.get(dose_unit.strip().lower())
    if src is None or dst is None or src[0] != dst[0]:
        return None
    value = Decimal(m.group(1)) * src[1] / dst[1]
    return value.normalize() if value == value.to_integral() else value


def prefill_dose(order: OrderRead, entries: list[InfusionRead]) -> Decimal | None:
    """The dose to offer: the one given at the order's last administered entry, else the
    ordered dose read from the order's dose text."""
    given = [e for e in entries if e.order_id == order.id and e.administered
             and not e.voided and e.dose_given is not None]
    if given:
        last = max(given, key=lambda e: (e.date, e.start_time or dt.time.min, e.id))
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
