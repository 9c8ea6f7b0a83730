"""Issue 16 item 3: every dialog and window of the app fits a 1366x768 laptop screen less its
taskbar (1366x728), on the demo pharmacy. The main window has its own check
(test_window_fits.py); the claims window and the pharmacy, patient and order forms are in
scripts/screenshots.py; the rest are tests/support/all_dialogs.py NAMES, which
scripts/dialog_screenshots.py also takes pictures of at 1366x768 and 1920x1080."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSize
from sqlmodel import select

from models.db import unit_of_work
from models.records import registry
from tests.support.all_dialogs import NAMES, dialogs
from tests.support.databases import DEMO_TODAY
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

LAPTOP = QSize(1366, 728)  # a 1366x768 screen less a 40 px taskbar


def _fits(size: QSize) -> bool:
    return size.width() <= LAPTOP.width() and size.height() <= LAPTOP.height()


def test_every_dialog_fits_a_1366x768_screen(qtbot, demo_engine, db_url, tmp_path):
    ctx = AppContext(demo_engine, "tester", db_url)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings, today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    with unit_of_work(demo_engine) as session:
        patient_id = session.exec(select(registry.ORDER.table.patient_id)).first()
    opened, too_big = [], []
    for name, dialog in dialogs(ctx, window, patient_id, DEMO_TODAY):
        settle(qtbot)
        # what it opens at, what its layout asks for and the least it can be
        for what, size in (("size", dialog.size()), ("sizeHint", dialog.sizeHint()),
                           ("minimumSizeHint", dialog.minimumSizeHint())):
            if not _fits(size):
                too_big.append(f"{name} {what} {size.width()}x{size.height()}")
        assert dialog.isVisible(), name
        opened.append(name)
        dialog.close()
    assert opened == list(NAMES)
    assert too_big == []


def test_the_check_refuses_what_is_wider_or_taller_than_the_laptop():
    """The size check above can fail: the administrator's one-line intro made its dialog
    713 px wide; 1400 px wide or 760 px tall does not fit 1366x728."""
    assert not _fits(QSize(1400, 500))
    assert not _fits(QSize(900, 760))
    assert _fits(QSize(1366, 728))
