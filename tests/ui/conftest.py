"""GUI tests: each one's Qt objects end on the GUI thread, after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool


@pytest.fixture(autouse=True)
def _qt_objects_end_on_the_gui_thread() -> Iterator[None]:
    """After a GUI test: its background reads finished and delivered, the widgets pytest-qt
    closed (deleteLater) deleted now, and what is left in reference cycles collected here, on
    the GUI thread. A test's parentless objects (its window, its AppContext) must not wait
    for a collection that a later test's pool thread might run (see ui/shell/workers.py)."""
    yield
    if QCoreApplication.instance() is None:
        return
    QThreadPool.globalInstance().waitForDone(30000)
    QCoreApplication.processEvents()  # the answers of those reads
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
