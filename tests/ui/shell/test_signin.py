"""Issue 12 items 1-2 in the GUI: the first administrator, the login, the administrator's
accounts dialog, the lock that keeps a half-typed form, and switching user in one click.
The idle lock is triggered through its timer's own signal (no waiting on a clock)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from sqlmodel import select

from models.db import snapshot, unit_of_work
from models.records import registry
from models.records.tables import RecordVersion
from models.security import accounts
from models.security.permissions import find_account
from models.security.tables import AuditEvent
from tests.support.gui_wait import settle
from ui.forms.record_forms import make_record_dialog
from ui.shell.accounts_dialog import AccountsDialog
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow
from ui.shell.signin import IDLE_KEY, FirstAdministratorDialog, LoginDialog, idle_minutes

PW = "correct horse 1"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def staffed(example_engine):
    with unit_of_work(example_engine) as s:
        accounts.add_account(s, actor="x", username="admin", roles=["administrator"],
                             password=PW, hasher=CHEAP)
        for name, role in (("nina", "nurse"), ("phil", "pharmacist")):
            accounts.add_account(s, actor="admin", username=name, roles=[role], password=PW,
                                 hasher=CHEAP)
    return example_engine


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot, ctx, settings) -> MainWindow:
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    return window


def _audit(engine):
    with snapshot(engine) as s:
        return [(r.username, r.action, r.detail) for r in s.exec(select(AuditEvent))]


def test_the_idle_lock_is_ten_minutes_by_default_and_never_off(settings):
    assert idle_minutes(settings) == 10
    settings.setValue(IDLE_KEY, 0)
    assert idle_minutes(settings) == 10, "0 (off) is not a value the lock takes"
    settings.setValue(IDLE_KEY, 5)
    assert idle_minutes(settings) == 5


def test_the_first_start_creates_the_administrator(qtbot, engine, db_url):
    ctx = AppContext(engine, "osuser", db_url)
    dialog = FirstAdministratorDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "boss")
    qtbot.keyClicks(dialog.password, PW)
    qtbot.keyClicks(dialog.again, PW + "x")
    dialog.submit()
    assert "differ" in dialog.problem.text() and dialog.created is None
    dialog.again.clear()
    qtbot.keyClicks(dialog.again, PW)
    dialog.submit()
    assert dialog.created == "boss"
    with snapshot(engine) as s:
        assert [(a.username, a.roles) for a in accounts.list_accounts(s)] == [
            ("boss", ["administrator"])]


def test_the_login_dialog_refuses_a_wrong_password_then_logs_in(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "osuser", db_url)
    dialog = LoginDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.form.username, "nina")
    qtbot.keyClicks(dialog.form.password, "wrong one")
    qtbot.mouseClick(dialog.form.login_button, Qt.MouseButton.LeftButton)
    assert dialog.form.problem.text() == "The username or password is wrong."
    assert dialog.form.password.text() == "", "a password is never left in the field"
    assert dialog.username is None
    with unit_of_work(staffed) as s:  # the delay it earned has passed
        find_account(s, "nina").last_failed_at = None
    qtbot.keyClicks(dialog.form.password, PW)
    qtbot.mouseClick(dialog.form.login_button, Qt.MouseButton.LeftButton)
    assert dialog.username == "nina"
    assert [a for _, a, _ in _audit(staffed)][-2:] == ["login failed", "login"]


def test_the_idle_lock_covers_the_window_and_keeps_a_half_typed_form(
        qtbot, staffed, db_url, settings):
    ctx = AppContext(staffed, "nina", db_url)
    window = _window(qtbot, ctx, settings)
    qtbot.waitUntil(lambda: window.security.watch is not None)
    assert window.security.watch.timer.interval() == 10 * 60_000
    dialog = make_record_dialog(ctx, window, registry.INFUSION, patient_id="p-1001",
                                record_id="mar-1")
    qtbot.addWidget(dialog)
    dialog.show()
    dose = dialog.form.fields["dose_given"]
    dose.selectAll()
    qtbot.keyClicks(dose, "29500")

    window.security.watch.timer.timeout.emit()  # ten idle minutes have passed
    cover = window.security.cover
    assert cover.isVisible() and not dialog.isVisible()
    assert cover.geometry() == window.rect()
    assert cover.form.username.text() == "nina"
    qtbot.keyClicks(cover.form.password, "not it")
    qtbot.mouseClick(cover.form.login_button, Qt.MouseButton.LeftButton)
    assert cover.isVisible() and not dialog.isVisible()
    with unit_of_work(staffed) as s:
        find_account(s, "nina").last_failed_at = None  # the delay it earned has passed
    qtbot.keyClicks(cover.form.password, PW)
    QTest.keyClick(cover.form.password, Qt.Key.Key_Return)
    assert not cover.isVisible()
    assert dialog.isVisible() and dose.text() == "29500", "the half-typed form survives"
    assert ("nina", "screen locked", "locked") in _audit(staffed)


def test_switch_user_is_one_click_and_the_next_save_names_the_new_user(
        qtbot, staffed, db_url, settings):
    ctx = AppContext(staffed, "nina", db_url)
    window = _window(qtbot, ctx, settings)
    qtbot.waitUntil(lambda: window.security.active)
    left_open = make_record_dialog(ctx, window, registry.INFUSION, patient_id="p-1001",
                                   record_id="mar-1")
    qtbot.addWidget(left_open)
    left_open.show()
    window.security.action_switch_user.trigger()  # the one click
    cover = window.security.cover
    assert cover.isVisible() and cover.form.username.text() == ""
    qtbot.keyClicks(cover.form.username, "phil")
    qtbot.keyClicks(cover.form.password, PW)
    qtbot.mouseClick(cover.form.login_button, Qt.MouseButton.LeftButton)
    assert ctx.actor == "phil" and not cover.isVisible()
    assert not left_open.isVisible(), "nina's unsaved form is not handed to phil"
    from models.records import clinical
    from ui.shell.ops import WriteOp
    WriteOp(ctx, lambda s: clinical.void_record(s, actor=ctx.actor, kind=registry.ORDER,
                                                record_id="o-1", reason="switch test")).run()
    with snapshot(staffed) as s:
        last = s.exec(select(RecordVersion.recorded_by).where(RecordVersion.record_id == "o-1")
                      .order_by(RecordVersion.version.desc())).first()
    assert last == "phil"


def test_the_administrators_dialog_adds_and_disables_accounts(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "admin", db_url)
    dialog = AccountsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    qtbot.keyClicks(dialog.username, "bea")
    dialog.role_boxes["billing"].setChecked(True)
    qtbot.keyClicks(dialog.password, PW)
    qtbot.keyClicks(dialog.again, PW)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.text() == "Added bea."
    names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    dialog.table.selectRow(names.index("nina"))
    qtbot.mouseClick(dialog.disable_button, Qt.MouseButton.LeftButton)
    with snapshot(staffed) as s:
        states = {a.username: (a.roles, a.active) for a in accounts.list_accounts(s)}
    assert states["bea"] == (["billing"], True) and states["nina"][1] is False


def test_the_accounts_dialog_is_refused_to_a_nurse_by_the_services(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "nina", db_url)
    dialog = AccountsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0
    assert "nina (nurse) may not manage staff accounts" in dialog.problem.text()
