"""Start-up loads no PDF machinery: ReportLab, pypdf, pypdfium2 and reports.* are imported only
by what writes or prints a file (packets, claim files), in the GUI and on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import ROOT

HEAVY = ("reportlab", "pypdf", "pypdfium2", "reports")

HEAVY_LOADED = f"""
import json, sys
def heavy():
    return sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
"""

# The desktop app started as `perdiem --db FILE` starts; once the window has shown a patient on
# the billing calendar and the pharmacy's month view, it closes itself.
GUI = HEAVY_LOADED + """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.shell import workers
from ui.shell.app import make_application

app = make_application(["perdiem"])
steps = []

def window():
    return next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")

def drive():
    if workers.pending_jobs():
        return
    w = window()
    if not steps:
        w.select_patient("p-1001", "PatientCalendar")
    elif len(steps) == 1:
        w.show_page(w.MONTH_PAGE)
    else:
        timer.stop()
        w.close()
    steps.append(1)

timer = QTimer()
timer.timeout.connect(drive)
timer.start(50)
import main
status = main.main(["--db", sys.argv[1], "--user", "test"])
print(json.dumps({"status": status, "steps": len(steps), "heavy": heavy()}))
"""


def run_python(code: str, *args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_desktop_app_starts_and_bills_without_the_pdf_libraries(example_engine, db_url):
    path = db_url.removeprefix("sqlite:///")
    example_engine.dispose()
    out = run_python(GUI, path)
    assert out["status"] == 0 and out["steps"] == 3  # the calendar and month view were shown
    assert out["heavy"] == []


@pytest.mark.parametrize(("command", "needed"), [
    (["billable-days", "--from", "2026-10-01", "--to", "2026-10-31", "--with-claims"],
     ["reports", "reports.billable_days"]),  # its CSV writer, and nothing more
    (["export", "{tmp}/out.json"], []),
    (["claim-number", "no-such-claim", "ICN-1"], []),
])
def test_commands_that_write_no_pdf_do_not_load_the_pdf_libraries(example_engine, db_url,
                                                                   tmp_path, command, needed):
    example_engine.dispose()
    code = HEAVY_LOADED + """
import contextlib, io, main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = main.main(["--db", sys.argv[1], *sys.argv[2:]])
print(json.dumps({"status": status, "heavy": heavy()}))
"""
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    out = run_python(code, db_url.removeprefix("sqlite:///"), *args)
    assert out["status"] in (0, 1)  # claim-number of an unknown claim is a clear refusal
    assert out["heavy"] == needed


def test_a_packet_command_does_load_them(example_engine, db_url, tmp_path):
    """The check above can fail: the same probe sees ReportLab once a packet is written."""
    example_engine.dispose()
    code = HEAVY_LOADED + """
import contextlib, io, main
with contextlib.redirect_stdout(io.StringIO()):
    status = main.main(["--db", sys.argv[1], "packet", "--patient", "p-1001",
                        "--from", "2026-10-01", "--to", "2026-10-31", "--out", sys.argv[2]])
print(json.dumps({"status": status, "heavy": heavy()}))
"""
    out = run_python(code, db_url.removeprefix("sqlite:///"), str(tmp_path / "p.pdf"))
    assert out["status"] == 0
    assert "reportlab" in out["heavy"] and "reports.packet" in out["heavy"]
