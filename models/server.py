"""PostgreSQL, the shared server of several desks (issue 14): what models/db.py does
differently for it. docs/server.md says what works.

- `server_url`: `postgresql://` and `postgres://` URLs get PerDiem's driver, psycopg 3.
- `take_write_lock`: every write transaction first takes PerDiem's transaction-level advisory
  lock, the server's BEGIN IMMEDIATE: a second desk's write waits (up to LOCK_WAIT, as SQLite's
  busy timeout) for the first to commit, then goes on alone and sees what it committed (READ
  COMMITTED), so the highest id it adds one to (rows.new_id), the claimed days a batch checks,
  the version an edit was made from cannot change under it.
- `unreachable`: the message when the server cannot be reached, without the URL's password.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from models.errors import DomainError

WRITE_LOCK = 0x50657244696570  # one number for PerDiem's writes: "PerDiem" in ASCII
LOCK_WAIT = "10s"


def server_url(url: str) -> str:
    """A PostgreSQL URL with PerDiem's driver (psycopg 3): `postgresql://` and `postgres://`
    name no driver, and SQLAlchemy's default for them (psycopg2) is not installed."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def take_write_lock(engine: Engine, write_option: str) -> None:
    """Make each transaction of `engine` whose execution options carry `write_option` take
    the write lock before its first statement."""

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:  # pragma: no branch - runs as each transaction starts
        if conn.get_execution_options().get(write_option, False):
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def unreachable(shown: str, reason: object) -> DomainError:
    """The server for `shown` (the URL without its password) cannot be reached."""
    return DomainError(f"PerDiem cannot reach the database server for {shown} "
                       f"({str(reason).strip()}). Check that the server is running and the "
                       "address, database and user are right; nothing was changed.")
