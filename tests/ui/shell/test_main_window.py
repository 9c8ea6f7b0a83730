"""The main window, import/export with progress, opening databases and the first run."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from models.db import open_database, unit_of_work
from models.interchange import read, validate
from models.records import reference
from models.records.rows import count_records
from tests.support.gui_wait import settle
from ui.records.pharmacy_form import PharmacyDialog
from ui.shell.context import AppContext
from ui.shell.first_run import FirstRunDialog, needs_first_run
from ui.shell.main_window import MainWindow
from ui.shell.window_commands import app_version

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    """Window state goes to a file in the test's folder, never the user's settings."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_window(qtbot, ctx: AppContext, settings: QSettings) -> MainWindow:
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)  # the patient list and the title are read in the background
    return window


@pytest.fixture
def ctx(engine, db_url) -> AppContext:
    return AppContext(engine, "tester", db_url)


def test_title_names_the_pharmacy_and_database(qtbot, example_engine, db_url, settings):
    ctx = AppContext(example_engine, "tester", db_url)
    window = make_window(qtbot, ctx, settings)
    assert window.windowTitle() == "Riverbend Home Infusion — perdiem.sqlite — PerDiem"
    assert "perdiem.sqlite" in window.db_label.text()
    assert window.patients.model.rowCount() == 1


def test_selecting_a_patient_fills_header_and_tabs(qtbot, example_engine, db_url, settings):
    ctx = AppContext(example_engine, "tester", db_url)
    window = make_window(qtbot, ctx, settings)
    assert not window.action_edit_patient.isEnabled()
    window.patients.select_patient("p-1001")
    assert window.patient_id == "p-1001"
    assert window.action_edit_patient.isEnabled()
    assert "Lindqvist, Maria" in window.header.text()
    assert "XBP448812" in window.header.text()
    # every tab, in the paper chart's order, built in place of its stand-in
    assert [type(w).__name__ for w in window.tab_widgets] == [
        "OrdersTab", "InfusionLogTab", "DocumentsTab", "AuthorizationsTab", "PatientCalendar"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "&Orders", "&Infusion log (MAR)", "&Documents", "&Authorizations", "&Billing calendar"]
    assert all(window.tabs.widget(i) is w for i, w in enumerate(window.tab_widgets))


def test_opening_the_mar_tab_puts_the_cursor_in_the_entry(qtbot, example_engine, db_url,
                                                          settings):
    from PySide6.QtWidgets import QApplication

    window = make_window(qtbot, AppContext(example_engine, "tester", db_url), settings)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_page(window.PATIENTS_PAGE)  # the window opens on Today's work list
    window.patients.select_patient("p-1001")
    window.patients.search.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # &Infusion log
    assert type(window.tabs.currentWidget()).__name__ == "InfusionLogTab"
    assert QApplication.focusWidget() is window.tabs.currentWidget().form.fields["date"]


def test_window_geometry_is_remembered(qtbot, ctx, settings):
    first = make_window(qtbot, ctx, settings)
    first.resize(777, 555)  # fits the offscreen platform's 800x600 screen
    first.splitter.setSizes([400, 300])
    sizes = first.splitter.sizes()
    first.close()
    second = make_window(qtbot, ctx, settings)
    assert (second.width(), second.height()) == (777, 555)
    assert second.splitter.sizes() == sizes


def test_about_names_version_and_database(qtbot, ctx, settings, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, title, text: shown.append(text))
    window = make_window(qtbot, ctx, settings)
    window.action_about.trigger()
    assert app_version() in shown[0]
    assert "perdiem.sqlite" in shown[0]


