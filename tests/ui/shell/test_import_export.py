"""The GUI's import: a progress dialog that counts the records written, and Cancel rolls back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import func
from sqlmodel import select

from benchmarks.generate import generate
from models.db import unit_of_work
from models.interchange import read
from models.interchange.format import COLLECTIONS
from models.records.tables import Infusion, Patient, RecordVersion
from tests.support.gui_wait import settle
from tests.support.interchange_docs import dump
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

GENERATED = generate(4, 2, seed=7)
TOTAL = sum(len(v) for k, v in GENERATED.items() if k in COLLECTIONS)


@pytest.fixture
def window(qtbot, engine, db_url, tmp_path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(AppContext(engine, "tester", db_url), settings,
                     today=lambda: dt.date(2026, 11, 27))
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)  # its first reads (and the work list's audit row) are done before a test
    return win


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "pharmacy.json"
    path.write_text(json.dumps(GENERATED), encoding="utf-8")
    return path


def count(engine, table) -> int:
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_import_shows_each_step_and_ends_with_the_data(qtbot, window, big_file, engine,
                                                        monkeypatch):
    monkeypatch.setattr(read, "BATCH", 200)  # more steps than collections
    steps: list[read.Progress] = []
    with qtbot.waitSignal(window.import_export.imported, timeout=60000) as sig:
        job = window.import_export.start_import(big_file)
        job.progressed.connect(steps.append)
        assert job.progress.isVisible()
        assert job.progress.windowTitle() == "Import"
    # the steps come in order (the first may have passed before the test could listen)
    order = ["reading", "checking", "writing"]
    phases = [order.index(p.phase) for p in steps]
    assert phases == sorted(phases)
    writing = [p.done for p in steps if p.phase == "writing"]
    assert len(writing) > len(COLLECTIONS) and writing[-1] == TOTAL
    # the dialog counted the records to the last one, then closed
    assert job.progress.labelText() == f"Writing records: {TOTAL:,} of {TOTAL:,}"
    assert job.progress.maximum() == TOTAL
    assert not job.progress.isVisible()
    assert sig.args[0]["infusions"] == len(GENERATED["infusions"])
    assert count(engine, Infusion) == len(GENERATED["infusions"])
    assert count(engine, RecordVersion) == TOTAL
    settle(qtbot)  # the patient list rereads in the background
    assert window.patients.model.rowCount() == len(GENERATED["patients"])
    assert window.statusBar().currentMessage().startswith("Imported")


def test_cancel_while_writing_rolls_back_everything(qtbot, window, big_file, engine,
                                                    monkeypatch):
    monkeypatch.setattr(read, "BATCH", 50)
    before = dump(engine)
    job = window.import_export.start_import(big_file)
    cancel = job.progress.findChild(QPushButton)
    clicked: list[int] = []

    def cancel_once_writing(p: read.Progress) -> None:
        if p.phase == "writing" and p.done and not clicked:  # the button goes once clicked
            clicked.append(p.done)
            qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)

    job.progressed.connect(cancel_once_writing)
    with qtbot.waitSignal(job.finished, timeout=60000):
        pass
    assert clicked
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was changed."
    assert dump(engine) == before
    assert count(engine, Patient) == 0
    assert window.patients.model.rowCount() == 0


def test_a_file_that_is_not_json_is_refused_from_the_background(qtbot, window, tmp_path,
                                                                 engine):
    path = tmp_path / "notes.json"
    path.write_text("{not json", encoding="utf-8")
    with qtbot.waitSignal(window.import_export.import_refused, timeout=20000) as sig:
        window.import_export.start_import(path)
    assert len(sig.args[0]) == 1 and "cannot be read as a JSON file" in sig.args[0][0]
    assert window.import_export.errors_dialog.errors() == sig.args[0]
    assert count(engine, Patient) == 0
