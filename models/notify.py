"""Other desks' saves (issue 14): on PostgreSQL every committed write tells the other desks
what it wrote, through the server's LISTEN/NOTIFY, so their open views read again within about
a second.

`announce(session, engine)` runs in the write's own transaction, just before its commit
(models/db.unit_of_work): `pg_notify` on CHANNEL with the transaction's change notice
(models/records/changes.Changes) as small JSON, `{"o": origin, "k": kinds, "p": patient ids}`.
PostgreSQL delivers a notification only if its transaction commits, so a rolled-back write
tells nobody. `origin` names the engine that wrote (one per open database in a process): a
desk ignores its own notices, which it has already announced locally (ui/shell/ops.py). A
notice with many patients is sent in several notifications (a payload must stay under
PostgreSQL's 8000 bytes).

`listen(url, stop)` is the other end, for a thread of its own (ui/shell/other_desks.py): it
yields each (origin, Changes) arriving, on its own autocommit connection (psycopg 3's
`notifies()`), until `stop` is set. No Qt here.
"""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from models.records.changes import Changes, changes_of

CHANNEL = "perdiem_changes"
PAYLOAD_LIMIT = 7000  # bytes; PostgreSQL refuses a payload of 8000 or more
_origins: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def origin(engine: Engine) -> str:
    """The name this engine's writes are announced under (new per engine, per process)."""
    engine = getattr(engine, "engine", engine)  # an engine with options: its base engine
    if engine not in _origins:
        _origins[engine] = uuid.uuid4().hex[:16]
    return _origins[engine]


def payloads(changes: Changes, sender: str) -> list[str]:
    """The notification payloads of one notice: one, or several for many patients."""
    kinds = sorted(changes.kinds)
    patients = sorted(changes.patient_ids)
    out: list[str] = []
    chunk: list[str] = []

    def dump(ids: list[str]) -> str:
        return json.dumps({"o": sender, "k": kinds, "p": ids}, separators=(",", ":"))

    for patient in patients:
        if chunk and len(dump([*chunk, patient]).encode()) > PAYLOAD_LIMIT:
            out.append(dump(chunk))
            chunk = []
        chunk.append(patient)
    out.append(dump(chunk))
    return out


def parse(payload: str) -> tuple[str, Changes] | None:
    """(origin, Changes) of a payload; None for one that is not PerDiem's."""
    try:
        data = json.loads(payload)
        return str(data["o"]), Changes(kinds=set(map(str, data["k"])),
                                       patient_ids=set(map(str, data["p"])))
    except (ValueError, KeyError, TypeError):
        return None


def announce(session: Session, engine: Engine) -> None:
    """In the write's transaction, before its commit: tell the other desks what it wrote
    (PostgreSQL only; a write that noted no change tells nothing)."""
    if engine.dialect.name != "postgresql":
        return
    changes = changes_of(session)
    if not (changes.kinds or changes.patient_ids):
        return
    for payload in payloads(changes, origin(engine)):
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": CHANNEL, "payload": payload})


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (psycopg.connect) takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def listen(url: str, stop: threading.Event, *, wait: float = 0.25,
           ready: Callable[[], None] | None = None) -> Iterator[tuple[str, Changes]]:
    """Each (origin, Changes) other writes announce, until `stop` is set. Opens its own
    connection (then calls `ready`); a lost connection raises psycopg.OperationalError (the
    caller reconnects)."""
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        if ready is not None:
            ready()
        while not stop.is_set():
            for note in conn.notifies(timeout=wait, stop_after=1):
                found = parse(note.payload)
                if found is not None:
                    yield found
