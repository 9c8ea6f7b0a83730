"""Take the README's screenshots of the desktop app on the demo data (today 2026-11-27, seed 1).

Run under a virtual X server so real fonts and window styles are used:

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots.py [OUT_DIR]

The window takes the screen's whole area: the README's pictures are taken on a 1366x768
laptop screen (issue 16); with `-screen 0 1920x1080x24` and another OUT_DIR the same pictures
show the layout on a large screen.

Writes today.png (the work list), main_window.png, mar_entry.png, patient_calendar.png,
computing.png (the calendar while a month is computed: its read is held back on purpose),
month_view.png, claims.png (the claim drafts of October previewed), claimed_calendar.png and
claimed_month.png (October after saving that batch), pharmacy_settings.png, patient_form.png
and order_form.png to OUT_DIR (default docs/screenshots/). A temporary database, claim file
and settings file are used; nothing of the user's is touched.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 27)
SEED = 1


def settle(app, rounds: int = 6) -> None:
    """Let background loads finish and their results be painted."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtTest import QTest

    for _ in range(rounds):
        QThreadPool.globalInstance().waitForDone(10000)
        app.processEvents()
        QTest.qWait(60)


def busiest_patient(session, start: dt.date, end: dt.date) -> str:
    """The patient whose month shows the most kinds of day (billable, hold, not billable)."""
    from models.billing import loading

    days = loading.billable_days(session, start, end)
    kinds: dict[str, Counter] = {}
    for d in days:
        kinds.setdefault(d.patient_id, Counter())[d.status] += 1
    return max(kinds, key=lambda p: (len(kinds[p]), min(kinds[p].values()), p))


def shoot_computing(app, window, calendar, path: Path) -> None:
    """The calendar turned to the month before while its reads are held on their pool
    thread, so the picture shows the computing state; then the reads go on."""
    import threading

    from PySide6.QtTest import QTest

    from models.billing import loading
    from models.records import reference

    gate = threading.Event()
    # the calendar's reads (ui/billing/calendar_view), looked up on their modules when called
    real = {(module, name): getattr(module, name)
            for module, name in ((loading, "billable_days"), (reference, "list_payers"))}

    def held(fn):
        def wait_then(*args, **kwargs):
            if threading.current_thread() is not threading.main_thread():
                gate.wait(30)
            return fn(*args, **kwargs)
        return wait_then

    shown = calendar.month
    for (module, name), fn in real.items():
        setattr(module, name, held(fn))
    try:
        calendar.prev_button.click()
        for _ in range(5):
            app.processEvents()
            QTest.qWait(60)
        window.grab().save(str(path))
    finally:
        gate.set()
        for (module, name), fn in real.items():
            setattr(module, name, fn)
    calendar.set_month(shown)
    settle(app)


def demo_database(prefix: str):
    """A temporary database holding the demo pharmacy (SEED on TODAY), PERDIEM_TODAY set to
    TODAY for every view: (its folder, its URL, the open engine). Nothing of the user's is
    touched."""
    import os

    os.environ["PERDIEM_TODAY"] = TODAY.isoformat()  # every view's today (models/clock.py)
    from models import demo
    from models.db import open_database, unit_of_work

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    url = f"sqlite:///{tmp / 'perdiem-demo.sqlite'}"
    engine = open_database(url)
    with unit_of_work(engine) as session:
        demo.load_demo(session, actor="demo", seed=SEED, today=TODAY)
    return tmp, url, engine


def demo_window(tmp: Path, url: str, engine):
    """The app's main window on the demo database, the whole screen, shown and settled, with
    its settings in `tmp`: (the application, the context, the window)."""
    from PySide6.QtCore import QSettings

    from ui.shell.app import make_application
    from ui.shell.context import AppContext
    from ui.shell.main_window import MainWindow

    app = make_application(["perdiem"])
    ctx = AppContext(engine, "Jordan Reyes, RN", url)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    window.setGeometry(app.primaryScreen().availableGeometry())
    window.show()
    settle(app)
    return app, ctx, window


