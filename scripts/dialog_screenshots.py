"""Take a picture of every other dialog and window of the app on the demo data (issue 16).

The main window, the claims window and the pharmacy, patient and order forms are taken by
scripts/screenshots.py; this takes the rest (the list is tests/support/all_dialogs.py NAMES):

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/dialog_screenshots.py docs/screenshots/dialogs
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/dialog_screenshots.py docs/screenshots/1920x1080/dialogs

Each dialog opens at the size it opens at for the user, over the main window (which takes
the screen's whole area); the picture is of the dialog alone. It also prints each dialog's
frame size and whether it fits the screen's available area. A temporary database and
settings file are used; nothing of the user's is touched.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from screenshots import TODAY, busiest_patient, demo_database, settle  # noqa: E402


def main(out_dir: Path) -> int:
    from PySide6.QtCore import QSettings

    from models.db import unit_of_work
    from tests.support.all_dialogs import dialogs
    from ui.shell.app import make_application
    from ui.shell.context import AppContext
    from ui.shell.main_window import MainWindow

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp, url, engine = demo_database("perdiem-dialogs-")
    with unit_of_work(engine) as session:
        patient_id = busiest_patient(session, TODAY.replace(day=1), TODAY)

    app = make_application(["perdiem"])
    ctx = AppContext(engine, "Jordan Reyes, RN", url)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    area = app.primaryScreen().availableGeometry()
    window.setGeometry(area)
    window.show()
    window.select_patient(patient_id)
    settle(app)
    for name, dialog in dialogs(ctx, window, patient_id, TODAY):
        settle(app)
        frame = dialog.frameGeometry()
        fits = frame.width() <= area.width() and frame.height() <= area.height()
        print(f"{name}: {frame.width()}x{frame.height()} hint "
              f"{dialog.sizeHint().width()}x{dialog.sizeHint().height()}"
              f"{'' if fits else '  TOO BIG'}")
        dialog.grab().save(str(out_dir / f"{name}.png"))
        dialog.close()
        settle(app, 1)
    window.close()
    engine.dispose()
    print(f"Saved to {out_dir}")
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots" / "dialogs"
    sys.exit(main(target))
