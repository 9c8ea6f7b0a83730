"""When the pharmacy server is away (issue 14): a lost or refused connection to PostgreSQL
becomes one clear sentence naming the server (`ServerAway`), never a traceback.

`server_away(exc, url)` recognises it: a SQLAlchemy error whose cause is psycopg's
OperationalError for a connection (refused, gone: SQLAlchemy marks it `connection_invalidated`,
or the server's SQLSTATE class 08 / shutdown 57P01-57P03). Other operational errors (a lock
waited for too long, a statement cancelled) are not the server being away. The GUI's write
operation and background reads, `open_database` and the command line turn such an error into
`ServerAway`; nothing was saved (the transaction never committed), so a form keeps what was
typed and its Retry saves again once the server is back (the engine's pool pings a connection
before using it, so the first save after a restart does not meet a dead one).
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from models.errors import DomainError

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
