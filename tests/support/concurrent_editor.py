"""A desk editing the example's order o-1 (run as a process, two at once; issue 14).

    python -m tests.support.concurrent_editor DB_URL GO_FILE ACTOR NOTES

As the order form does, it reads the order (its version) first, then, once GO_FILE exists (so
both desks opened the same version), saves its own `notes` as an edit of that version. Prints
"saved N" (the new version) or "refused:" and the message; anything else ends it with its error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from models.db import open_database, snapshot, unit_of_work
from models.records import clinical, registry
from models.records.clinical import StaleEdit

if __name__ == "__main__":
    url, go, actor, notes = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    engine = open_database(url)
    with snapshot(engine) as session:
        opened = clinical.get_record(session, registry.ORDER, "o-1")
    data = registry.ORDER.base(**opened.model_dump(include=set(registry.ORDER.base.model_fields)))
    data.notes = notes
    print(f"ready {opened.version}", flush=True)
    while not go.exists():  # a start line, not a timing: both save once it is there
        time.sleep(0.005)
    try:
        with unit_of_work(engine) as session:
            saved = clinical.edit_record(session, actor=actor, kind=registry.ORDER,
                                         record_id="o-1", data=data, reason="chart review",
                                         base_version=opened.version)
        print(f"saved {saved.version}", flush=True)
    except StaleEdit as exc:
        print(f"refused:\n{exc}", flush=True)
    engine.dispose()
