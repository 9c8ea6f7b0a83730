"""Database files prepared once per test run and copied per test.

Migrating a new file takes about 0.4 s, importing the example 0.3 s more and loading the demo
pharmacy several seconds; copying a prepared file takes milliseconds. conftest.py builds the
templates in a session folder; a test's `engine` is a copy opened as the app opens a file.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

from models import demo
from models.db import open_database, sqlite_path, unit_of_work
from models.interchange import read
from tests.support import EXAMPLE
from tests.support.postgres import Server

# The suite's one demo pharmacy: what `perdiem demo --seed 1 --today 2026-11-27` loads.
DEMO_SEED, DEMO_TODAY = 1, dt.date(2026, 11, 27)


@dataclass(frozen=True)
class Template:
    """A prepared database file and what filling it returned (the import's or demo's counts)."""

    path: Path
    counts: dict[str, int]


def copy_database(template: Path, to: Path) -> None:
    """Put a copy of a prepared database file at `to`, replacing what is there. A template is
    closed with its write-ahead log folded into the file, so the file alone is the database."""
    for stale in (to.with_name(to.name + "-wal"), to.with_name(to.name + "-shm")):
        stale.unlink(missing_ok=True)
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, to)


def replace_database(engine: Engine, template: Path) -> Engine:
    """Put a copy of a template behind an engine that holds no connection (one just opened)."""
    engine.dispose()  # closes the pooled connections; the next one opens the copy
    path = sqlite_path(str(engine.url))
    assert path is not None, engine.url
    copy_database(template, path)
    return engine


def _closed(engine: Engine, path: Path) -> Path:
    engine.dispose()  # the last connection to close folds the log into the file
    assert not path.with_name(path.name + "-wal").exists(), f"{path} is still open"
    return path


def migrated(folder: Path) -> Template:
    """An empty database at the newest schema, as `open_database` leaves a new file."""
    path = folder / "migrated.sqlite"
    return Template(_closed(open_database(f"sqlite:///{path}"), path), {})


def _filled(base: Template, name: str, fill: Callable[[Session], dict[str, int]]) -> Template:
    path = base.path.with_name(name)
    copy_database(base.path, path)
    engine = open_database(f"sqlite:///{path}")
    with unit_of_work(engine) as session:
        counts = fill(session)
    return Template(_closed(engine, path), counts)


def import_example(session: Session) -> dict[str, int]:
    """Fill a database with tests/data/example.json (actor "test")."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return read.import_document(session, actor="test", doc=doc)


def load_demo(session: Session) -> dict[str, int]:
    """Fill a database with the demo pharmacy (DEMO_SEED, DEMO_TODAY, actor "test")."""
    return demo.load_demo(session, actor="test", seed=DEMO_SEED, today=DEMO_TODAY)


def with_example(base: Template) -> Template:
    """`base` with tests/data/example.json imported."""
    return _filled(base, "example.sqlite", import_example)


def with_demo(base: Template) -> Template:
    """`base` with the demo pharmacy loaded."""
    return _filled(base, "demo.sqlite", load_demo)


# --- the same on the suite's PostgreSQL server (tests/support/postgres.py) -------------------


def pg_migrated(server: Server) -> str:
    """A template database at the newest schema, as `open_database` leaves a new one."""
    server.create("tpl_migrated")
    open_database(server.url("tpl_migrated")).dispose()
    return "tpl_migrated"


def pg_filled(server: Server, base: str, name: str,
              fill: Callable[[Session], dict[str, int]]) -> str:
    """A template database: a copy of `base` filled by `fill` (then closed, so it copies)."""
    server.create(name, template=base)
    engine = open_database(server.url(name))
    with unit_of_work(engine) as session:
        fill(session)
    engine.dispose()
    return name


def pg_replace(server: Server, engine: Engine, template: str) -> Engine:
    """Put a copy of a template database behind an engine that holds no connection."""
    engine.dispose()
    name = engine.url.database
    assert name, engine.url
    server.drop(name)
    server.create(name, template=template)
    return engine


def db_arg(engine: Engine) -> str:
    """What `--db` names to reach `engine`'s database: its file, or its server URL."""
    path = sqlite_path(str(engine.url))
    return str(path) if path is not None else engine.url.render_as_string(hide_password=False)


def billing_ready(engine: Engine) -> Engine:
    """The example's pharmacy with its ZIP+4 (616021234): the example file gives a 5-digit ZIP,
    which imports but which every claim refuses (issue 11, billing provider 2010AA N403)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE pharmacy SET zip = '616021234' WHERE id = 1"))
    return engine
