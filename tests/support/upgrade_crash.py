"""Crash an upgrade after its Nth SQL statement, then open the file again (run as a process).

    python -m tests.support.upgrade_crash TEMPLATE WORKDIR N [N ...]   ("all": every N)

Run by tests/models/test_upgrade_crash.py in a subprocess of its own. For each N it copies
TEMPLATE (a database at an older schema, or an empty file) into WORKDIR and forks a child
that opens it with `models.db.open_database`, which upgrades it; a listener on every engine
(SQLAlchemy's `after_cursor_execute`, installed only here, in the test's process) ends the
child with `os._exit` right after its Nth statement: no rollback, no cleanup, no flush, as a
power cut or `kill -9` would. The parent then opens the same file as the app would and
prints one JSON line per N: where the child died (the statement, the last migration it had
stamped), and what the next open found. A child that runs out of statements before N exits
normally, which ends an "all" run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from sqlalchemy import Engine, event, text

from models import backup, db

CRASHED = 77
state: dict = {"crash_at": None, "count": 0, "stamped": None}


@event.listens_for(Engine, "after_cursor_execute")
def _maybe_crash(conn, cursor, statement, parameters, context, executemany):
    if state["crash_at"] is None:
        return
    state["count"] += 1
    if "alembic_version" in statement and statement.lstrip().upper().startswith(
            ("INSERT", "UPDATE")):
        state["stamped"] = parameters[0] if isinstance(parameters, tuple) and parameters \
            else statement
    if state["count"] == state["crash_at"]:
        where = {"statement": " ".join(statement.split())[:80], "stamped": state["stamped"]}
        os.write(state["pipe"], json.dumps(where).encode())
        os._exit(CRASHED)


def crash_once(template: Path, work: Path, n: int) -> dict | None:
    """Crash an upgrade of a copy of `template` at statement `n` and reopen it; None when the
    upgrade has fewer than `n` statements."""
    path = work / f"crash-{n}.sqlite"
    _remove(work, path)
    if template.stat().st_size:
        shutil.copyfile(template, path)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: upgrade until the crash
        os.close(read)
        state.update(crash_at=n, count=0, stamped=None, pipe=write)
        db.open_database(f"sqlite:///{path}").dispose()
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        _remove(work, path)
        return None
    result = {"n": n, "exit": code, **(json.loads(said) if said else {})}
    before = backup.schema_revision(template) if template.stat().st_size else None
    try:  # the next start of PerDiem
        engine = db.open_database(f"sqlite:///{path}")
        with engine.connect() as conn:
            result["revision"] = db.current_revision(engine)
            result["integrity"] = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            tables = {r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table'"))}
            result["payers"] = (conn.execute(text("SELECT id FROM payer ORDER BY id"))
                                .scalars().all() if "payer" in tables else None)
        engine.dispose()
        result["opened"] = True
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        result["opened"] = False
        result["error"] = f"{type(exc).__name__}: {exc}"
    copies = sorted(work.glob(f"{path.name}.bak-*"))
    result["backups"] = [c.name for c in copies]
    result["backup_modes"] = [oct(c.stat().st_mode & 0o777) for c in copies]
    result["backup_revisions"] = [backup.schema_revision(c) for c in copies]
    result["before"] = before
    _remove(work, path)
    return result


def _remove(work: Path, path: Path) -> None:
    for leftover in work.glob(f"{path.name}*"):
        leftover.unlink()


def main(argv: list[str]) -> int:
    template, work = Path(argv[0]), Path(argv[1])
    points = argv[2:]
    numbers = range(1, 100_000) if points == ["all"] else [int(p) for p in points]
    for n in numbers:
        result = crash_once(template, work, n)
        if result is None:
            print(json.dumps({"n": n, "finished": True}), flush=True)
            break
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
