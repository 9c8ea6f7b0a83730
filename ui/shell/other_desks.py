"""Other desks' saves appear here (issue 14): on a PostgreSQL database a thread listens for
the notices every committed write sends (models/notify.py) and announces each one on the
context's `data_changed`, through ui/shell/ops.py like a local save, so every open view
decides whether to read again as it does after this desk's own saves. This desk's own
notices (its engine's origin) are skipped: the write operation announced them already.

The thread is a plain Python thread holding no Qt object but the relay, a QObject owned by
the context (Qt deletes it with the context, on the GUI thread; see ui/shell/workers.py): its
signal, emitted on the thread, is delivered queued on the GUI thread. A lost connection (the
server away) is retried every RETRY seconds; once it is back every view reads again
(`touches_all`), since notices sent meanwhile were missed.

    listener = listen_to_other_desks(ctx)   # None on SQLite
    ...
    listener.stop()
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from models import notify
from models.records.changes import Changes
from ui.shell import ops
from ui.shell.context import AppContext

RETRY = 2.0  # seconds between attempts to reconnect to a server gone away


class _Relay(QObject):
    arrived = Signal(object, bool)  # Changes, whether to announce every kind (after a gap)


class OtherDesks:
    """One listening thread for one context's database."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._url = ctx.url
        self._mine = notify.origin(ctx.engine)
        self._stop = threading.Event()
        self._relay = _Relay(ctx)
        self._relay.arrived.connect(self._on_arrived)
        self.listening = threading.Event()  # set while connected (tests wait on it)
        self._thread = threading.Thread(target=self._run, name="perdiem-other-desks",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        emit = self._relay.arrived.emit
        lost = False
        while not self._stop.is_set():
            try:
                for sender, changes in notify.listen(self._url, self._stop,
                                                     ready=self._connected(lost, emit)):
                    if sender != self._mine:
                        emit(changes, False)
            except psycopg.Error:
                lost = True
            self.listening.clear()
            self._stop.wait(RETRY)

    def _connected(self, lost: bool, emit):
        def ready() -> None:
            self.listening.set()
            if lost:  # back after a gap: what was missed is unknown, so everything rereads
                emit(Changes(), True)
        return ready

    def _on_arrived(self, changes: Changes, touches_all: bool) -> None:
        ops.announce_other_desk(self.ctx, changes, touches_all=touches_all)


def listen_to_other_desks(ctx: AppContext) -> OtherDesks | None:
    """Start listening when the context's database is on a server; None on SQLite."""
    if ctx.engine.dialect.name != "postgresql":
        return None
    return OtherDesks(ctx)


class Following:
    """Listening for the app's whole run: again on the new database after File ▸ Open or
    Connect (the context's `database_replaced`), stopped at the end (`stop`)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.listener = listen_to_other_desks(ctx)
        ctx.database_replaced.connect(self._again)

    def _again(self) -> None:
        self.stop()
        self.listener = listen_to_other_desks(self.ctx)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
