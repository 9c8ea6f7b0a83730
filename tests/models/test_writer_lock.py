"""The writer lock (issue 13, item 2): a lock file beside the database names who writes to
it (user, host, since); a second PerDiem is told in words, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import main
from models.dbfile import DatabaseInUse, WriterLock, holder, lock_path
from tests.support import ROOT


@contextmanager
def held_elsewhere(db: Path, user: str = "sam") -> Iterator[subprocess.Popen]:
    """Another process (another PerDiem) holding the lock until the block ends."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.lock_holder", str(db), user],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_the_lock_names_who_writes_and_refuses_a_second_writer(tmp_path):
    db = tmp_path / "perdiem.sqlite"
    with held_elsewhere(db) as other:
        found = holder(db)
        assert (found.user, found.host, found.pid) == ("sam", socket.gethostname(), other.pid)
        with pytest.raises(DatabaseInUse) as refused:
            WriterLock(db, "jia").acquire()
        assert f"is open for writing by sam on {socket.gethostname()}" in str(refused.value)
        assert f"since {found.since:%Y-%m-%d %H:%M}" in str(refused.value)
    assert holder(db) is None and not lock_path(db).exists(), "released when it ended"
    with WriterLock(db, "jia"):
        assert holder(db).user == "jia"


def test_a_lock_left_by_a_process_that_died_is_taken_over(tmp_path):
    db = tmp_path / "perdiem.sqlite"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    lock_path(db).write_text(
        f'{{"user": "sam", "host": "{socket.gethostname()}", "pid": {dead}, '
        f'"since": "2026-11-27T09:00:00"}}', encoding="utf-8")
    assert holder(db) is None
    with WriterLock(db, "jia"):
        assert holder(db).user == "jia"


def test_a_lock_not_refreshed_for_ten_minutes_is_stale(tmp_path):
    db = tmp_path / "perdiem.sqlite"
    lock_path(db).write_text('{"user": "sam", "host": "ws-2", "pid": 1, '
                             '"since": "2026-11-27T09:00:00"}', encoding="utf-8")
    assert holder(db).host == "ws-2"  # another computer: its process cannot be asked
    old = (dt.datetime.now() - dt.timedelta(minutes=11)).timestamp()
    os.utime(lock_path(db), (old, old))
    assert holder(db) is None


def test_a_command_that_writes_is_refused_in_words_while_another_perdiem_writes(
        example_engine, example_doc, tmp_path, capsys):
    db = Path(str(example_engine.url.database))
    example_engine.dispose()
    scan = tmp_path / "scan.json"
    scan.write_text("{}", encoding="utf-8")
    with held_elsewhere(db):
        status = main.main(["--db", str(db), "import", "-q", str(scan)])
        err = capsys.readouterr().err
        assert status == 1 and "Traceback" not in err
        assert err.startswith(f"perdiem import: {db} is open for writing by sam on ")
        # reading needs no lock: one snapshot, whoever writes
        assert main.main(["--db", str(db), "month", "--month", "2026-10"]) == 0
    assert main.main(["--db", str(db), "claim-number", "nope", "X1"]) == 1
    assert "no claim with the account number" in capsys.readouterr().err
    assert not lock_path(db).exists(), "a command releases its lock, also when refused"
