"""GUI speed on a real database: cold start, opening a patient, the longest GUI-thread stall.

    python -m benchmarks.gui --db FILE [--runs N]

Works on a temporary copy of FILE (opening migrates and writes). Each run starts fresh
processes with QT_QPA_PLATFORM=offscreen: a bare PySide6 QMainWindow (the baseline) and
PerDiem's own start-up (`main.main`, as `perdiem` starts), each timed from just before the
process is spawned to the window's first paint and, for PerDiem, to a usable window (the
first paint of the first screen's list holding its rows: the Today work list, or the patient
list). A third process drives the window like
a user: it opens patients on the billing calendar one after another, turns the calendar's
month, opens the pharmacy's month view and turns its month, waiting each time until the
result is shown. A QTimer
heartbeat every 10 ms records the longest gap between two beats in each phase: the time the
GUI thread could not answer a click (an idle event loop is the baseline). Prints the median
of the runs, one figure a line. No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT_MS = 10
PATIENTS_OPENED = 4
CALENDAR_MONTHS = 3
MONTH_VIEW_MONTHS = 2
TIMEOUT = 900.0  # seconds one step may take before the run is reported as stuck


# --- parent -------------------------------------------------------------------------------

def _child(kind: str, db: Path | None, env: dict[str, str], extra: list[str] = ()) -> tuple[
        float, dict[str, Any]]:
    """Run one child process; its spawn time and the JSON it printed last."""
    cmd = [sys.executable, "-m", "benchmarks.gui", "--child", kind]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += list(extra)
    spawned = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT * 4)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"benchmarks.gui: the {kind} process failed (status "
                         f"{proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return spawned, json.loads(lines[-1])


def _last_month_with_service(db: Path) -> str:
    """The first day of the newest month with an infusion on file (YYYY-MM-01)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        newest = con.execute("SELECT max(date) FROM infusion").fetchone()[0]
    finally:
        con.close()
    return (newest or time.strftime("%Y-%m-%d"))[:7] + "-01"


def _copy_database(src: Path, folder: Path) -> Path:
    dst = folder / src.name
    for suffix in ("", "-wal"):  # the WAL may hold committed pages not yet in the file
        if Path(f"{src}{suffix}").exists():
            shutil.copy2(f"{src}{suffix}", f"{dst}{suffix}")
    sys.path.insert(0, str(ROOT))
    from models.db import open_database  # migrate now, so no timed run pays for it

    open_database(f"sqlite:///{dst}").dispose()
    return dst


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.0f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:8.3f} s "


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.gui", description=__doc__.split(
        "\n")[0])
    ap.add_argument("--db", type=Path, help="a PerDiem SQLite database (copied)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--month", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return CHILDREN[args.child](args)
    if args.db is None or not args.db.exists():
        ap.error(f"--db: {args.db or 'a database file'} is required and must exist")

    with tempfile.TemporaryDirectory(prefix="perdiem-gui-bench-") as tmp:
        folder = Path(tmp)
        db = _copy_database(args.db.resolve(), folder)
        month = _last_month_with_service(db)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("PERDIEM_DB", None)
        runs: dict[str, list[float]] = {}

        def keep(name: str, value: float) -> None:
            runs.setdefault(name, []).append(value)

        for _ in range(args.runs):
            spawned, bare = _child("bare", None, env)
            keep("bare_paint", bare["paint"] - spawned)
            spawned, app = _child("start", db, env)
            keep("paint", app["paint"] - spawned)
            keep("usable", app["usable"] - spawned)
            keep("stall_start", app["stall"])
            _spawned, use = _child("use", db, env, ["--month", month])
            for name, value in use.items():
                keep(name, value)
        med = {name: statistics.median(values) for name, values in runs.items()}

    bare = med["bare_paint"]
    n = args.runs
    print(f"GUI, {args.db.name}, median of {n} run{'s' if n != 1 else ''} "
          f"(heartbeat every {HEARTBEAT_MS} ms; an idle loop's longest gap is the baseline)")
    rows = [
        ("cold start to first paint", _s(med["paint"]), f"bare QMainWindow {_s(bare)}",
         f"{med['paint'] / bare:5.1f}x"),
        ("cold start to usable window (first screen listed)", _s(med["usable"]),
         f"bare QMainWindow {_s(bare)}", f"{med['usable'] / bare:5.1f}x"),
        ("open a patient on the calendar", _s(med["open_patient"]), "", ""),
        ("calendar: another month shown", _s(med["calendar_month"]), "", ""),
        ("month view: first shown", _s(med["month_view_open"]), "", ""),
        ("month view: another month shown", _s(med["month_view_month"]), "", ""),
    ]
    idle = f"idle loop {_ms(med['stall_idle'])}"
    for label, key in (("start-up", "stall_start"),
                       ("selecting patients one after another", "stall_patients"),
                       ("switching calendar months", "stall_calendar_months"),
                       ("opening the month view", "stall_month_view"),
                       ("switching months in the month view", "stall_month_view_months")):
        rows.append((f"longest GUI-thread stall: {label}", _ms(med[key]), idle, ""))
    rows.append(("peak memory of the window driven above", f"{med['peak_rss_mb']:8.0f} MB", "",
                 ""))
    for label, value, baseline, ratio in rows:
        print(f"{label:<64}{value}  {baseline:<30}{ratio}".rstrip())
    return 0


# --- children -----------------------------------------------------------------------------

def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data), flush=True)


