"""Today's backup in the GUI (issues 8 and 13): taken in the background once the window is up,
never before its first paint; what it finds is said on the window."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from models import backup
from models.db import sqlite_path
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.daily_backup import start_daily_backup
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, example_engine, db_url, tmp_path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(AppContext(example_engine, "tester", db_url), settings)
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)
    return win


def test_the_days_copy_is_taken_in_the_background_once(qtbot, window, db_url):
    path = sqlite_path(db_url)
    copy = backup.daily_name(path, dt.date.today())
    assert not copy.exists()  # opening the window took none
    task = start_daily_backup(window, path)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert copy.exists() and backup.file_problem(copy, quick=False) is None
    assert "Today's backup was taken" in window.statusBar().currentMessage()

    window.statusBar().clearMessage()
    again = start_daily_backup(window, path)  # today's exists: nothing more, nothing said
    with qtbot.waitSignal(again.finished, timeout=20000):
        pass
    assert list(backup.backup_folder(path).iterdir()) == [copy]
    assert window.statusBar().currentMessage() == ""


def test_a_copy_that_cannot_be_written_is_a_warning_not_a_crash(qtbot, window, db_url,
                                                                monkeypatch):
    path = sqlite_path(db_url)
    backup.backup_folder(path).write_text("a file where the backup folder goes\n")
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: warned.append(title + text))
    task = start_daily_backup(window, path)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert len(warned) == 1 and "no backup today" in warned[0]
    assert str(path) in warned[0]


def test_a_server_database_has_no_file_to_copy(window):
    assert start_daily_backup(window, None) is None


RUN_WITHOUT_EVENT_LOOP = """
import json, sys
import models.db as db
import ui.shell.daily_backup as daily
from ui.shell import app
opened, started = [], []
original = db.open_database
db.open_database = lambda url, report=None, daily_backup=False: (
    opened.append(daily_backup), original(url, report))[1]
daily.start_daily_backup = lambda win, path: started.append([win.isVisible(), str(path)])
app.QApplication.exec = lambda _self: 0
status = app.run(sys.argv[1], "tester")
print(json.dumps({"status": status, "opened": opened, "started": started}))
"""


def test_the_app_paints_before_the_copy_is_taken(example_engine, db_url, tmp_path):
    """ui.shell.app.run (in its own process, as the app runs) opens the database without
    the copy (open_database's daily_backup left off) and starts it once the window is shown,
    with the event loop replaced by an immediate return."""
    import json
    import os
    import subprocess

    example_engine.dispose()
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", RUN_WITHOUT_EVENT_LOOP, db_url], env=env,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    path = sqlite_path(db_url)
    assert result == {"status": 0, "opened": [False], "started": [[True, str(path)]]}
    assert not backup.daily_name(path, dt.date.today()).exists()
