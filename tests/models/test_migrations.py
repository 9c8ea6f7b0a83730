"""The database: migrations match the models, older files are backed up then upgraded, settings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, exc, text
from sqlmodel import SQLModel

from models import backup, db
from models.errors import DomainError
from tests.support import ROOT


def _revisions() -> list[str]:
    """Every migration, oldest first."""
    script = ScriptDirectory.from_config(db.alembic_config(None))  # type: ignore[arg-type]
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.mark.both_engines  # every migration runs on PostgreSQL too (issue 14)
def test_migrations_build_the_schema_the_models_describe(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_a_new_database_is_at_the_newest_migration_without_a_backup(engine, tmp_path):
    assert db.current_revision(engine) == db.head_revision() == _revisions()[-1]
    assert not list(tmp_path.glob("*.bak-*"))


def test_opening_an_older_database_backs_it_up_then_upgrades_it(tmp_path):
    revisions = _revisions()
    if len(revisions) < 2:
        pytest.skip("only one migration exists, so no database can be older than the newest")
    path = tmp_path / "old.sqlite"
    url = f"sqlite:///{path}"
    old = db.make_engine(url)
    command.upgrade(db.alembic_config(old), revisions[0])
    with old.begin() as conn:
        conn.execute(text(
            "INSERT INTO payer (id, name, payer_id, kind, requires_prior_auth, "
            "per_diem_modifiers) VALUES ('bpp', 'Badger Prairie PPO', 'BPP01', 'commercial', "
            "1, '[]')"))
    assert db.current_revision(old) == revisions[0]
    old.dispose()

    engine = db.open_database(url)
    backups = list(tmp_path.glob("old.sqlite.bak-*"))
    assert [b.name for b in backups] == [f"old.sqlite.bak-{revisions[0]}"]
    assert backups[0].stat().st_mode & 0o777 == 0o600, "a copy of patients' records is private"
    assert backup.file_problem(backups[0], quick=False) is None  # passes integrity_check
    assert not list(tmp_path.glob("old.sqlite.bak-*-wal")), "the copy is one file on its own"
    # immutable: reading the copy must not add -wal/-shm files beside it
    with closing(sqlite3.connect(f"file:{backups[0]}?immutable=1", uri=True)) as copy:
        assert copy.execute("SELECT name FROM payer").fetchall() == [("Badger Prairie PPO",)]
        (kept,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    assert kept == revisions[0], "the backup is the database as it was before the upgrade"

    assert db.current_revision(engine) == db.head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM payer")).all() == [("Badger Prairie PPO",)]
    engine.dispose()

    db.open_database(url).dispose()  # already at the newest: no second backup
    assert len(list(tmp_path.glob("old.sqlite.bak-*"))) == 1


def test_sqlite_settings(engine):
    with engine.connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")}
    assert pragma["foreign_keys"] == 1
    assert pragma["journal_mode"] == "wal"
    assert pragma["synchronous"] == 2  # FULL
    assert pragma["busy_timeout"] > 0


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(exc.IntegrityError), engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO coverage (patient_id, payer_id, member_id, priority, start_date, "
            "relationship, position) VALUES ('nobody', 'nothing', 'M1', 'primary', "
            "'2026-01-01', 'self', 0)"))


def test_database_location_prefers_db_option_then_environment_then_user_folder(
    tmp_path, monkeypatch
):
    given = tmp_path / "given.sqlite"
    from_env = tmp_path / "env.sqlite"
    monkeypatch.setenv("PERDIEM_DB", str(from_env))
    assert db.resolve_db_url(str(given)) == f"sqlite:///{given}"
    assert db.resolve_db_url(None) == f"sqlite:///{from_env}"
    assert db.resolve_db_url("postgresql://pharmacy@server/perdiem") == (
        "postgresql://pharmacy@server/perdiem")

    monkeypatch.delenv("PERDIEM_DB")
    url = db.resolve_db_url(None)
    # conftest points the user data folder (XDG_DATA_HOME) at this test's temporary folder
    assert url == f"sqlite:///{tmp_path / 'xdg-data' / 'PerDiem' / 'perdiem.sqlite'}"
    engine = db.open_database(url)
    engine.dispose()
    assert (tmp_path / "xdg-data" / "PerDiem" / "perdiem.sqlite").exists()


LAYERS = """
import importlib, pkgutil, sys, models, reports
def load(package):
    for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if ".migrations" not in m.name:
            importlib.import_module(m.name)