class _Heartbeat:
    """A 10 ms timer on the GUI thread; `worst` is the longest gap between two beats."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.last = time.perf_counter()
        self.worst = 0.0

    def start(self) -> None:
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def longest(self) -> float:
        """The longest gap so far, counting the one still open."""
        return max(self.worst, time.perf_counter() - self.last)


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Run the event loop until `condition()` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: (condition() or time.perf_counter() > deadline) and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"benchmarks.gui: {what} did not happen within {timeout:.0f} s")


def _settled(quiet: float = 0.15) -> Callable[[], bool]:
    """A condition: no background job has run for `quiet` seconds (results delivered too)."""
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    since = [time.perf_counter()]

    def check() -> bool:
        if pool.activeThreadCount():
            since[0] = time.perf_counter()
            return False
        return time.perf_counter() - since[0] >= quiet

    return check


def _first_paint_filter(predicate: Callable[[Any], bool], on_paint: Callable[[], None]) -> Any:
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and predicate(watched):
                on_paint()
            return False

    return FirstPaint()


def child_bare(_args: argparse.Namespace) -> int:
    """The baseline: a bare PySide6 main window of PerDiem's size, to its first paint."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(["bare"])
    times: dict[str, float] = {}

    def painted() -> None:
        if "paint" not in times:
            times["paint"] = time.time()
            QTimer.singleShot(0, app.quit)

    paint = _first_paint_filter(lambda w: isinstance(w, QMainWindow), painted)
    app.installEventFilter(paint)
    window = QMainWindow()
    window.resize(1400, 860)
    window.show()
    app.exec()
    _emit(times)
    return 0


