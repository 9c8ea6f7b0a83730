"""R29 access days (BILLING_RULES.md Part 2): the service days of an order for a payer that pays
every day of access to therapy (the NHIA definition) instead of infusion days. Pure.

For an order dosed every 1 to 3 days (`dosing_interval_days`), its access days run from its
first administered entry through the earliest of its end date, its discontinued date and its
last administered entry + interval - 1. Two administered entries more than 7 days apart
suspend therapy between them: of that gap only the days up to the earlier entry + interval - 1
are access days. An order dosed less often, or with no interval, has none (infusion days only).

Whether an access day is a service day depends on the patient's billed payer on that date
(`rules.evaluate` asks): only a payer whose `per_diem_basis` is access-days bills it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from models.vocab import ACCESS_DAYS

MAX_ACCESS_INTERVAL = 3  # days: q72h is the least often an access-days order is dosed
SUSPENDED_AFTER = 7  # days between two administered entries beyond which therapy was suspended
# how far before a period an administered entry can make a day of it an access day, and how
# far after it the next entry can (a gap of up to 7 days is on service): what loading reads
REACH = dt.timedelta(days=SUSPENDED_AFTER)


def interval(order: object) -> int | None:
    """The order's dosing interval when it makes access days (1 to 3), else None."""
    days = getattr(order, "dosing_interval_days", None)
    return days if days is not None and 1 <= days <= MAX_ACCESS_INTERVAL else None


def window_end(order: object) -> dt.date | None:
    """The last day the order can be on service: the earliest of its end and discontinued
    dates (None: open)."""
    ends = [d for d in (getattr(order, "end_date", None),
                        getattr(order, "discontinued_date", None)) if d is not None]
    return min(ends) if ends else None


def order_access_days(order: object, administered: Iterable[dt.date]) -> list[dt.date]:
    """R29: the access days of `order` given the dates of its administered entries."""
    every = interval(order)
    given = sorted(set(administered))
    if every is None or not given:
        return []
    last = window_end(order)
    step = dt.timedelta(days=1)
    days: list[dt.date] = []
    for i, day in enumerate(given):
        nxt = given[i + 1] if i + 1 < len(given) else None
        if nxt is not None and (nxt - day).days <= SUSPENDED_AFTER:
            until = nxt - step  # on service until the next dose
        else:
            until = day + dt.timedelta(days=every - 1)  # the dose's own interval, then stop
        if last is not None:
            until = min(until, last)
        d = day
        while d <= until:
            days.append(d)
            d += step
    return days


def access_service_days(
    orders: Mapping[str, object],
    administered: Mapping[str, Iterable[dt.date]],
    basis_on: Callable[[object, dt.date], str | None],
    end: dt.date | None = None,
) -> set[tuple[str, dt.date]]:
    """The (order id, date) pairs that are access-days service days up to `end`: an access day
    of the order on which `basis_on(order, day)` (the billed payer's basis) is access-days."""
    out: set[tuple[str, dt.date]] = set()
    for order_id, dates in administered.items():
        order = orders.get(order_id)
        if order is None or interval(order) is None:
            continue
        for day in order_access_days(order, dates):
            if end is not None and day > end:
                break
            if basis_on(order, day) == ACCESS_DAYS:
                out.add((order_id, day))
    return out
