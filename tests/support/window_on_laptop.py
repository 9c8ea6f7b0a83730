"""Run by tests/ui/shell/test_window_fits.py in its own process, on Qt's offscreen platform
given one 1366x768 screen: opens the main window on DB_URL twice (the second time after a
geometry remembered from a 1920x1080 screen) and prints each frame geometry and the screen's
available area as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(url: str, settings_path: str) -> None:
    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from models.db import open_database
    from ui.shell.context import AppContext
    from ui.shell.main_window import MainWindow

    app = QApplication(["perdiem"])
    engine = open_database(url)
    ctx = AppContext(engine, "tester", url)
    settings = QSettings(settings_path, QSettings.Format.IniFormat)
    out = {"area": app.primaryScreen().availableGeometry().getRect()}

    def open_window(name: str, before=None) -> MainWindow:
        window = MainWindow(ctx, settings)
        window.show()
        for _ in range(5):
            QThreadPool.globalInstance().waitForDone(10000)
            app.processEvents()
        out[name] = window.frameGeometry().getRect()
        return window

    first = open_window("first")
    first.setGeometry(200, 150, 1800, 1000)  # as if remembered from a bigger screen
    first.close()  # saves the geometry
    open_window("remembered")
    engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
