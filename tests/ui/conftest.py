"""GUI tests: each one's Qt objects end on the GUI thread, after it, and a collection walks
only what that test made."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around a GUI test: after it, its background reads finished and delivered, the widgets
    pytest-qt closed (deleteLater) deleted now, and what is left in reference cycles collected
    here, on the GUI thread. A test's parentless objects (its window, its AppContext, its
    QSettings) must not wait for a collection that a later test's pool thread might run (see
    ui/shell/workers.py). This runs once pytest has let go of the test's fixtures, which it does
    only after every fixture's teardown: collected earlier, they were still reachable.

    What is alive when a test starts (modules, templates, what earlier tests keep: their
    engines' statement caches...) stays alive; it is frozen (gc.freeze) so that this test's
    collections, here and in test_workers.py's stress test, walk only what the test made.
    Walking the whole heap made each collection some 10 times slower by the end of the run."""
    gc.freeze()
    yield
    if QCoreApplication.instance() is None:
        return
    QThreadPool.globalInstance().waitForDone(30000)
    QCoreApplication.processEvents()  # the answers of those reads
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
