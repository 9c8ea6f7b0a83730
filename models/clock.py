"""*Today* for every rule that judges dates (R24: no record dated after today; a claim line
never dated after today; R26: when a record was first saved).

One function everything asks, `today()`: the date set by `--today YYYY-MM-DD` on the command
line (`set_today`), else `PERDIEM_TODAY=YYYY-MM-DD` in the environment (for the GUI, replays and
tests), else the pharmacy's local date. `now()` is the local time of a save (aware); when today
is set to another date, a save is stamped on that date (the time of day stays the clock's), so
a replay records entries as of the day it replays.
"""

from __future__ import annotations

import datetime as dt
import os

from models.errors import FieldError

ENV = "PERDIEM_TODAY"
_override: dt.date | None = None


def parse_today(text: str, where: str = ENV) -> dt.date:
    """A YYYY-MM-DD date, or a FieldError naming `where` (the variable or the option)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(where, f'"{text}" is not a date in the form YYYY-MM-DD') from None


def set_today(day: dt.date | None) -> None:
    """Make `day` today for this process (`--today`); None goes back to the environment and
    the local date."""
    global _override
    _override = day


def today() -> dt.date:
    """The date the rules take as today: `--today`, else $PERDIEM_TODAY, else the local date."""
    if _override is not None:
        return _override
    env = os.environ.get(ENV, "").strip()
    return parse_today(env) if env else dt.date.today()


def now() -> dt.datetime:
    """Local time to the second, on `today()`, aware (its UTC offset: models/records/types.py
    stores moments in UTC): when a change is recorded."""
    clock = dt.datetime.now().astimezone().replace(microsecond=0)
    day = today()
    return clock if clock.date() == day else dt.datetime.combine(day, clock.time()).astimezone()
