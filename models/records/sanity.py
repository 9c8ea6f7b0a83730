"""R25 dose sanity, pure: an administered dose over twice the order's plain dose or a
`completed` entry with dose 0 (`dose-out-of-range`), and a second administered entry for the
same order and date (`duplicate-entry`). The services save such an entry only with a note (the
forms ask for a confirmation first); the importer imports it and lists a warning with its path.
Neither changes a status (R14 still counts one day). Also the ordered dose read from an order's
dose text, which the MAR form prefills (models/records/dose.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from models.vocab import ADMINISTERED

DOSE_OUT_OF_RANGE = "dose-out-of-range"
DUPLICATE_ENTRY = "duplicate-entry"

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
    unit convertible to it ("30 g (0.4 g/kg)" in mg is 30000); otherwise None, never a guess:
    a dose per weight or per time ("6 mg/kg (500 mg)") is no plain amount."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ]+)\b(?!\s*/)", dose or "")
    if not m or not dose_unit:
        return None
    src, dst = UNITS.get(m.group(2).lower()), UNITS.get(dose_unit.strip().lower())
    if src is None or dst is None or src[0] != dst[0]:
        return None
    value = Decimal(m.group(1)) * src[1] / dst[1]
    return value.normalize() if value == value.to_integral() else value


@dataclass(frozen=True)
class EntryWarning:
    """One R25 finding on an entry: its code, the field it concerns and what it says."""

    code: str
    field: str
    text: str

    @property
    def words(self) -> str:
        return f"{self.text} ({self.code})"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def out_of_range(order: Any, dose: Decimal | None, status: str) -> str | None:
    """What is wrong with `dose` for an entry of `order` with `status` under R25, or None.
    Judged only when the order's dose is a plain amount in the drug's dose unit."""
    if status not in ADMINISTERED or dose is None:
        return None
    if status == "completed" and dose == 0:
        return "a completed entry with dose 0"
    ordered = dose_from_text(order.dose, order.drug_dose_unit)
    if ordered is not None and dose > 2 * ordered:
        return (f"{_plain(dose)} {order.drug_dose_unit} is more than twice the ordered dose "
                f"({_plain(ordered)} {order.drug_dose_unit})")
    return None


FREQUENCY_RE = re.compile(r"\b(?:every|q)\s*(\d{1,2})\s*(?:h|hrs?|hours?)\b", re.I)


def doses_a_day(frequency: str | None) -> int:
    """How many administered entries a day the order's frequency plainly allows: 24 // N for
    "every N hours" or "qNh" with N under 24, else one (R25's reading)."""
    m = FREQUENCY_RE.search(frequency or "")
    hours = int(m.group(1)) if m else 0
    return 24 // hours if 0 < hours < 24 else 1


def entry_warnings(order: Any, entry: Any, same_day: Iterable[Any]) -> list[EntryWarning]:
    """R25 on one infusion entry of `order`; `same_day` are the order's other current entries
    (any date: those of the entry's date are picked, its own id left out)."""
    out: list[EntryWarning] = []
    if problem := out_of_range(order, entry.dose_given, entry.status):
        out.append(EntryWarning(DOSE_OUT_OF_RANGE, "dose_given", problem))
    if entry.status in ADMINISTERED:
        given = 1 + sum(1 for e in same_day if e.status in ADMINISTERED
                        and e.date == entry.date and e.id != entry.id)
        if given > doses_a_day(order.frequency):
            nth = "a second" if given == 2 else f"entry {given} of the day, an extra"
            out.append(EntryWarning(DUPLICATE_ENTRY, "date", f"{nth} administered entry for "
                                    f"this order on {_us(entry.date)}"))
    return out


def _us(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"
