"""A desk billing October (run as a process, two at once; issue 14).

    python -m tests.support.concurrent_biller DB_URL GO_FILE ACTOR

As the claims dialog does, it first reads the drafts (one snapshot), then, once GO_FILE exists
(so both have read the same unbilled days), records them as a batch. Prints "recorded N" or
"refused: <message>" and ends with 0 either way; anything else ends it with its error.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from models.claims import batches
from models.db import open_database, snapshot, unit_of_work
from models.errors import Conflict

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))

if __name__ == "__main__":
    url, go, actor = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    engine = open_database(url)
    with snapshot(engine) as session:
        drafts = batches.prepare_claims(session, *OCT, fmt="csv").good
    print(f"ready {len(drafts)}", flush=True)
    while not go.exists():  # a start line, not a timing: both record once it is there
        time.sleep(0.005)
    try:
        with unit_of_work(engine) as session:
            batch = batches.record_batch(session, actor=actor, drafts=drafts, fmt="csv",
                                         start=OCT[0], end=OCT[1], file_name=f"{actor}.csv",
                                         created_at=dt.datetime.now().astimezone())
        print(f"recorded {batch}", flush=True)
    except Conflict as exc:
        print(f"refused: {exc}", flush=True)
    engine.dispose()
