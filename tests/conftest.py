"""Shared fixtures: every test gets its own data folder and database file, never a real one."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    """Point the user data folder and PERDIEM_DB at a temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PERDIEM_DB", str(tmp_path / "perdiem.sqlite"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """After a GUI test: its background reads finished and delivered, the widgets pytest-qt
    closed (deleteLater) deleted now, and what is left in reference cycles collected here, on
    the GUI thread. A test's parentless objects (its window, its AppContext, its QSettings)
    must not wait for a collection that a later test's pool thread might run (see
    ui/shell/workers.py). This runs once pytest has let go of the test's fixtures, which it
    does only after every fixture's teardown: collected earlier, they were still reachable."""
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

    if QCoreApplication.instance() is None:
        return
    QThreadPool.globalInstance().waitForDone(30000)
    QCoreApplication.processEvents()  # the answers of those reads
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'perdiem.sqlite'}"


@pytest.fixture
def engine(db_url):
    from models.db import open_database

    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def example_doc() -> dict:
    return json.loads((DATA / "example.json").read_text(encoding="utf-8"))


@pytest.fixture
def example_engine(engine, example_doc):
    """A database holding ../shared/interchange/example.json."""
    from models.db import unit_of_work
    from models.interchange import transfer as interchange

    with unit_of_work(engine) as session:
        interchange.import_document(session, actor="test", doc=example_doc)
    return engine