load(models)
if "reportlab" in sys.modules or "PySide6" in sys.modules:
    sys.exit("a module of models/ loaded ReportLab or PySide6")
load(reports)
if "PySide6" in sys.modules:
    sys.exit("a module of reports/ loaded PySide6")
"""


def test_models_and_reports_do_not_load_qt():
    """Every module, not only the packages: models/ never loads Qt or ReportLab, reports/ no Qt."""
    result = subprocess.run([sys.executable, "-c", LAYERS], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_file_that_is_not_a_database_is_refused_in_words(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("shopping list\n" * 100, encoding="utf-8")
    with pytest.raises(DomainError, match="cannot be opened as a PerDiem database"):
        db.open_database(f"sqlite:///{path}")
    assert path.read_text(encoding="utf-8") == "shopping list\n" * 100


def test_a_database_of_a_newer_perdiem_is_refused_without_a_backup(engine, db_url, tmp_path):
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    with pytest.raises(DomainError, match="written by a newer PerDiem"):
        db.open_database(db_url)
    assert not list(tmp_path.glob("*.bak-*"))


def test_r26_migration_0009_takes_each_records_first_save_from_its_first_version(
        example_engine):
    """A database at 0008 with records and versions, upgraded to 0009: every clinical record's
    first_recorded_at/by is its first version's (not the current one's), and the pharmacy gets
    the defaults that leave Part 1 unchanged (late_entry_days 1, order_signature before-claim)."""
    import datetime as dt

    from models.records import clinical, registry
    from models.records.tables import CareNoteBase
    from tests.support.recorded import today_is

    note = CareNoteBase(id="cn-old", patient_id="p-1001", date=dt.date(2026, 10, 2),
                        author="Jia Lee", text="Teaching call")
    with db.unit_of_work(example_engine) as s, today_is(dt.date(2026, 10, 2)):
        clinical.create_record(s, actor="Jia Lee", kind=registry.CARE_NOTE, data=note)
    with db.unit_of_work(example_engine) as s, today_is(dt.date(2026, 11, 5)):
        clinical.edit_record(s, actor="Ravi Patel", kind=registry.CARE_NOTE, record_id="cn-old",
                             data=note.model_copy(update={"text": "Teaching call, 20 min"}),
                             reason="length of the call")
    # a plain engine (SQLite's foreign keys off, as alembic's batch copies of tables need)
    plain = create_engine(example_engine.url)
    cfg = db.alembic_config(plain)
    command.downgrade(cfg, "0008")
    with plain.begin() as conn:
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(care_note)")]
        assert "first_recorded_at" not in columns  # truly at 0008
        versions = dict(conn.execute(text(
            "SELECT record_id || ':' || version, recorded_by FROM record_version "
            "WHERE kind = 'care_note'")).all())
    assert versions["cn-old:1"] == "Jia Lee" and versions["cn-old:2"] == "Ravi Patel"

    command.upgrade(cfg, "0009")
    with plain.connect() as conn:
        rows = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT id, first_recorded_at, first_recorded_by, recorded_by, late_entry_reason "
            "FROM care_note"))}
        first = {r[0]: r[1] for r in conn.execute(text(
            "SELECT record_id, recorded_at FROM record_version "
            "WHERE kind = 'care_note' AND version = 1"))}
        missing = {table: conn.execute(text(
            f'SELECT count(*) FROM "{table}" WHERE first_recorded_at IS NULL')).scalar()
            for table in ("orders", "plan_of_care", "prep_note", "delivery", "infusion",
                          "care_note")}
        pharmacy = conn.execute(text(
            "SELECT late_entry_days, order_signature FROM pharmacy")).one()
    assert rows["cn-old"][1:] == ("Jia Lee", "Ravi Patel", None)  # first vs current author
    assert str(rows["cn-old"][0]).startswith("2026-10-02")
    assert {k: str(v[0]) for k, v in rows.items()} == {k: str(v) for k, v in first.items()}
    assert missing == dict.fromkeys(missing, 0)  # every row had a version to take it from
    assert tuple(pharmacy) == (1, "before-claim")
    plain.dispose()
