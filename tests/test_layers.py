"""Model, report and command-line tests run without Qt: importing them, their helpers and
conftest.py loads no PySide6, so a model test that reaches for a widget fails here."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

NO_QT = ("tests.models", "tests.reports", "tests.cli")

# Imports every module of the packages named, then says which Qt modules are loaded; a fresh
# interpreter, with conftest.py first as pytest imports it.
PROBE = """
import importlib, json, pkgutil, sys
import tests.conftest
def qt_after(*names):
    for name in names:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, name + "."):
            importlib.import_module(module.name)
    return sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps([qt_after(*sys.argv[1:]), qt_after("tests.ui.billing")]))
"""


def test_model_report_and_cli_tests_import_no_qt():
    proc = subprocess.run([sys.executable, "-c", PROBE, *NO_QT], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    without_gui, with_gui = json.loads(proc.stdout.strip().splitlines()[-1])
    assert without_gui == []
    assert "PySide6.QtCore" in with_gui  # the probe can fail: it sees the GUI tests' Qt
