"""Take the pictures of issue 15's screens (nursing visits, payers' contracts, compound
orders, expected revenue) on the demo data (today 2026-11-27, seed 1), on a 1366x768 screen:

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshots_revenue.py [OUT_DIR]

Writes visit_form.png (a saved IVIG visit), payer_contract.png (the access-days payer's form
with its Contract group), order_components.png (a TPN order's form with its components
table), calendar_visit.png (the IVIG patient's calendar on a visit day), calendar_access.png
(the every-48-hours patient's calendar on an access day, R29) and month_expected.png (the
month view of November with its Expected column) to OUT_DIR (default docs/screenshots/).
A temporary database and settings file are used; nothing of the user's is touched.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import TODAY, demo_database, demo_window, settle  # noqa: E402


def main(out_dir: Path) -> int:

    from models.billing import loading
    from models.db import unit_of_work
    from models.records import clinical, registry
    from models.vocab import ACCESS_DAYS
    from ui.forms.record_forms import make_record_dialog
    from ui.records.reference import PayerDialog

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp, url, engine = demo_database("perdiem-shots-")
    with unit_of_work(engine) as session:
        visit = clinical.list_records(session, registry.NURSING_VISIT)[-1]
        tpn = next(o for o in clinical.list_records(session, registry.ORDER) if o.components)
        start = TODAY - dt.timedelta(days=60)
        dosed = {(e.order_id, e.date) for e in clinical.list_records(session, registry.INFUSION)}
        access = next(d for d in loading.billable_days(session, start, TODAY)
                      if d.basis == ACCESS_DAYS and d.status == "billable"
                      and (d.order_id, d.date) not in dosed)  # a day between doses (R29)

    app, ctx, window = demo_window(tmp, url, engine)
    saved: list[str] = []

    def shoot(widget, name: str) -> None:
        settle(app)
        widget.grab().save(str(out_dir / name))
        saved.append(name)

    def dialog_shot(dialog, name: str) -> None:
        dialog.show()
        shoot(dialog, name)
        geometry = dialog.frameGeometry()
        screen = app.primaryScreen().availableGeometry()
        print(f"{name}: {geometry.width()}x{geometry.height()}, fits: "
              f"{screen.contains(geometry)}")
        dialog.reject()

    dialog_shot(make_record_dialog(ctx, window, registry.NURSING_VISIT,
                                   patient_id=visit.patient_id, record_id=visit.id),
                "visit_form.png")
    dialog_shot(PayerDialog(ctx, "ahp", window), "payer_contract.png")
    dialog_shot(make_record_dialog(ctx, window, registry.ORDER, patient_id=tpn.patient_id,
                                   record_id=tpn.id), "order_components.png")

    for patient_id, day, name in ((visit.patient_id, visit.date, "calendar_visit.png"),
                                  (access.patient_id, access.date, "calendar_access.png")):
        window.select_patient(patient_id, "PatientCalendar")
        settle(app)
        calendar = next(w for w in window.tab_widgets if type(w).__name__ == "PatientCalendar")
        calendar.set_month(day.replace(day=1))
        settle(app)
        calendar.select_day(day)
        shoot(window, name)

    window.show_page(window.MONTH_PAGE)
    window.month_view.set_month(TODAY.replace(day=1))
    shoot(window, "month_expected.png")

    window.close()
    engine.dispose()
    print(f"Saved {', '.join(saved)} to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
