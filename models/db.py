"""Database access: where the database is, how it is opened and migrated, and transactions.

Everything SQLite-specific stays in this module so the same code can later run on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlmodel import Session, create_engine

import models.records.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models.errors import DomainError

MIGRATIONS = Path(__file__).with_name("migrations")
APP_NAME = "PerDiem"
ANALYSIS_LIMIT = 1000


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "perdiem.sqlite"


def resolve_db_url(cli_value: str | None = None) -> str:
    """The database URL: `--db`, then `PERDIEM_DB`, then perdiem.sqlite in the user data folder.

    A value with `://` is taken as a SQLAlchemy URL, anything else as a file path.
    """
    value = cli_value or os.environ.get("PERDIEM_DB") or str(default_db_path())
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite:///"):
        return None
    rest = url[len("sqlite:///"):]
    return Path(rest) if rest and rest != ":memory:" else None


def make_engine(url: str) -> Engine:
    """An engine with PerDiem's connection settings; no migration is run."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 10} if url.startswith("sqlite") else {})
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no branch - runs on every connection
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=10000")
            # ANALYZE (and PRAGMA optimize) read at most this many rows an index: milliseconds
            cur.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cur.close()

        @event.listens_for(engine, "close")
        def _optimize(dbapi_conn, _record):  # pragma: no branch - runs as a connection closes
            # SQLite's advice: PRAGMA optimize before closing a connection refreshes the
            # planner's statistics of the tables it queried, if they changed a lot
            try:
                dbapi_conn.execute("PRAGMA optimize")
            except Exception:  # noqa: BLE001 - a busy or read-only file keeps its statistics
                pass

    return engine


def optimize(engine: Engine) -> None:
    """Give SQLite's query planner statistics (ANALYZE) if it has none, else refresh those
    that are stale (PRAGMA optimize). Without them it takes the first usable index, which
    was once a one-column index on `voided`: a scan of the whole table for one patient."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        analyzed = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
        conn.exec_driver_sql("PRAGMA optimize" if analyzed else "ANALYZE")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()  # type: ignore[arg-type]


def upgrade(engine: Engine) -> Path | None:
    """Bring the schema to the newest migration.

    A database that already holds PerDiem tables at an older revision is first copied next to
    itself (`name.sqlite.bak-<revision>-<timestamp>`); the copy's path is returned.
    """
    current = current_revision(engine)
    if current == head_revision():
        return None
    script = ScriptDirectory.from_config(alembic_config(engine))
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise DomainError(f"This database was written by a newer PerDiem (schema {current}); "
                          "open it with that version, or choose another file with --db.")
    backup = None
    path = sqlite_path(str(engine.url))
    has_tables = bool(inspect(engine).get_table_names())
    if path is not None and path.exists() and has_tables:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.bak-{current or 'none'}-{stamp}")
        with engine.connect() as conn:  # a checkpoint puts the WAL's pages into the main file
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copy2(path, backup)
    command.upgrade(alembic_config(engine), "head")
    return backup


def open_database(url: str) -> Engine:
    """Open (creating or upgrading as needed) the database at `url`."""
    try:
        engine = make_engine(url)
    except ArgumentError as exc:  # e.g. --db "postgres:/server" or an unknown scheme
        raise DomainError(f"{_shown(url)} is not a database URL PerDiem can open ({exc}).") from exc
    except ImportError as exc:  # a server URL whose driver is not installed (e.g. psycopg)
        raise DomainError(f"{_shown(url)} cannot be opened: its database driver is not "
                          f"installed ({exc}).") from exc
    try:
        upgrade(engine)
        optimize(engine)
    except DatabaseError as exc:  # e.g. --db names a spreadsheet, or a damaged file
        raise DomainError(f"{_shown(url)} cannot be opened as a PerDiem database "
                          f"({exc.orig}).") from exc
    return engine


def _shown(url: str) -> str:
    """The database as a message names it: a file's path, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction per user action: commit when the block ends, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
