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


def test_the_app_paints_before_the_copy_is_taken(qtbot, example_engine, db_url, monkeypatch):
    """ui.shell.app.run opens the database without the copy (open_database's daily_backup
    left off) and starts it once the window is shown. The event loop is not run here, and
    the collector is not frozen in the test process."""
    import gc

    import models.db as db_module
    import ui.shell.daily_backup as daily
    from ui.shell import app as app_module

    example_engine.dispose()
    opened: list[bool] = []
    started: list[tuple[bool, Path | None]] = []
    original = db_module.open_database
    monkeypatch.setattr(db_module, "open_database",
                        lambda url, report=None, daily_backup=False: (
                            opened.append(daily_backup), original(url, report))[1])
    monkeypatch.setattr(daily, "start_daily_backup",
                        lambda win, path: started.append((win.isVisible(), path)))
    monkeypatch.setattr(app_module.QApplication, "exec", lambda _self: 0)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(sys, "setswitchinterval", lambda _seconds: None)
    assert app_module.run(db_url, "tester") == 0
    assert opened == [False]
    assert started == [(True, sqlite_path(db_url))]
    assert not backup.daily_name(sqlite_path(db_url), dt.date.today()).exists()
