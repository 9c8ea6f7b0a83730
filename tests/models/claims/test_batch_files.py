"""Claim batches atomic with their files (issue 13, item 3; R19-R23's "a day is billed once").

An export records its batch pending, writes its files to disk, then completes the batch
(models/claims/batch_files.py). The command line is killed with SIGKILL at the moments in
between, in a process of its own (the kill point is named by an environment variable that only
the test's launcher reads); the next open of the database settles the batch, and no day is
ever billed by two files.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

import main
from models.claims import batch_files
from models.claims import batches as claim_batches
from models.db import open_database, transactions, unit_of_work
from models.records.tables import Claim, ClaimBatch, ClaimDay
from reports.claims import x12_837p
from tests.support import ROOT
from tests.support.databases import db_arg

OCT = ("--from", "2026-10-01", "--to", "2026-10-31")

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

# The launcher: the real command line, with one step of the export replaced by a SIGKILL of
# the process itself (no cleanup, no rollback) when PERDIEM_TEST_KILL_AT names that step.
LAUNCHER = """
import os, signal, sys
from models.claims import batch_files
import main

step = os.environ["PERDIEM_TEST_KILL_AT"]
after = int(os.environ.get("PERDIEM_TEST_KILL_AFTER", "0"))
original = getattr(batch_files, step)
calls = []

def killed(*args, **kwargs):
    calls.append(1)
    if len(calls) > after:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

