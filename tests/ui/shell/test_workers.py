"""Garbage collection may run on any thread: it must never find a live Qt object to destroy.

A Python wrapper that owns its Qt object (one without a parent) deletes that object when it is
freed, and the cycle collector frees whatever sits in a reference cycle on whichever thread it
happens to run: a widget deleted on a pool thread crashes the app. The stress test below works
the window hard (patients, tabs, months, the month view, dialogs opened and closed, views
created and deleted, many background jobs) while other threads collect all the time. Those
collections keep what they find (DEBUG_SAVEALL) instead of freeing it, and report any Qt
object still alive and owned by Python: the one a real collection there would have deleted on
the wrong thread. Before ui.shell.workers dropped a delivered task's callbacks, such tasks were
found here (and a plain gc.collect() on a pool thread crashed the GUI tests now and then).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings

from models.records import registry
from tests.support.gui_wait import settle
from ui.billing.calendar_view import PatientCalendar
from ui.records.history import HistoryDialog
from ui.shell import ops, workers
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow
from ui.shell.workers import run_in_background

OCT = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 27)
ROUNDS = 3


class OffThreadCollections:
    """Collections run on other threads, reporting the live Python-owned Qt objects they find.
    What they find is handed to the GUI thread, which frees it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.found: list[str] = []
        self.collections = 0
        self.keep: list[list] = []  # garbage to free on the GUI thread
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def collect(self) -> None:
        """One full collection on the calling (non-GUI) thread."""
        with self.lock:  # one saving collection at a time: DEBUG_SAVEALL is process-wide
            gc.set_debug(gc.DEBUG_SAVEALL)
            try:
                gc.collect()
            finally:
                gc.set_debug(0)
            garbage = list(gc.garbage)
            gc.garbage.clear()
            for obj in garbage:
                if isinstance(obj, QObject) and shiboken6.isValid(obj) \
                        and shiboken6.ownedByPython(obj):
                    self.found.append(f"{type(obj).__module__}.{type(obj).__qualname__}")
            self.keep.append(garbage)
            self.collections += 1

    def free_here(self) -> None:
        """Free what the collections kept, on the GUI thread; a live Qt object found is kept
        for good, so nothing is destroyed on the wrong thread even when the test fails."""
        with self.lock:
            kept, self.keep = self.keep, []
            if self.found:
                self.keep.extend(kept)
                return
        del kept

    def _loop(self) -> None:
        pause = 0.005
        while not self.stop.wait(pause):
            started = time.perf_counter()
            self.collect()
            # a collection holds the GIL for as long as it walks the heap, which grows with
            # every test run before this one: leave the GUI thread twice that to work
            pause = max(0.005, 2 * (time.perf_counter() - started))

    def __enter__(self) -> OffThreadCollections:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


@pytest.fixture
def ctx(example_engine, db_url):
    return AppContext(example_engine, "tester", db_url)


def test_no_collection_off_the_gui_thread_finds_a_live_qt_object(qtbot, ctx, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with OffThreadCollections() as collector:
        window = MainWindow(ctx, settings, today=lambda: TODAY)
        qtbot.addWidget(window)
        window.show()
        settle(qtbot)
        calendar = next(w for w in window.tab_widgets if type(w).__name__ == "PatientCalendar")
        calendar.set_month(OCT)
        for _round in range(ROUNDS):
            # background jobs that collect on the pool threads themselves
            jobs = [run_in_background(ctx, lambda _s: collector.collect(), receiver=window)
                    for _ in range(6)]
            window.select_patient("p-1001", "PatientCalendar")
            calendar.next_button.click()
            calendar.prev_button.click()  # the first month's answer is dropped
            for widget in window.tab_widgets:  # every tab reads in front, then goes behind
                window.tabs.setCurrentWidget(widget)
                qtbot.wait(5)
            window.patients.select_patient(None)
            window.select_patient("p-1001")
            window.show_page(window.MONTH_PAGE)
            window.month_view.next_button.click()
            window.show_page(window.PATIENTS_PAGE)
            # dialogs opened and closed the app's way
            claims = window.open_claims()
            task = claims._on_preview_clicked()
            qtbot.waitUntil(lambda t=task: t.done, timeout=20000)
            claims.close()
            window._open_patient_form("p-1001").reject()
            HistoryDialog(ctx, registry.ORDER, "o-1", window).close()  # deletes itself on close
            # a view made, set reading, and deleted while its read is under way
            extra = PatientCalendar(ctx, window)
            extra.set_patient("p-1001")
            extra.deleteLater()
            del extra
            qtbot.waitUntil(lambda js=jobs: all(j.done for j in js), timeout=20000)
            settle(qtbot)
            collector.free_here()
        assert collector.collections > 20
    assert collector.found == [], (
        "a collection on another thread would have destroyed these live Qt objects there: "
        f"{sorted(set(collector.found))}")
    assert workers.pending_jobs() == 0


def test_jobs_leave_the_collector_alone_and_their_qt_objects_to_qt(qtbot, ctx):
    """No job touches the collector (on, usual thresholds, before, during and after), and the
    Qt object each job makes belongs to Qt from the start, so that no collection on any thread
    can delete it; once delivered it is deleted by the GUI thread's event loop."""
    settle(qtbot)
    usual = (gc.isenabled(), gc.get_threshold())
    gate = threading.Event()
    job = run_in_background(ctx, lambda _s: (gate.wait(10), (gc.isenabled(),
                                                              gc.get_threshold()))[1])
    write = ops.WriteOp(ctx, lambda _s: None).run_in_background()
    assert (gc.isenabled(), gc.get_threshold()) == usual
    for task in (job, write):
        assert not shiboken6.ownedByPython(task) and task.parent() is not None
    with qtbot.waitSignal(job.succeeded) as answer:
        gate.set()
    assert answer.args[0] == usual  # as the pool thread saw it while its job ran
    settle(qtbot)
    assert (gc.isenabled(), gc.get_threshold()) == usual
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(job) and not shiboken6.isValid(write)