def main(out_dir: Path) -> int:

    from models.billing import loading
    from models.db import unit_of_work

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp, url, engine = demo_database("perdiem-shots-")
    with unit_of_work(engine) as session:
        patient_id = busiest_patient(session, TODAY.replace(day=1), TODAY)
        held = [d.date for d in loading.billable_days(session, TODAY.replace(day=1), TODAY,
                                                        patient_id) if d.status != "billable"]
    held_day = held[0] if held else None

    app, ctx, window = demo_window(tmp, url, engine)
    saved: list[str] = []

    def shoot(widget, name: str) -> None:
        settle(app)
        widget.grab().save(str(out_dir / name))
        saved.append(name)

    shoot(window, "today.png")
    window.select_patient(patient_id)
    settle(app)

    shoot(window, "main_window.png")

    by_class = {type(w).__name__: w for w in window.tab_widgets}
    mar = by_class.get("InfusionLogTab")
    if mar is not None:  # the MAR entry sits at the top of its tab, prefilled for today
        window.tabs.setCurrentWidget(mar)
        settle(app)
        if hasattr(mar, "focus_entry"):
            mar.focus_entry()
        shoot(window, "mar_entry.png")

    calendar = by_class.get("PatientCalendar")
    if calendar is not None:
        window.tabs.setCurrentWidget(calendar)
        settle(app)
        if held_day is not None and hasattr(calendar, "select_day"):
            calendar.select_day(held_day)  # the side panel then lists the reasons in words
        shoot(window, "patient_calendar.png")
        shoot_computing(app, window, calendar, out_dir / "computing.png")
        saved.append("computing.png")

    if window.month_view is not None:
        window.show_page(window.MONTH_PAGE)
        shoot(window, "month_view.png")
        window.show_page(window.PATIENTS_PAGE)

    # the claim drafts of the last full month, previewed, then saved as a batch
    dialog = window.open_claims()
    dialog.resize(1180, 640)
    dialog.preview_button.click()
    settle(app)
    if dialog.model.rowCount():
        dialog.table.selectRow(0)
    shoot(dialog, "claims.png")
    dialog.save_to(tmp / "claims-october.837")
    settle(app)
    dialog.close()
    if calendar is not None:  # a patient whose October mixes claimed, held and unbilled days
        october = dt.date(2026, 10, 1)
        with unit_of_work(engine) as session:
            mixed_patient = busiest_patient(session, october, dt.date(2026, 10, 31))
        window.select_patient(mixed_patient, "PatientCalendar")
        calendar.set_month(october)
        settle(app)
        days = [d for d in calendar.model.results() if d.status == "billable"]
        if days:
            calendar.select_day(days[0].date)
        shoot(window, "claimed_calendar.png")
    if window.month_view is not None:
        window.show_page(window.MONTH_PAGE)
        window.month_view.set_month(dt.date(2026, 10, 1))
        shoot(window, "claimed_month.png")
        window.show_page(window.PATIENTS_PAGE)

    settings_dialog = window._on_pharmacy_settings()
    shoot(settings_dialog, "pharmacy_settings.png")
    settings_dialog.close()

    from ui.forms.record_forms import make_record_dialog

    patient_dialog = window._open_patient_form(patient_id)
    shoot(patient_dialog, "patient_form.png")
    patient_dialog.reject()
    with unit_of_work(engine) as session:
        from models.records import clinical, registry

        order = clinical.list_records(session, registry.ORDER, patient_id=patient_id)[0]
    order_dialog = make_record_dialog(ctx, window, registry.ORDER, patient_id=patient_id,
                                      record_id=order.id)
    order_dialog.show()
    shoot(order_dialog, "order_form.png")
    order_dialog.reject()

    window.close()
    engine.dispose()
    print(f"Saved {', '.join(saved)} to {out_dir}")
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    sys.exit(main(target))
