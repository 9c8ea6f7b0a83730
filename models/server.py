"""PostgreSQL, the shared server of several desks (issue 14): what models/db.py does
differently for it. docs/server.md says what works.

- `server_url`: `postgresql://` and `postgres://` URLs get PerDiem's driver, psycopg 3.
- `take_write_lock`: every write transaction first takes PerDiem's transaction-level advisory
  lock, the server's BEGIN IMMEDIATE: a second desk's write waits (up to LOCK_WAIT, as SQLite's
  busy timeout) for the first to commit, then goes on alone and sees what it committed (READ
  COMMITTED), so the highest id it adds one to (rows.new_id), the claimed days a batch checks,
  the version an edit was made from cannot change under it.
- `unreachable`: the message when the server cannot be reached, without the URL's password.
- `server_away` / `ServerAway`: a connection refused or lost midway (below).
- `connection_url`: a desk's URL, TLS required unless the server is this PC.

When the pharmacy server is away: a lost or refused connection to PostgreSQL
becomes one clear sentence naming the server (`ServerAway`), never a traceback.

`server_away(exc, url)` recognises it: a SQLAlchemy error whose cause is psycopg's
OperationalError for a connection (refused, gone: SQLAlchemy marks it `connection_invalidated`,
or the server's SQLSTATE class 08 / shutdown 57P01-57P03). Other operational errors (a lock
waited for too long, a statement cancelled) are not the server being away. The GUI's write
operation and background reads and the command line turn such an error into `ServerAway`
(at `open_database`, where nothing is open yet to retry, `unreachable` says it); nothing was
saved (the transaction never committed), so a form keeps what was typed and its Retry saves
again once the server is back (the engine's pool pings a connection
before using it, so the first save after a restart does not meet a dead one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

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
    """The server for `shown` (the URL without its password) cannot be reached; one line (the
    driver's reason spans several)."""
    said = " ".join(str(reason).split())
    return DomainError(f"PerDiem cannot reach the database server for {shown} ({said}). "
                       "Check that the server is running and the address, database and user "
                       "are right; nothing was changed.")


# --- the server away ---------------------------------------------------------------------

SHUTDOWN = {"57P01", "57P02", "57P03"}  # admin shutdown, crash shutdown, cannot connect now


class ServerAway(DomainError):
    """The pharmacy server cannot be reached; nothing was saved."""

    def __init__(self, host: str, reason: str):
        self.host = host
        self.reason = reason
        super().__init__(f"The pharmacy server at {host} cannot be reached ({reason}).")


def host_of(url: str) -> str:
    """The server a URL names, as a message says it: its host (and port), or its socket."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    host = parsed.host or parsed.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    return f"{host}:{parsed.port}" if parsed.port else str(host)


def _reason(orig: BaseException) -> str:
    """The driver's first line, shortened: what a pharmacist can pass on to whoever helps."""
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    text = text.removeprefix("connection failed: ")
    return text if len(text) <= 160 else text[:157] + "..."


def server_away(exc: BaseException, url: str) -> ServerAway | None:
    """`exc` as ServerAway when it says the PostgreSQL server at `url` is not reachable."""
    if isinstance(exc, ServerAway):
        return exc
    if not url.startswith(("postgresql", "postgres")):
        return None
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with PerDiem
        return None
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, psycopg.OperationalError):
        return None
    state = getattr(orig, "sqlstate", None)
    invalidated = isinstance(exc, DBAPIError) and exc.connection_invalidated
    if invalidated or state is None or state.startswith("08") or state in SHUTDOWN:
        return ServerAway(host_of(url), _reason(orig))
    return None


# --- connecting a desk to the server (the Connect dialog, ui/shell/connect_dialog.py) ---------

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}
DEFAULT_PORT = 5432


def is_local(host: str) -> bool:
    """Whether a connection to `host` stays on this PC: a loopback name or a socket folder."""
    host = host.strip()
    return host.lower() in LOCAL_HOSTS or host.startswith("/")


def connection_url(host: str, port: int | None, database: str, user: str,
                   password: str | None = None) -> str:
    """The PostgreSQL URL of a desk's connection: TLS required (`sslmode=require`) unless the
    host is this PC; a socket folder as host goes in the query (`?host=/run/postgresql`)."""
    from sqlalchemy.engine import URL

    host = host.strip()
    query: dict[str, str] = {}
    if host.startswith("/"):
        query["host"] = host
    if not is_local(host):
        query["sslmode"] = "require"
    url = URL.create("postgresql", username=user.strip() or None, password=password or None,
                     host=None if host.startswith("/") or not host else host,
                     port=port if port and not host.startswith("/") else None,
                     database=database.strip(), query=query)
    return url.render_as_string(hide_password=False)
