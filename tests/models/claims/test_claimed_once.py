"""A day is never claimed twice (issue 14): the database refuses it (claim_day.in_force and its
partial unique index, both engines), the batches keep the flag as claims are replaced, voided
and discarded, and two desks billing one month at once on a real server: one records, the
other is told "someone else just billed these days; refresh"."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from models.claims import batch_files, held_days
from models.claims import batches as claim_batches
from models.db import open_database, snapshot, unit_of_work
from models.errors import Conflict
from models.records.tables import Claim, ClaimBatch, ClaimDay
from tests.support import ROOT
from tests.support.claimed_october import ICN, NOW, OCT, export, set_number

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def _held(engine) -> list[tuple[int, str, str, bool]]:
    with snapshot(engine) as s:
        return [(d.claim_id, d.order_id, f"{d.date}", d.in_force)
                for d in s.exec(select(ClaimDay).order_by(ClaimDay.pk))]


def test_the_database_refuses_a_second_claim_of_one_day(example_engine, tmp_path):
    export(example_engine, tmp_path / "oct.837")
    (claim_id, order_id, day, _), *_ = _held(example_engine)
    with pytest.raises(IntegrityError), example_engine.begin() as conn:
        conn.execute(text("INSERT INTO claim_day (claim_id, order_id, date, in_force) "
                          "VALUES (:c, :o, :d, TRUE)"), {"c": claim_id, "o": order_id, "d": day})
    with example_engine.begin() as conn:  # a row that does not bill the day is allowed
        conn.execute(text("INSERT INTO claim_day (claim_id, order_id, date, in_force) "
                          "VALUES (:c, :o, :d, FALSE)"), {"c": claim_id, "o": order_id, "d": day})


def test_a_replacement_takes_the_days_and_discarding_it_gives_them_back(example_engine,
                                                                        tmp_path):
    first = export(example_engine, tmp_path / "oct.837")
    set_number(example_engine, ICN, first.written[0].account_number)  # a replacement names it
    again = export(example_engine, tmp_path / "again.837", rebill=True)
    assert again.batch_id is not None and first.batch_id is not None
    with snapshot(example_engine) as s:
        (old,) = s.exec(select(Claim.id).where(Claim.batch_id == first.batch_id)).all()
        (new,) = s.exec(select(Claim.id).where(Claim.batch_id == again.batch_id)).all()
    held = _held(example_engine)
    assert {(c, f) for c, _o, _d, f in held} == {(old, False), (new, True)}
    assert len(held) == 4  # October's two days, in each claim
    with unit_of_work(example_engine) as s:
        assert batch_files.discard(s, s.get(ClaimBatch, again.batch_id))
    assert {(c, f) for c, _o, _d, f in _held(example_engine)} == {(old, True)}


def test_a_check_that_missed_a_claimed_day_is_caught_by_the_database(
        example_engine, tmp_path, monkeypatch):
    """Were the check before recording ever to miss a day (two desks, a bug), the index still
    refuses it, in words, and nothing of the second batch is recorded."""
    with snapshot(example_engine) as s:  # read before the other desk's export
        drafts = claim_batches.prepare_claims(s, *OCT, fmt="csv").good
    assert drafts
    export(example_engine, tmp_path / "oct.837")
    monkeypatch.setattr(claim_batches, "claimed_days", lambda *a, **k: {})
    before = _held(example_engine)
    with pytest.raises(Conflict, match=held_days.BILLED_MEANWHILE), \
            unit_of_work(example_engine) as s:
        claim_batches.record_batch(s, actor="desk b", drafts=drafts, fmt="csv", start=OCT[0],
                                   end=OCT[1], file_name="b.csv", created_at=NOW)
    assert _held(example_engine) == before


def test_two_desks_billing_october_at_once_one_records_the_other_is_told(
        pg_server, pg_example_template, tmp_path):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    engine = open_database(url)
    with engine.begin() as conn:  # billing_ready: the pharmacy's ZIP+4 (issue 11)
        conn.execute(text("UPDATE pharmacy SET zip = '616021234' WHERE id = 1"))
    engine.dispose()
    go = tmp_path / "go"
    try:
        desks = [subprocess.Popen(
            [sys.executable, "-m", "tests.support.concurrent_biller", url, str(go), actor],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for actor in ("desk.a", "desk.b")]
        for desk in desks:  # both have read October's drafts before either records
            assert desk.stdout is not None and desk.stdout.readline().strip() == "ready 1"
        go.touch()
        outcomes = []
        for desk in desks:
            out, err = desk.communicate()
            assert desk.returncode == 0, err
            outcomes.append(out.strip())
        assert sorted(o.split(" ")[0] for o in outcomes) == ["recorded", "refused:"]
        refused = next(o for o in outcomes if o.startswith("refused"))
        assert "Someone else just billed these days; refresh." in refused
        engine = open_database(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM claim_batch")).scalar_one() == 1
            assert conn.execute(text(
                "SELECT count(*) FROM claim_day WHERE in_force")).scalar_one() == 2
        engine.dispose()
    finally:
        pg_server.drop(name)
