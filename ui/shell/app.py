"""Start the desktop app: the Qt application, the database, the first-run offer, the window."""

from __future__ import annotations

import gc
import sys

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

STYLE = """
QTabWidget::pane { border: 1px solid #c9ccd1; border-radius: 3px; }
QTabBar::tab { padding: 6px 14px; }
QGroupBox { font-weight: 600; margin-top: 10px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QLabel#emptyHint { color: #5f6368; font-size: 12pt; padding: 40px; }
QStatusBar QLabel { color: #5f6368; padding: 0 6px; }
QToolBar { spacing: 4px; padding: 3px; }
QToolBar QToolButton { padding: 4px 10px; }
"""


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with PerDiem's names (QSettings reads them), style and font."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName("PerDiem")
    app.setApplicationName("PerDiem")
    app.setApplicationDisplayName("PerDiem")
    app.setStyle("Fusion")
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return app


def sign_in(ctx) -> bool:
    """Who uses the app: a new (empty) database asks for its administrator first; declining,
    or a database that already holds records from before accounts, keeps working as the OS
    user, as before (the administrator is then added with File > Staff accounts). A database
    with accounts asks for a login. False when the user gave up."""
    from models.records.rows import count_records
    from models.security.signin import has_accounts
    from ui.shell.signin import FirstAdministratorDialog, LoginDialog

    if not has_accounts(ctx.engine):
        if ctx.read(count_records):
            return True
        first = FirstAdministratorDialog(ctx)
        if first.exec() != FirstAdministratorDialog.DialogCode.Accepted:
            return True
    login = LoginDialog(ctx)
    if login.exec() != LoginDialog.DialogCode.Accepted or login.username is None:
        return False
    ctx.actor = login.username
    return True


def run(url: str, actor: str) -> int:
    """Open the database at `url` and run the app until its window closes; the exit status."""
    from models.db import DatabaseDamaged, UpgradeFailed, open_database, sqlite_path
    from ui.shell.context import AppContext
    from ui.shell.daily_backup import start_daily_backup
    from ui.shell.first_run import first_run_wanted
    from ui.shell.in_use import take_writer_lock
    from ui.shell.main_window import MainWindow
    from ui.shell.passphrase import database_key
    from ui.shell.workers import run_in_background

    # What the imports made (modules, classes, tables: 150,000 objects) lives as long as the
    # app. Frozen, out of the collector's sight, a full collection walks only what was made
    # since: without it, each of the five or six full collections during the first reads took
    # 70-140 ms, and every thread, the GUI's too, waited for it (issue 8). Frozen before the
    # first Qt object, so no wrapper of one is ever kept from the collector.
    gc.freeze()
    app = make_application()
    # A background read holds the interpreter for up to the switch interval (5 ms by default)
    # each time the GUI thread asks for it back, once per call into Python: a paint that makes
    # twenty such calls while the work list is computed waited 100 ms. 1 ms keeps the window
    # answering; the reads lose a few per cent.
    sys.setswitchinterval(0.001)

    notices: list[str] = []
    path = sqlite_path(url)
    key = database_key(path)  # an encrypted file's passphrase (issue 12)
    try:
        # today's backup is taken once the window is up (ui/shell/daily_backup.py)
        engine = open_database(url, report=notices.append, key=key)
    except (DatabaseDamaged, UpgradeFailed) as exc:  # the reason and the backups to restore
        from ui.shell.damaged import DatabaseProblemDialog

        dialog = DatabaseProblemDialog(path, exc, key=key) if path else None
        if dialog is None or dialog.exec() != DatabaseProblemDialog.DialogCode.Accepted:
            return 1
        engine = dialog.engine
    except Exception as exc:  # a clear message instead of a traceback on the console
        QMessageBox.critical(
            None, "PerDiem: database not opened",
            f"PerDiem could not open the database\n{url}\n\n{type(exc).__name__}: {exc}\n\n"
            "Check the path (--db or PERDIEM_DB), that the file is a PerDiem database and that "
            "you may write to its folder.")
        return 1

    ctx = AppContext(engine, actor, url, parent=app)  # Qt owns it: see ui.shell.workers
    if not sign_in(ctx):  # issue 12: the first administrator, or a login
        engine.dispose()
        return 1
    if not take_writer_lock(ctx, url):  # the user quit rather than open it read-only
        engine.dispose()
        return 1
    window = MainWindow(ctx)
    window.show()
    from ui.shell.other_desks import Following

    following = Following(ctx)  # PostgreSQL: other desks' saves appear here too
    if notices:  # e.g. a claim batch a crash left half-done, settled at the open
        window.show_status(" ".join(notices))
    start_daily_backup(window, path, key)
    # asked in the background like every read, so the window paints first
    run_in_background(ctx, first_run_wanted, receiver=window,
                      on_result=lambda wanted: wanted and window.open_first_run())
    status = app.exec()
    following.stop()
    # Reads still running must not outlive the window: drop the queued ones, wait for the
    # rest, and delete the window here, on the GUI thread, not whenever a collection runs.
    QThreadPool.globalInstance().clear()
    QThreadPool.globalInstance().waitForDone()
    shiboken6.delete(window)
    ctx.engine.dispose()
    if ctx.writer_lock is not None:
        ctx.writer_lock.release()
    return status

