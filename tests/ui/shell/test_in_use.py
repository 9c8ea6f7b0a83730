"""A second PerDiem on a database another one writes to (issue 13, item 2): who has it, and
Open read-only or Wait, never a frozen window; a read-only window refuses writes in words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from models.dbfile import DatabaseInUse, WriterLock, holder
from models.records import reference
from tests.support import ROOT
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.in_use import DatabaseInUseDialog, take_writer_lock


@pytest.fixture
def other_writer(engine):
    """Another process holding the database's writer lock until the test lets it go."""
    db = Path(str(engine.url.database))
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.lock_holder", str(db), "sam"],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.stdin.close()
        proc.wait(timeout=30)


def refused(engine) -> DatabaseInUse:
    with pytest.raises(DatabaseInUse) as caught:
        WriterLock(Path(str(engine.url.database)), "jia").acquire()
    return caught.value


def test_open_read_only_then_every_write_is_refused_in_words(engine, db_url, other_writer,
                                                             qtbot, monkeypatch):
    ctx = AppContext(engine, "jia", db_url)
    answered = []

    def read_only(dialog):  # the modal dialog, answered as the user would
        answered.append(dialog.message.text())
        qtbot.mouseClick(dialog.read_only_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(DatabaseInUseDialog, "exec", read_only)
    assert take_writer_lock(ctx, db_url)
    assert "is open for writing by sam on" in answered[0]
    assert ctx.read_only and ctx.read_only.startswith("sam on ")
    with pytest.raises(ops.ReadOnly, match="opened this database read-only"):
        ops.WriteOp(ctx, lambda s: reference.save_payer).run()
    with pytest.raises(ops.ReadOnly):
        ops.StepsOp(ctx, lambda work: None).run()
    assert holder(Path(str(engine.url.database))).user == "sam", "the other keeps writing"


def test_waiting_opens_the_database_as_soon_as_the_other_closes_it(engine, other_writer, qtbot):
    lock = WriterLock(Path(str(engine.url.database)), "jia")
    dialog = DatabaseInUseDialog(lock, refused(engine))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.wait_button, Qt.MouseButton.LeftButton)
    assert "Waiting" in dialog.status.text() and not dialog.wait_button.isEnabled()
    assert dialog.result() != dialog.DialogCode.Accepted  # the window stays responsive
    other_writer.stdin.close()  # closed there
    other_writer.wait(timeout=30)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=10000)
    assert not dialog.read_only and lock.held
    assert holder(lock.db_path).user == "jia"
    lock.release()


def test_quitting_leaves_the_database_to_the_other(engine, db_url, other_writer, monkeypatch,
                                                   qtbot):
    ctx = AppContext(engine, "jia", db_url)
    monkeypatch.setattr(DatabaseInUseDialog, "exec",
                        lambda dialog: DatabaseInUseDialog.DialogCode.Rejected)
    assert not take_writer_lock(ctx, db_url)
    assert ctx.writer_lock is None and ctx.read_only is None
