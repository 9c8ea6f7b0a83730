"""Upgrades that cannot half-happen (issue 13, item 1): crash an upgrade after any statement.

tests/support/upgrade_crash.py runs in a process of its own and ends an upgrade with
`os._exit` right after its Nth SQL statement (no rollback, no cleanup), then opens the file
again as the next start of PerDiem would. Before every migration ran in one transaction,
55 of 63 such crashes of an upgrade from 0001 left a file that never opened again ("table
claim_batch already exists"). The normal suite crashes a spread of statements; the `slow`
tests crash after every statement of every migration, from an empty file and from a
database at the first migration that holds records.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

import main
from models import backup, db
from models.errors import DomainError
from tests.support import ROOT

# statements spread over the upgrade from an empty file (about 100 statements: 0001 creates
# the tables, 0002 the claims, 0006 swaps indexes, 0007 adds the batch status) and from 0001
# (about 70)
SPREAD_EMPTY = [11, 38, 58, 80, 99]
SPREAD_OLD = [9, 31, 40, 68]


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(db.alembic_config(None))  # type: ignore[arg-type]
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def at_first_migration(tmp_path) -> Path:
    """A database at the first migration holding a payer and a patient."""
    path = tmp_path / "templates" / "old.sqlite"
    path.parent.mkdir()
    engine = db.make_engine(f"sqlite:///{path}")
    command.upgrade(db.alembic_config(engine), _revisions()[0])
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO payer (id, name, payer_id, kind, requires_prior_auth, "
            "per_diem_modifiers) VALUES ('bpp', 'Badger Prairie PPO', 'BPP01', 'commercial', "
            "1, '[]')"))
        conn.execute(text(
            "INSERT INTO patient (id, first_name, last_name, birth_date, sex, address_line1, "
            "city, state, zip) VALUES ('p-1', 'Ada', 'Lovelace', '1950-01-02', 'F', "
            "'1 Main St', 'Madison', 'WI', '53703')"))
    engine.dispose()
    return path


@pytest.fixture
def empty_file(tmp_path) -> Path:
    path = tmp_path / "templates" / "empty.sqlite"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"")
    return path


def _crash(template: Path, work: Path, points: list[int] | str) -> list[dict]:
    work.mkdir(exist_ok=True)
    args = ["all"] if points == "all" else [str(n) for n in points]
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.upgrade_crash", str(template), str(work), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _stamped(result: dict) -> str | None:
    """The last migration the crashed upgrade had stamped in alembic_version."""
    found = re.search(r"'(\w+)'", result.get("stamped") or "")
    return found.group(1) if found else None


def _check_reopened(results: list[dict], *, payers: list[str], before: str | None) -> None:
    crashes = [r for r in results if not r.get("finished")]
    assert crashes, "no crash happened"
    for r in crashes:
        where = f"crash after statement {r['n']} ({r.get('statement')})"
        assert r["exit"] == 77, where
        assert r["opened"], f"{where}: the next open failed: {r.get('error')}"
        assert r["revision"] == db.head_revision(), where
        assert r["integrity"] == "ok", where
        assert r["payers"] == payers, f"{where}: records lost"
        if before is None:
            assert r["backups"] == [], where
        else:  # one copy, kept once however often the upgrade started
            assert r["backups"] == [f"crash-{r['n']}.sqlite.bak-{before}"], where
            assert r["backup_modes"] == ["0o600"], where
            assert r["backup_revisions"] == [before], where


def test_crashes_spread_over_an_upgrade_from_an_empty_file_reopen_cleanly(empty_file, tmp_path):
    results = _crash(empty_file, tmp_path / "work", SPREAD_EMPTY)
    _check_reopened(results, payers=[], before=None)
    # the spread reaches into the first migration and into later ones
    assert {None, "0001"} <= {_stamped(r) for r in results if not r.get("finished")}


def test_crashes_spread_over_an_upgrade_of_records_reopen_with_them(at_first_migration,
                                                                     tmp_path):
    results = _crash(at_first_migration, tmp_path / "work", SPREAD_OLD)
    _check_reopened(results, payers=["bpp"], before=_revisions()[0])
    assert len({_stamped(r) for r in results}) >= 3, "crashes inside several migrations"


def _every_migration_crashed_into(results: list[dict], first: str | None) -> None:
    """Each migration after `first` had at least one statement crashed after."""
    revisions = _revisions()
    pending = revisions[revisions.index(first) + 1:] if first else revisions
    previous = {rev: (revisions[i - 1] if i else None) for i, rev in enumerate(revisions)}
    # before its first stamp, an upgrade is inside the migration after `first`
    inside = {_stamped(r) or first for r in results if not r.get("finished")
              and "alembic_version" not in r.get("statement", "")}
    missing = [rev for rev in pending if previous[rev] not in inside]
    assert not missing, f"no crash inside migrations {missing}"


@pytest.mark.slow
def test_a_crash_after_every_statement_of_an_upgrade_from_an_empty_file(empty_file, tmp_path):
    results = _crash(empty_file, tmp_path / "work", "all")
    assert results[-1].get("finished"), "the upgrade ran to its end once the crashes ran out"
    _check_reopened(results, payers=[], before=None)
    _every_migration_crashed_into(results, None)


@pytest.mark.slow
def test_a_crash_after_every_statement_of_an_upgrade_of_records(at_first_migration, tmp_path):
    results = _crash(at_first_migration, tmp_path / "work", "all")
    assert results[-1].get("finished")
    _check_reopened(results, payers=["bpp"], before=_revisions()[0])
    _every_migration_crashed_into(results, _revisions()[0])


# --- an upgrade that fails (no crash): nothing changed, the message names the copy ----------


def _stray_table(path: Path) -> None:
    """What left a file "never opening again" before: a later migration's table, here
    created by hand, so that migration fails."""
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE claim_batch (id INTEGER PRIMARY KEY)"))
    engine.dispose()


def test_a_failed_upgrade_changes_nothing_and_names_its_verified_copy(at_first_migration):
    path = at_first_migration
    _stray_table(path)
    for _attempt in range(3):  # a retry keeps the first copy instead of writing another
        with pytest.raises(db.UpgradeFailed) as failed:
            db.open_database(f"sqlite:///{path}")
    copy = path.with_name(f"{path.name}.bak-{_revisions()[0]}")
    message = str(failed.value)
    assert f"could not be upgraded from schema {_revisions()[0]} to {db.head_revision()}" in (
        message)
    assert "table claim_batch already exists" in message
    assert "Nothing was changed" in message
    assert str(copy) in message and "to go back to it" in message
    assert sorted(p.name for p in path.parent.glob("old.sqlite.bak*")) == [copy.name]
    assert copy.stat().st_mode & 0o777 == 0o600
    assert backup.file_problem(copy, quick=False) is None
    assert backup.schema_revision(path) == _revisions()[0], "the upgrade left no trace"

    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # the cause removed, the next open upgrades
        conn.execute(text("DROP TABLE claim_batch"))
        assert conn.execute(text("SELECT id FROM payer")).scalars().all() == ["bpp"]
    engine.dispose()
    db.open_database(f"sqlite:///{path}").dispose()
    assert backup.schema_revision(path) == db.head_revision()


def test_the_command_line_names_the_copy_when_an_upgrade_fails(at_first_migration, tmp_path,
                                                               capsys):
    _stray_table(at_first_migration)
    status = main.main(["--db", str(at_first_migration), "export", str(tmp_path / "out.json")])
    assert status == 1
    err = capsys.readouterr().err
    assert f"{at_first_migration.name}.bak-{_revisions()[0]}" in err
    assert "Nothing was changed" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def test_a_failed_upgrade_is_a_domain_error():
    assert issubclass(db.UpgradeFailed, DomainError)
