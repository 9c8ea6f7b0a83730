"""A desk reading while another imports (run as a process; issue 14).

    python -m tests.support.concurrent_reader DB_URL STOP_FILE

Prints "ready", then, until STOP_FILE exists, reads in one snapshot the counts of patients,
orders and MAR entries and the number of billable-days rows of October 2026, printing each
distinct observation once as `patients orders entries days`; then one more read after the
stop, so the state after the import is seen too, and `reads N`, how many reads it made. A read
that fails ends the process with its error.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import func, select

from models.billing import loading
from models.db import open_database, snapshot
from models.records.tables import Infusion, Order, Patient


def observe(engine) -> str:
    with snapshot(engine) as s:
        counts = [s.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (Patient, Order, Infusion)]
        days = loading.billable_days(s, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    return " ".join(str(n) for n in (*counts, len(days)))


if __name__ == "__main__":
    url, stop = sys.argv[1], Path(sys.argv[2])
    engine = open_database(url)
    print("ready", flush=True)
    seen: list[str] = []
    reads = 0
    while not stop.exists():
        reads += 1
        now = observe(engine)
        if not seen or seen[-1] != now:
            seen.append(now)
            print(now, flush=True)
    now = observe(engine)
    if seen[-1] != now:
        print(now, flush=True)
    print(f"reads {reads}", flush=True)
    engine.dispose()