def child_start(args: argparse.Namespace) -> int:
    """PerDiem started as `perdiem --db FILE` starts; first paint, usable, start-up stall."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.shell.app import make_application

    app = make_application(["perdiem"])
    times: dict[str, float] = {}
    beat = _Heartbeat()

    def window() -> Any:
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "mainWindow":
                return w
        return None

    def painted() -> None:
        if "paint" not in times:
            times["paint"] = time.time()
            beat.start()  # from the first paint on, every stall is one a user can see

    def patients_painted(widget: Any) -> bool:
        """A paint of the first screen's list holding its rows: the Today work list (the
        first screen since issue 16) or the patient list. Usable from then."""
        w = window()
        if w is None:
            return False
        return ((widget is w.today_view.tree.viewport()
                 and w.today_view.tree.topLevelItemCount() > 0)
                or (widget is w.patients.view.viewport() and w.patients.model.rowCount() > 0))

    def list_painted() -> None:
        times.setdefault("usable", time.time())

    paint = _first_paint_filter(lambda w: w.objectName() == "mainWindow", painted)
    app.installEventFilter(paint)
    rows = _first_paint_filter(patients_painted, list_painted)
    app.installEventFilter(rows)
    settled = _settled()

    def watch() -> None:
        w = window()
        if "usable" in times and "paint" in times and settled():
            times["stall"] = beat.longest()
            poll.stop()
            w.close()

    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(watch)
    poll.start()
    import main

    status = main.main(["--db", str(args.db), "--user", "benchmark"])
    _emit(times)
    return status


def child_use(args: argparse.Namespace) -> int:
    """Drive one window like a user and time each step; the longest stall of each phase."""
    import datetime as dt
    import resource

    from PySide6.QtCore import QSettings

    from models.db import open_database
    from ui.billing import calendar_view, month_view
    from ui.shell.app import make_application
    from ui.shell.context import AppContext
    from ui.shell.main_window import MainWindow

    _app = make_application(["perdiem"])
    url = f"sqlite:///{Path(args.db).resolve()}"
    month = dt.date.fromisoformat(args.month)
    ctx = AppContext(open_database(url), "benchmark", url)
    # a fixed month with service, whatever today's date is
    ctx.view_state[calendar_view.MONTH_KEY] = month
    ctx.view_state[month_view.MONTH_KEY] = month
    settings = QSettings(str(Path(args.db).with_suffix(".ini")), QSettings.Format.IniFormat)
    beat = _Heartbeat()
    beat.start()
    window = MainWindow(ctx, settings)
    window.show()
    _wait_until(lambda: window.patients.model.rowCount() > 0, "the patient list")
    _wait_until(_settled(), "the start-up")
    out: dict[str, float] = {}

    beat.reset()
    idle_from = time.perf_counter()
    _wait_until(lambda: time.perf_counter() - idle_from > 1.0, "an idle second")
    out["stall_idle"] = beat.longest()

    count = window.patients.model.rowCount()
    step = max(count // PATIENTS_OPENED, 1)
    ids = [window.patients.model.patient_at(i).id for i in range(0, count, step)]
    ids = ids[:PATIENTS_OPENED]
    window.select_patient(ids[0], "PatientCalendar")  # the calendar tab in front
    calendar = window.tabs.currentWidget()
    settled = _settled()
    _wait_until(lambda: calendar.patient_id == ids[0] and settled(), "the first calendar")
    loads = [0]
    calendar.data_loaded.connect(lambda: loads.__setitem__(0, loads[0] + 1))

    def timed(action: Callable[[], None], done: Callable[[], bool], what: str) -> float:
        start = time.perf_counter()
        action()
        _wait_until(done, what)
        took = time.perf_counter() - start
        _wait_until(_settled(), f"the work after {what}")
        return took

    def calendar_shown(patient_id: str | None = None) -> Callable[[], bool]:
        before = loads[0]
        return lambda: loads[0] > before and (patient_id is None
                                             or calendar.patient_id == patient_id)

    beat.reset()
    opened = []
    for pid in ids[1:] + ids[:1]:
        done = calendar_shown(pid)
        opened.append(timed(lambda p=pid: window.patients.select_patient(p), done,
                            "a patient's calendar"))
    out["open_patient"] = statistics.median(opened)
    out["stall_patients"] = beat.longest()

    beat.reset()
    months = [timed(calendar.prev_button.click, calendar_shown(), "a calendar month")
              for _ in range(CALENDAR_MONTHS)]
    out["calendar_month"] = statistics.median(months)
    out["stall_calendar_months"] = beat.longest()

    shown = [0]

    def open_month_view() -> None:  # the view may be built only now: counted in its time
        window.show_page(window.MONTH_PAGE)
        window.month_view.data_loaded.connect(lambda: shown.__setitem__(0, shown[0] + 1))

    def month_shown() -> Callable[[], bool]:
        before = shown[0]
        return lambda: shown[0] > before

    beat.reset()
    out["month_view_open"] = timed(open_month_view, month_shown(), "the month view")
    out["stall_month_view"] = beat.longest()
    beat.reset()
    months = [timed(window.month_view.prev_button.click, month_shown(), "a month view month")
              for _ in range(MONTH_VIEW_MONTHS)]
    out["month_view_month"] = statistics.median(months)
    out["stall_month_view_months"] = beat.longest()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    _emit(out)
    return 0


CHILDREN: dict[str, Callable[[argparse.Namespace], int]] = {
    "bare": child_bare, "start": child_start, "use": child_use}

if __name__ == "__main__":
    sys.exit(main())