def test_import_with_errors_lists_them_all_and_changes_nothing(qtbot, ctx, settings,
                                                                 example_doc, tmp_path):
    doc = copy.deepcopy(example_doc)
    npi = doc["prescribers"][0]["npi"]
    doc["prescribers"][0]["npi"] = npi[:9] + str((int(npi[9]) + 1) % 10)
    doc["patients"][0]["coverages"][0]["payer"] = "no-such-payer"
    doc["orders"][0]["end_date"] = "2026-09-01"  # before its start date
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    expected = ctx.read(lambda s: validate.validate_document(s, doc))
    assert len(expected) >= 3

    window = make_window(qtbot, ctx, settings)
    with qtbot.waitSignal(window.import_export.import_refused, timeout=20000) as sig:
        window.import_export.start_import(path)
    dialog = window.import_export.errors_dialog
    assert dialog.isVisible()
    assert dialog.errors() == expected == sig.args[0]
    assert "Nothing in the database was changed" in dialog.findChild(type(window.db_label)).text()
    with unit_of_work(ctx.engine) as s:
        assert count_records(s) == 0
        assert reference.get_pharmacy(s) is None


def test_unreadable_file_is_refused(qtbot, ctx, settings, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    window = make_window(qtbot, ctx, settings)
    with qtbot.waitSignal(window.import_export.import_refused, timeout=20000):
        window.import_export.start_import(path)  # read off the GUI thread
    errors = window.import_export.errors_dialog.errors()
    assert len(errors) == 1 and "cannot be read as a JSON file" in errors[0]


def test_import_then_export_through_the_menu_code(qtbot, ctx, settings, example_doc,
                                                   tmp_path):
    path = tmp_path / "example.json"
    path.write_text(json.dumps(example_doc), encoding="utf-8")
    window = make_window(qtbot, ctx, settings)
    with qtbot.waitSignal(window.import_export.imported, timeout=20000) as sig:
        job = window.import_export.start_import(path)
    assert job.progress.windowTitle() == "Import"
    assert sig.args[0]["patients"] == 1
    # the change notice reached the views: the list and the title show the imported data
    settle(qtbot)
    assert window.patients.model.rowCount() == 1
    assert "Riverbend Home Infusion" in window.windowTitle()
    assert window.statusBar().currentMessage().startswith("Imported")

    out = tmp_path / "out.json"
    with qtbot.waitSignal(window.import_export.exported, timeout=20000):
        window.import_export.start_export(out)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [p["id"] for p in exported["patients"]] == ["p-1001"]
    assert not out.with_name("out.json.part").exists()


def test_open_database_that_is_not_one_keeps_the_current(qtbot, ctx, settings, tmp_path,
                                                         monkeypatch):
    """A file that is not a database (or a damaged one) shows why, with its backups to
    restore (ui.shell.damaged); closed without restoring, the open database stays."""
    from ui.shell.damaged import DatabaseProblemDialog
    from ui.shell.passphrase import PassphraseDialog

    shown = []

    def closed(dialog):  # the modal dialog, as the user closes it
        shown.append(dialog.message.text())
        return DatabaseProblemDialog.DialogCode.Rejected

    monkeypatch.setattr(DatabaseProblemDialog, "exec", closed)
    # not SQLite, so perhaps encrypted: its passphrase is asked first, and not given
    monkeypatch.setattr(PassphraseDialog, "exec", lambda _d: PassphraseDialog.DialogCode.Rejected)
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    window = make_window(qtbot, ctx, settings)
    before = ctx.url
    assert not window.open_database_file(junk)
    assert len(shown) == 1 and str(junk) in shown[0]
    assert "cannot be opened as a PerDiem database" in shown[0]
    assert ctx.url == before
    assert junk.read_bytes() == b"this is not a database" * 100


def test_open_other_database_switches_every_view(qtbot, ctx, settings, example_doc, tmp_path):
    other = tmp_path / "other.sqlite"
    eng = open_database(f"sqlite:///{other}")
    with unit_of_work(eng) as s:
        read.import_document(s, actor="t", doc=example_doc)
    eng.dispose()
    window = make_window(qtbot, ctx, settings)
    assert window.patients.model.rowCount() == 0
    assert window.open_database_file(other)
    settle(qtbot)
    assert window.patients.model.rowCount() == 1
    assert window.windowTitle().startswith("Riverbend Home Infusion — other.sqlite")


def test_first_run_opens_the_demo_in_its_own_file_never_the_real_one(qtbot, ctx, settings,
                                                                       db_url):
    """Issue 16: the welcome dialog's demo goes into perdiem-demo.sqlite beside the database,
    labelled DEMO in the title bar; the database that was open stays empty."""
    from models.db import open_database, sqlite_path

    real = sqlite_path(db_url)
    assert needs_first_run(ctx)
    window = make_window(qtbot, ctx, settings)
    dialog = window.open_first_run()
    assert isinstance(dialog, FirstRunDialog) and dialog.isVisible()
    assert "Open the demo pharmacy" in dialog.demo_button.text().replace("&", "")
    assert "perdiem-demo.sqlite" in dialog.findChildren(QLabel)[1].text()
    with qtbot.waitSignal(window.demo_loaded, timeout=60000) as sig:
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert sig.args[0]["patients"] > 0
    assert not dialog.isVisible()
    assert sqlite_path(ctx.url) == real.with_name("perdiem-demo.sqlite")
    assert not needs_first_run(ctx)
    settle(qtbot)
    assert window.patients.model.rowCount() == sig.args[0]["patients"]
    assert window.windowTitle().startswith("DEMO — ")
    assert "— perdiem-demo.sqlite — PerDiem" in window.windowTitle()
    assert not window.windowTitle().startswith("DEMO — No pharmacy set")
    engine = open_database(f"sqlite:///{real}")  # the real database: still empty
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM patient").scalar() == 0
    finally:
        engine.dispose()


def test_first_run_can_go_to_pharmacy_settings(qtbot, ctx, settings):
    window = make_window(qtbot, ctx, settings)
    dialog = window.open_first_run()
    qtbot.mouseClick(dialog.settings_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert isinstance(window.pharmacy_dialog, PharmacyDialog)
    assert window.pharmacy_dialog.isVisible()


def test_pages_switch_and_month_view_opens_the_patient_calendar(qtbot, example_engine, db_url,
                                                                settings):
    ctx = AppContext(example_engine, "tester", db_url)
    window = make_window(qtbot, ctx, settings)
    window.action_month_page.trigger()
    assert window.pages.currentIndex() == window.MONTH_PAGE
    window.month_view.patient_activated.emit("p-1001")
    assert window.pages.currentIndex() == window.PATIENTS_PAGE
    assert window.patient_id == "p-1001"
    assert type(window.tabs.currentWidget()).__name__ == "PatientCalendar"


def test_cancelled_import_changes_nothing(qtbot, ctx, settings, example_doc, tmp_path,
                                          monkeypatch):
    import threading

    gate = threading.Event()
    real_import = read.import_document

    def slow_import(session, **kwargs):
        counts = real_import(session, **kwargs)  # everything written, not yet committed
        gate.wait(10)
        return counts

    monkeypatch.setattr(read, "import_document", slow_import)
    path = tmp_path / "example.json"
    path.write_text(json.dumps(example_doc), encoding="utf-8")
    window = make_window(qtbot, ctx, settings)
    job = window.import_export.start_import(path)
    qtbot.mouseClick(job.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    gate.set()
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert window.statusBar().currentMessage() == "Import cancelled; nothing was changed."
    with unit_of_work(ctx.engine) as s:
        assert count_records(s) == 0
    assert window.patients.model.rowCount() == 0


def test_help_lists_the_keyboard_shortcuts(qtbot, ctx, settings):
    """Issue 16: Help ▸ Keyboard shortcuts, read off the menus' own actions."""
    window = make_window(qtbot, ctx, settings)
    window.action_shortcuts.trigger()
    dialog = window.shortcuts_dialog
    assert dialog.isVisible()
    text = dialog.text.toPlainText()
    for words in ("New patient", "Claim drafts", "Today", "t-1", "F4", "Enter"):
        assert words in text
    assert window.action_new_patient.shortcut().toString() in text
    dialog.reject()
