"""Two desks on one PostgreSQL server at once (issue 14): real processes, a real server.

Ids cannot collide: a write transaction on PostgreSQL takes PerDiem's transaction-level
advisory lock first (models/db.py, the server's BEGIN IMMEDIATE), so the highest id one desk
adds one to cannot be taken by the other before it commits.
"""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from models.db import open_database
from tests.support import ROOT

PER_DESK = 40


def _desk(url: str, go, actor: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.concurrent_saver", url, str(go), str(PER_DESK),
         actor], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_desks_saving_at_once_never_get_the_same_id(pg_server, pg_example_template,
                                                         tmp_path):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    go = tmp_path / "go"
    try:
        desks = [_desk(url, go, actor) for actor in ("desk.a", "desk.b")]
        for desk in desks:  # both connected and migrated-checked before either saves
            assert desk.stdout is not None and desk.stdout.readline().strip() == "ready"
        go.touch()
        outputs = [desk.communicate() for desk in desks]
        for desk, (_out, err) in zip(desks, outputs, strict=True):
            assert desk.returncode == 0, err
        given = [line for out, _err in outputs for line in out.split()]
        assert len(given) == 2 * PER_DESK and len(set(given)) == 2 * PER_DESK
        engine = open_database(url)
        with engine.connect() as conn:
            saved = conn.execute(text(
                "SELECT count(*), count(DISTINCT id) FROM care_note WHERE author LIKE 'desk.%'"
            )).one()
        engine.dispose()
        assert tuple(saved) == (2 * PER_DESK, 2 * PER_DESK)
    finally:
        pg_server.drop(name)


def test_a_desk_reading_while_another_imports_sees_before_or_after_never_half(
        pg_server, pg_migrated_template, demo_template, tmp_path):
    """Importing is all or nothing for the other desks too: a desk reading the whole time
    (counts and October's billable days, each read one snapshot) sees the empty pharmacy or
    the imported one, and nothing in between."""
    import main
    from tests.support.databases import copy_database

    source = tmp_path / "demo.sqlite"
    copy_database(demo_template.path, source)
    exported = tmp_path / "demo.json"
    assert main.main(["--db", str(source), "--user", "tester", "export", str(exported)]) == 0
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_migrated_template)
    stop = tmp_path / "stop"
    try:
        reader = subprocess.Popen(
            [sys.executable, "-m", "tests.support.concurrent_reader", url, str(stop)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        imported = subprocess.run(
            [sys.executable, "main.py", "--db", url, "--user", "tester", "import", "-q",
             str(exported)], cwd=ROOT, capture_output=True, text=True, timeout=600)
        stop.touch()
        out, err = reader.communicate(timeout=600)
        assert imported.returncode == 0, imported.stderr
        assert reader.returncode == 0, err
        *seen, reads = [line for line in out.split("\n") if line]
        assert int(reads.removeprefix("reads ")) >= 5  # it read while the import ran
        assert seen[0] == "0 0 0 0" and len(seen) == 2, seen  # before, then after: no half
        patients, orders, entries, days = (int(n) for n in seen[1].split())
        assert patients == 26 and orders > 26 and entries > 100 and days > 100
    finally:
        pg_server.drop(name)
