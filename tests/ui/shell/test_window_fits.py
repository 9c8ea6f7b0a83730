"""The main window fits a 1366x768 laptop (issue 16 item 3): opened fresh, and opened again
after a geometry remembered from a bigger screen, its frame (title-bar buttons, status bar) is
inside the screen's available area. Its own process: Qt's offscreen platform given one
1366x768 screen (a QApplication's screens are fixed when it starts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QRect

SCRIPT = Path(__file__).resolve().parents[2] / "support" / "window_on_laptop.py"
SCREEN = {"synchronousWindowSystemEvents": False, "windowFrameMargins": True,
          "screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                       "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}


def test_main_window_is_inside_a_1366x768_screen(engine, db_url, tmp_path):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(SCREEN), encoding="utf-8")
    engine.dispose()
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run([sys.executable, str(SCRIPT), db_url, str(tmp_path / "s.ini")],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    area = QRect(*shown["area"])
    assert (area.width(), area.height()) == (1366, 768)
    for name in ("first", "remembered"):
        frame = QRect(*shown[name])
        assert area.contains(frame), f"{name}: {frame} is not inside {area}"
    assert QRect(*shown["first"]).width() > 1200  # it uses the room it has