setattr(batch_files, step, killed)
sys.exit(main.main(sys.argv[1:]))
"""


def killed_export(db: Path, out: Path, step: str, *, after: int = 0, fmt: str = "837p"):
    """`perdiem claims` for October, killed at the `after`+1-th call of `step`."""
    env = {**os.environ, "PERDIEM_TEST_KILL_AT": step, "PERDIEM_TEST_KILL_AFTER": str(after)}
    done = subprocess.run([sys.executable, "-c", LAUNCHER, "--db", str(db), "claims", *OCT,
                           "--format", fmt, "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr)


def batches(engine) -> list[tuple[int, str]]:
    with unit_of_work(engine) as s:
        return [(b.id, b.status) for b in s.exec(select(ClaimBatch).order_by(ClaimBatch.id))]


def claimed(engine) -> dict:
    with unit_of_work(engine) as s:
        return claim_batches.claimed_days(s)


def export_again(db: Path, out: Path, capsys) -> tuple[int, str, str]:
    status = main.main(["--db", str(db), "claims", *OCT, "--format", "837p", "--out", str(out)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_killed_between_its_file_and_completion_the_batch_is_finished_at_next_open(
        example_engine, tmp_path, capsys):
    """The file reached the disk whole: the next open completes its batch, and the days it
    bills are never billed by a second file."""
    db = db_arg(example_engine)
    example_engine.dispose()
    out = tmp_path / "oct.837"
    killed_export(db, out, "complete")
    assert out.exists()
    with unit_of_work(example_engine) as s:  # as the crash left it, before any open
        (batch,) = s.exec(select(ClaimBatch)).all()
        assert batch.status == batch_files.PENDING
        assert batch_files.file_digest(out) in batch.files

    status, stdout, err = export_again(db, tmp_path / "again.837", capsys)
    assert f"Claim batch {batch.id} was interrupted after its files were written" in err
    assert status == 0 and "0 claims written" in stdout and "already in a batch" in stdout
    assert not (tmp_path / "again.837").exists(), "no second file for the same days"
    assert batches(example_engine) == [(batch.id, batch_files.COMPLETED)]
    days = claimed(example_engine)
    assert len(days) == 2 and {i.file_name for i in days.values()} == {str(out)}
    assert out.stat().st_mode & 0o777 == 0o600


def test_killed_before_its_file_the_batch_is_rolled_back_and_billed_once_later(
        example_engine, tmp_path, capsys):
    db = db_arg(example_engine)
    example_engine.dispose()
    out = tmp_path / "oct.837"
    killed_export(db, out, "write_durably")
    assert not out.exists()
    assert [s for _, s in batches(example_engine)] == [batch_files.PENDING]

    status, stdout, err = export_again(db, tmp_path / "again.837", capsys)
    assert "was rolled back" in err and "can be claimed again" in err
    assert status == 0 and "1 claim written" in stdout
    (only,) = batches(example_engine)
    assert only[1] == batch_files.COMPLETED
    assert {i.file_name for i in claimed(example_engine).values()} == {
        str(tmp_path / "again.837")}


def test_killed_between_two_files_of_a_batch_the_written_one_is_removed(demo_engine, tmp_path,
                                                                        capsys):
    """An 837P per payer: one file on disk, the next not yet. The file whose batch is rolled
    back is removed, so nobody sends claims that no batch holds."""
    db = db_arg(demo_engine)
    demo_engine.dispose()
    out = tmp_path / "oct.837"
    killed_export(db, out, "write_durably", after=1)
    (first,) = [p for p in tmp_path.glob("oct-*.837")]
    (batch_id, status), = batches(demo_engine)
    assert status == batch_files.PENDING

    opened = []
    open_database(str(demo_engine.url), report=opened.append).dispose()
    assert opened == [f"Claim batch {batch_id} was interrupted before its files were all "
                      f"written; it was rolled back (removed {first}) and its days can be "
                      "claimed again."]
    assert not first.exists() and not list(tmp_path.glob(".oct*"))
    assert batches(demo_engine) == [] and claimed(demo_engine) == {}
    with unit_of_work(demo_engine) as s:
        assert s.exec(select(Claim)).all() == [] and s.exec(select(ClaimDay)).all() == []


def test_a_file_replaced_meanwhile_is_not_taken_for_the_batch_and_is_left_alone(
        example_engine, tmp_path):
    db = db_arg(example_engine)
    example_engine.dispose()
    out = tmp_path / "oct.837"
    killed_export(db, out, "complete")
    out.write_text("someone else's file\n", encoding="ascii")
    opened = []
    open_database(str(example_engine.url), report=opened.append).dispose()
    assert len(opened) == 1 and "rolled back and its days" in opened[0]
    assert out.read_text(encoding="ascii") == "someone else's file\n"
    assert batches(example_engine) == [] and claimed(example_engine) == {}


def test_a_file_that_cannot_be_written_takes_its_batch_and_the_other_files_back(demo_engine,
                                                                              tmp_path):
    """No crash, an error: the second payer's file name is taken by a folder."""
    folder = tmp_path / "claims"
    folder.mkdir()
    out = folder / "oct.837"
    with unit_of_work(demo_engine) as s:
        preview = claim_batches.prepare_claims(s, dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                               fmt="837p")
    receivers = sorted({d.payer.payer_id for d in preview.good})
    assert len(receivers) >= 2
    (folder / f"oct-{receivers[-1]}.837").mkdir()
    with pytest.raises(OSError):
        claim_batches.export_claims(transactions(demo_engine), actor="test",
                                    start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                                    fmt="837p", out=out, render=x12_837p.render)
    assert [p.name for p in folder.iterdir()] == [f"oct-{receivers[-1]}.837"]
    assert batches(demo_engine) == [] and claimed(demo_engine) == {}


def test_an_export_that_completes_leaves_a_completed_batch_and_private_files(example_engine,
                                                                           tmp_path):
    folder = tmp_path / "claims"
    folder.mkdir()
    result = claim_batches.export_claims(
        transactions(example_engine), actor="test", start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31), fmt="837p", out=folder / "oct.837",
        render=x12_837p.render)
    assert result.paths == [folder / "oct.837"]
    assert batches(example_engine) == [(result.batch_id, batch_files.COMPLETED)]
    assert (folder / "oct.837").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in folder.iterdir()] == ["oct.837"]  # no temporary file left
