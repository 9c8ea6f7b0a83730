"""A writer to kill: saves MAR entries and edits them, saying which saves were confirmed.

    python -m tests.support.crash_writer DB_URL      (run by tests/models/test_crash_writer.py)

The process imports everything once, then waits for commands on stdin. `go RUN` forks a
writer child and prints `child PID`; the child opens the database as the app does
(`open_database`) and saves, one transaction each (`unit_of_work`, as the CLI and the GUI's
WriteOp), a new infusion record, and every third time a new version of an earlier one (an
edit with its reason and history row). After each commit it prints `saved ID VERSION`: the
save was confirmed to the user. The test kills the child with SIGKILL at a moment of its
choosing; this process reaps it and prints `dead PID STATUS`. `quit` ends it.

Output goes through os.write (no buffer a fork could copy or a kill could lose).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal

from models.db import open_database, unit_of_work
from models.records import clinical, registry
from models.records.tables import InfusionBase

OCT1 = dt.date(2026, 10, 1)


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def entry(record_id: str, n: int) -> InfusionBase:
    return InfusionBase(id=record_id, order_id="o-1", date=OCT1 + dt.timedelta(days=n % 31),
                        status="completed", setting="home", dose_given=Decimal(500 + n % 7),
                        administered_by="Kill Test", notes=f"entry {n}",
                        late_entry_reason="kill test: charted after the day (R26)")


def write_forever(url: str, run: str) -> None:
    engine = open_database(url)
    versions: dict[str, int] = {}
    n = 0
    while True:
        n += 1
        with unit_of_work(engine) as session:
            if n % 3 == 0 and versions:
                record_id = sorted(versions)[n % len(versions)]
                data = entry(record_id, n)
                data.notes = f"corrected in save {n}"
                saved = clinical.edit_record(session, actor="kill test",
                                             kind=registry.INFUSION, record_id=record_id,
                                             data=data, reason=f"correction {n}")
            else:
                record_id = f"k{run}-{n}"
                saved = clinical.create_record(session, actor="kill test",
                                               kind=registry.INFUSION, data=entry(record_id, n))
            version = saved.version
        versions[record_id] = version
        say(f"saved {record_id} {version}")


def main(url: str) -> int:
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            return 0
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(url, command[1])
            finally:
                os._exit(3)  # a writer only ends by being killed, or by an error
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"dead {pid} {os.waitstatus_to_exitcode(status)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
