"""Issue 13's refusal of a stale edit, across two processes on a real PostgreSQL server (issue
14): two desks open version 1 of one order and save at once; one is saved, the other refused
with both versions shown (what is on file, what it would have saved), never overwriting."""

from __future__ import annotations

import subprocess
import sys

from models.db import open_database, snapshot
from models.records import clinical, registry
from models.records.history import history
from tests.support import ROOT

NOTES = {"desk.a": "Desk A: weight 71 kg", "desk.b": "Desk B: dose per new order"}


def test_two_desks_editing_one_order_at_once_one_saves_the_other_sees_both_versions(
        pg_server, pg_example_template, tmp_path):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    go = tmp_path / "go"
    try:
        desks = {actor: subprocess.Popen(
            [sys.executable, "-m", "tests.support.concurrent_editor", url, str(go), actor, notes],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for actor, notes in NOTES.items()}
        for desk in desks.values():  # both opened version 1 before either saves
            assert desk.stdout is not None and desk.stdout.readline().strip() == "ready 1"
        go.touch()
        outcomes = {}
        for actor, desk in desks.items():
            out, err = desk.communicate()
            assert desk.returncode == 0, err
            outcomes[actor] = out
        (winner,) = [a for a, out in outcomes.items() if out.startswith("saved 2")]
        (loser,) = [a for a, out in outcomes.items() if out.startswith("refused:")]
        message = outcomes[loser]
        assert f"changed by {winner}" in message and "(version 2)" in message
        assert "after you opened version 1; nothing was saved" in message
        assert f"notes: {NOTES[winner]} / {NOTES[loser]}" in message  # on file / yours
        engine = open_database(url)
        with snapshot(engine) as s:
            order = clinical.get_record(s, registry.ORDER, "o-1")
            versions = history(s, registry.ORDER.key, "o-1")
        engine.dispose()
        assert (order.version, order.notes, order.recorded_by) == (2, NOTES[winner], winner)
        assert [v.version for v in versions] == [1, 2]
    finally:
        pg_server.drop(name)
