"""A desk saving care notes as fast as it can (run as a process, two at once; issue 14).

    python -m tests.support.concurrent_saver DB_URL GO_FILE COUNT ACTOR

Waits until GO_FILE exists (so two of them start together), then saves COUNT care notes of
the example's patient, each in its own transaction with an id from `rows.new_id`, and prints
the ids it was given, one a line. A save that fails ends the process with its error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from models import clock
from models.db import open_database, unit_of_work
from models.records import clinical, registry

if __name__ == "__main__":
    url, go, count, actor = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    engine = open_database(url)
    print("ready", flush=True)
    while not go.exists():  # a start line, not a timing: both begin once it is there
        time.sleep(0.005)
    for n in range(count):
        with unit_of_work(engine) as session:
            note = clinical.create_record(
                session, actor=actor, kind=registry.CARE_NOTE, data=registry.CARE_NOTE.base(
                    id="", patient_id="p-1001", date=clock.today(), author=actor,
                    contact="patient", text=f"call {n} from {actor}"))
        print(note.id, flush=True)
    engine.dispose()
