"""Database access: where the database is, how it is opened and migrated, and transactions.

What differs between the engines (SQLite's pragmas and BEGIN IMMEDIATE, an encrypted file's
key, a PostgreSQL server's write lock and pre-ping) stays in this module and in
models/server.py and models/cipher.py; the rest of PerDiem runs the same on both.
A little over 400 lines: opening, upgrading (with its verified copy) and the transactions of
both engines belong together, each short.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

import models.records.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models import backup, cipher, dbfile, notify, server
from models.claims import batch_files
from models.dbfile import DatabaseDamaged, damage, network_problem, restore_command
from models.errors import DomainError

MIGRATIONS = Path(__file__).with_name("migrations")
APP_NAME = "PerDiem"
ANALYSIS_LIMIT = 1000
WRITE = "perdiem_write"  # the execution option of a writing engine (`writer`)


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "perdiem.sqlite"


def private_folder(folder: Path) -> None:
    """PerDiem's own data folder: created, and kept, 0700 (its owner's only; POSIX)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        os.chmod(folder, 0o700)


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


def make_engine(url: str, key: str | None = None) -> Engine:
    """An engine with PerDiem's connection settings; no migration is run. A new database
    file is created 0600 (it holds patients' records; SQLite gives its -wal and -shm files
    the same mode). With `key`, an encrypted (or new) file is opened through SQLCipher
    (models/cipher.py); a plain file stays plain."""
    path = sqlite_path(url)
    if path is not None:
        if path.parent == default_db_path().parent:
            private_folder(path.parent)
        else:  # a folder the user named: created private, an existing one left as it is
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            backup.private_file(path)
        except FileExistsError:
            pass
    url = server.server_url(url)
    use_key = key if path is not None and cipher.keyed(path, key) else None
    # hide_parameters: an error names the statement, never the values it carried (a
    # patient's name in a traceback or a log: issue 12)
    sqlite = url.startswith("sqlite")
    # a server's connections are pinged before use: after the server was away and is back,
    # the first save meets a live connection, not one the restart closed (models/server.py)
    engine = create_engine(url, connect_args={"timeout": 10} if sqlite else {},
                           hide_parameters=True, pool_pre_ping=not sqlite, **_driver(use_key))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no branch - runs on every connection
            if use_key:  # SQLCipher: the key is the first statement of a connection
                cipher.apply_key(dbapi_conn, use_key)
            # the driver's own transaction handling off: each transaction begins below
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=10000")
            # ANALYZE (and PRAGMA optimize) read at most this many rows an index: milliseconds
            cur.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no branch - runs as each transaction starts
            # A write takes SQLite's write lock at once (BEGIN IMMEDIATE): what it reads, such
            # as the highest id it adds one to, cannot change under it, and a second writer
            # waits (busy_timeout) instead of failing midway. A read is one snapshot (BEGIN):
            # an export or a packet sees one state of the pharmacy, not two halves.
            write = conn.get_execution_options().get(WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        @event.listens_for(engine, "close")
        def _optimize(dbapi_conn, _record):  # pragma: no branch - runs as a connection closes
            # SQLite's advice: PRAGMA optimize before closing a connection refreshes the
            # planner's statistics of the tables it queried, if they changed a lot
            try:
                dbapi_conn.execute("PRAGMA optimize")
            except Exception:  # noqa: BLE001 - a busy or read-only file keeps its statistics
                pass

    if engine.dialect.name == "postgresql":
        server.take_write_lock(engine, WRITE)  # the server's BEGIN IMMEDIATE

    return engine


def _driver(key: str | None) -> dict:
    """create_engine's arguments choosing the driver: sqlcipher3 for an encrypted file."""
    return {"module": cipher.driver_module()} if key else {}


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


def known_revisions() -> set[str]:
    """Every schema revision this PerDiem can open (and upgrade)."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return {r.revision for r in script.walk_revisions()}


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()  # type: ignore[arg-type]


class UpgradeFailed(DomainError):
    """An upgrade stopped; the database is as it was before (an upgrade is all or nothing)."""


def _migration_engine(url: str, key: str | None = None) -> Engine:
    """An engine whose transactions include DDL: the sqlite3 driver left to itself commits
    before every CREATE/ALTER/DROP, so a crash midway left a half-upgraded file that never
    opened again. As SQLAlchemy documents for pysqlite, the driver's own transaction handling
    is switched off and each transaction starts with an explicit BEGIN (IMMEDIATE: no other
    PerDiem writes while the schema changes). Foreign keys are off during the upgrade, as
    SQLite's procedure for altering tables asks, and checked before the commit instead. An
    encrypted file is migrated through SQLCipher with its key."""
    path = sqlite_path(url)
    use_key = key if path is not None and cipher.keyed(path, key) else None
    engine = create_engine(url, connect_args={"timeout": 10}, poolclass=NullPool,
                           **_driver(use_key))

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # pragma: no branch - runs on every connection
        if use_key:
            cipher.apply_key(dbapi_conn, use_key)
        dbapi_conn.isolation_level = None
        for pragma in ("foreign_keys=OFF", "journal_mode=WAL", "synchronous=FULL",
                       "busy_timeout=10000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn):  # pragma: no branch - runs as each transaction starts
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def backup_name(path: Path, revision: str) -> Path:
    """Where the copy taken before upgrading `path` from `revision` goes: one name per
    revision, so a retried upgrade keeps the first copy instead of writing another."""
    return path.with_name(f"{path.name}.bak-{revision}")


def restore_hint(path: Path, backup: Path) -> str:
    """How to go back to `backup`, in words a message can end with."""
    return (f"A verified copy of the database as it was before the upgrade is at {backup}; "
            f"to go back to it: {restore_command(path, backup)}")


def _pre_upgrade_backup(path: Path, revision: str, key: str | None = None) -> Path:
    """A verified copy of the database before its upgrade (0600, encrypted as the database
    is), written once: a retry finds the copy of the first attempt (which changed nothing)
    and keeps it."""
    target = backup_name(path, revision)
    if target.exists() and backup.file_problem(target, quick=False, key=key) is None \
            and backup.schema_revision(target, key) == revision:
        return target
    return backup.online_copy(path, target, key)


def upgrade(engine: Engine, key: str | None = None) -> Path | None:
    """Bring the schema to the newest migration, all or nothing.

    Every pending migration runs in ONE transaction (`_migration_engine`): an error or a
    crash at any statement leaves the database as it was. Before it, a database that already
    holds PerDiem tables is copied beside itself (`name.sqlite.bak-<revision>`, through
    SQLite's online backup API, verified, 0600, encrypted with `key` as the file is); the
    copy's path is returned. A failed upgrade raises UpgradeFailed naming the copy and how to
    restore it."""
    if current_revision(engine) == head_revision():
        return None
    path = sqlite_path(str(engine.url))
    if engine.dialect.name != "sqlite":
        # one transaction (PostgreSQL's DDL is transactional) under the write lock: two desks
        # opening a new server database at once migrate it once
        with writer(engine).begin() as conn:
            if MigrationContext.configure(conn).get_current_revision() != head_revision():
                cfg = alembic_config(engine)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        return None
    migrating = _migration_engine(str(engine.url), key)
    saved: Path | None = None
    try:
        with migrating.begin() as conn:  # BEGIN IMMEDIATE: the revision read is the one upgraded
            current = MigrationContext.configure(conn).get_current_revision()
            if current == head_revision():
                return None
            script = ScriptDirectory.from_config(alembic_config(engine))
            if current is not None and current not in {r.revision
                                                        for r in script.walk_revisions()}:
                raise DomainError(f"This database was written by a newer PerDiem (schema "
                                  f"{current}); open it with that version, or choose another "
                                  "file with --db.")
            if path is not None and path.exists() and inspect(conn).get_table_names():
                try:
                    saved = _pre_upgrade_backup(path, current or "none", key)
                except backup.BackupFailed as exc:
                    raise UpgradeFailed(f"{exc} The upgrade was not started: the database is "
                                        "as it was.") from exc
            cfg = alembic_config(migrating)
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise DomainError(f"the upgraded table {broken[0]} names a missing "
                                      f"{broken[2]} (row {broken[1]})")
            except (DomainError, SQLAlchemyError, OSError) as exc:
                shown = exc.orig if isinstance(exc, DBAPIError) else exc
                raise UpgradeFailed(
                    f"{_shown(str(engine.url))} could not be upgraded from schema "
                    f"{current or 'none'} to {head_revision()} ({shown}). Nothing was changed: "
                    "an upgrade is all or nothing."
                    + (f" {restore_hint(path, saved)}" if path and saved else "")) from exc
    finally:
        migrating.dispose()
    return saved


def open_database(url: str, report: Callable[[str], None] | None = None, *,
                  daily_backup: bool = False, key: str | None = None) -> Engine:
    """Open (creating or upgrading as needed) the database at `url`, then settle what a
    crash left half-done (a claim batch recorded but not completed: batch_files); `report`
    is told, in words, of each thing settled.

    A database file is checked first (`damage`: empty, not SQLite, or failing SQLite's
    quick_check) and refused with DatabaseDamaged, untouched. `daily_backup` (the app and
    the command line ask for it) takes the day's first verified copy into
    `perdiem-backups/` beside the file (models/backup.py keeps 14 daily and 12 monthly).

    `key` opens an encrypted file (models/cipher.py: WrongKey when it does not open it,
    before anything is touched; without a key the file is "not a SQLite database"); every
    check, migration and copy of it uses the key, and a new file given a key is encrypted."""
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None and (refused := network_problem(path)) is not None:
        raise DomainError(refused)
    if path is not None and path.exists():
        if key:  # without one, an encrypted file is "not a SQLite database" (below)
            cipher.check_key(path, key)
        problem = damage(path, key)
        if problem is not None:
            raise DatabaseDamaged(path, problem, key)
    try:
        engine = make_engine(url, key)
    except ArgumentError as exc:  # e.g. --db "postgres:/server" or an unknown scheme
        raise DomainError(f"{_shown(url)} is not a database URL PerDiem can open ({exc}).") from exc
    except ImportError as exc:  # a server URL whose driver is not installed (e.g. psycopg)
        raise DomainError(f"{_shown(url)} cannot be opened: its database driver is not "
                          f"installed ({exc}).") from exc
    try:
        upgrade(engine, key)
        optimize(engine)
        settled = []
        writing = dbfile.holder(path) if path is not None else None
        # a pending batch of a PerDiem writing now is its own to complete, not interrupted
        if writing is None or writing.pid == os.getpid():
            with unit_of_work(engine) as session:
                settled = batch_files.settle_pending(session)
        if path is not None and daily_backup:
            try:
                take_daily_backup(path, key)
            except DatabaseDamaged:
                engine.dispose()
                raise
    except OperationalError as exc:
        if path is None and engine.dialect.name != "sqlite":  # the server, not the data
            engine.dispose()
            raise server.unreachable(_shown(url), exc.orig) from exc
        raise DomainError(f"{_shown(url)} cannot be opened as a PerDiem database "
                          f"({exc.orig}).") from exc
    except DatabaseError as exc:  # e.g. --db names a spreadsheet, or a damaged file
        raise DomainError(f"{_shown(url)} cannot be opened as a PerDiem database "
                          f"({exc.orig}).") from exc
    for done in settled:
        if report is not None:
            report(str(done))
    return engine


def take_daily_backup(path: Path, key: str | None = None) -> Path | None:
    """The day's first verified copy of the database file at `path` (models/backup.py), or
    None when today's exists. DatabaseDamaged when the copy's full integrity check finds
    damage the quick check at open does not look for; BackupFailed when it cannot be written.
    The command line takes it as it opens the file; the GUI once its window is up (in the
    background: 1.3 s on five years of a 300-patient pharmacy)."""
    try:
        return backup.daily_backup(path, dt.date.today(), key)
    except backup.BackupFailed as exc:
        if exc.problem is None:
            raise
        raise DatabaseDamaged(path, f"its integrity check failed: {exc.problem}", key) from exc


def transactions(engine: Engine) -> Callable[[], AbstractContextManager[Session]]:
    """A unit_of_work factory on `engine`, for a service that commits in steps (an export
    whose files must reach the disk between two transactions: models/claims/batches.py)."""
    return lambda: unit_of_work(engine)


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
    """One transaction per user action: commit when the block ends, roll back on any error.
    It takes the write lock before its first read: BEGIN IMMEDIATE on SQLite, PerDiem's
    advisory lock on PostgreSQL (`make_engine`). On PostgreSQL the change notice the services
    left on the session goes to the other desks in the same transaction (models/notify.py)."""
    with Session(writer(engine), expire_on_commit=False) as session:
        try:
            yield session
            notify.announce(session, engine)
            session.commit()
        except BaseException:
            session.rollback()
            raise


def writer(engine: Engine) -> Engine:
    """`engine` for writing: its transactions begin IMMEDIATE on SQLite and take PerDiem's
    advisory lock on PostgreSQL."""
    return engine.execution_options(**{WRITE: True})


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A session for reading one consistent state of the database (one read transaction on
    SQLite, REPEATABLE READ on PostgreSQL, whatever is written meanwhile); it never commits, so
    nothing read is saved."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
