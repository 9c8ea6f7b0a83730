"""Dates as pharmacy staff type them: MM/DD/YYYY and its short forms, relative to today.

The one reading of a typed date, for every date field of the GUI and the patient search:

- `11/24/2026`, `2026-11-24`, `11-24-2026`: as written;
- `11/24/26` (a two-digit year: the century that puts it nearest today, or with `past=True`
  the latest one not after today, as for a date of birth: `4/12/58` is 1958);
- `11/24` and `1124`: that day of today's year; `112426` and `11242026`: digits only;
- `t` today, `t-1` yesterday, `t+3` three days on.
"""

from __future__ import annotations

import datetime as dt
import re

PROBLEM = "is not a date (type MM/DD/YYYY, or 1124, 11/24/26, t, t-1)"


def _year(two: int, today: dt.date, past: bool) -> int:
    century = today.year - today.year % 100
    candidates = [century - 100 + two, century + two, century + 100 + two]
    if past:
        return max(y for y in candidates if y <= today.year)
    return min(candidates, key=lambda y: abs(y - today.year))


def _make(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(PROBLEM) from None


def parse_date(text: str, today: dt.date, *, past: bool = False) -> dt.date | None:
    """The date `text` stands for, None when blank; a ValueError (a sentence a user can act
    on) when it is no date."""
    text = text.strip().lower()
    if not text:
        return None
    m = re.fullmatch(r"t(?:oday)?\s*(?:([+-])\s*(\d{1,4}))?", text)
    if m:
        days = int(m.group(2) or 0) * (-1 if m.group(1) == "-" else 1)
        try:
            return today + dt.timedelta(days=days)
        except OverflowError:
            raise ValueError(PROBLEM) from None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?", text)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), m.group(3)
    else:
        m = re.fullmatch(r"(\d{2})(\d{2})(\d{2}|\d{4})?", text)
        if not m:
            raise ValueError(PROBLEM)
        month, day, year = int(m.group(1)), int(m.group(2)), m.group(3)
    if year is None:
        y = today.year
    elif len(year) == 2:
        y = _year(int(year), today, past)
    else:
        y = int(year)
    if y < 1:
        raise ValueError(PROBLEM)
    return _make(y, month, day)


def us_date(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"
