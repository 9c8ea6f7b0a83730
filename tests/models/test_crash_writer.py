"""kill -9 of a writer at random moments (issue 13, item 6): no confirmed save is ever lost,
no save is ever half there, and the file always opens and passes SQLite's integrity check.

tests/support/crash_writer.py forks writer processes that save MAR entries and edits, one
transaction each, printing each confirmed save; this test kills each one with SIGKILL after a
random number of confirmations plus a random fraction of a save (seeded, so a failure can be
run again), then opens the database as the next start of PerDiem would. The normal suite
kills 10 writers; `-m slow` kills 250.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import closing

import pytest
from sqlalchemy import text

from models.db import open_database
from tests.support import ROOT


class Writers:
    """The forking writer process and the lines it prints."""

    def __init__(self, url: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_writer", url], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)

    def line(self) -> list[str]:
        got = self.proc.stdout.readline()
        assert got, f"the writer process ended: {self.proc.stderr.read()}"
        return got.split()

    def close(self) -> None:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def kill_writers(engine, kills: int, seed: int) -> dict[str, int]:
    """Start and kill `kills` writers; every save confirmed, id -> its newest version. Checks
    the database after each kill."""
    url = str(engine.url)
    engine.dispose()
    rng = random.Random(seed)
    confirmed: dict[str, int] = {}
    writers = Writers(url)
    try:
        for run in range(kills):
            writers.proc.stdin.write(f"go {run}\n")
            writers.proc.stdin.flush()
            kind, pid = writers.line()
            assert kind == "child"
            for _ in range(rng.randrange(0, 6)):  # a random number of confirmed saves...
                what, record_id, version = writers.line()
                assert what == "saved", (what, record_id, version)
                confirmed[record_id] = int(version)
            time.sleep(rng.uniform(0, 0.015))  # ...and a random moment within the next
            os.kill(int(pid), signal.SIGKILL)
            while (said := writers.line())[0] == "saved":  # confirmed before the kill landed
                confirmed[said[1]] = int(said[2])
            assert said[:2] == ["dead", pid]
            assert int(said[2]) == -signal.SIGKILL, "the writer failed before its kill"
            check_after_kill(url, confirmed, run)
    finally:
        writers.close()
    # the figures of docs/reliability.md (shown with -s)
    print(f"{kills} writers killed; {sum(confirmed.values())} confirmed saves "
          f"({len(confirmed)} records and their edits), none lost")
    return confirmed


def check_after_kill(url: str, confirmed: dict[str, int], run: int) -> None:
    engine = open_database(url)  # as the next start does: quick_check, settle, migrate
    try:
        with closing(engine.raw_connection()) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"kill {run}"
        with engine.connect() as conn:
            rows = dict(conn.execute(text(
                "SELECT id, version FROM infusion WHERE id LIKE 'k%'")).all())
            history = dict(conn.execute(text(
                "SELECT record_id, count(*) FROM record_version WHERE kind = 'infusion' "
                "AND record_id LIKE 'k%' GROUP BY record_id")).all())
    finally:
        engine.dispose()
    lost = {k: v for k, v in confirmed.items() if rows.get(k, 0) < v}
    assert not lost, f"kill {run}: confirmed saves lost: {lost}"
    half = {k: (v, history.get(k)) for k, v in rows.items() if history.get(k) != v}
    assert not half, f"kill {run}: a record without its history (version, history rows): {half}"


def test_ten_writers_killed_at_random_moments_lose_no_confirmed_save(example_engine):
    confirmed = kill_writers(example_engine, kills=10, seed=13)
    assert len(confirmed) >= 5, "the writers got to save"


@pytest.mark.slow
def test_250_writers_killed_at_random_moments_lose_no_confirmed_save(example_engine):
    confirmed = kill_writers(example_engine, kills=250, seed=2026)
    assert len(confirmed) >= 200
