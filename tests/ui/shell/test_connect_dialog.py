"""Issue 14: File ▸ Connect to the pharmacy server… Against the suite's real PostgreSQL server
(its socket, where the test server trusts every local user, so the password typed is carried
but not checked there; the URL a remote desk builds is checked on its own): the window switches
to the server's database; the connection is remembered in QSettings without the password,
which goes to the keyring only (none in any file); without a keyring the dialog says the
password is asked each time and stores nothing; a refused connection keeps the dialog and its
fields."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings, Qt

from models import credentials
from models.db import open_database
from models.server import connection_url
from tests.support import postgres
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

SECRET = "desk secret 9!"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in this process only (the test's system keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        self.kept.pop((service, username), None)


@pytest.fixture
def system_keyring():
    before = keyring.get_keyring()
    kept = MemoryKeyring()
    keyring.set_keyring(kept)
    yield kept
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def window(qtbot, engine, db_url, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(AppContext(engine, "tester", db_url), settings)
    qtbot.addWidget(win)
    win.show()
    settle(qtbot)
    yield win
    win.ctx.engine.dispose()


@pytest.fixture
def server_db(pg_server, pg_example_template):
    name = pg_server.new_name()
    pg_server.create(name, template=pg_example_template)
    yield name
    pg_server.drop(name)


def fill(qtbot, dialog, host: str, database: str, user: str = "postgres",
         password: str = SECRET) -> None:
    for field, value in ((dialog.host, host), (dialog.database, database),
                         (dialog.user, user), (dialog.password, password)):
        field.clear()
        qtbot.keyClicks(field, value)


def files_holding(folder, text: str) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file()
            and text.encode() in p.read_bytes()]


def test_the_url_requires_tls_unless_the_server_is_this_pc():
    assert connection_url("office-pc", 5432, "perdiem", "biller", "p@ss/w:rd") == (
        "postgresql://biller:p%40ss%2Fw%3Ard@office-pc:5432/perdiem?sslmode=require")
    assert connection_url("192.168.1.20", 5433, "perdiem", "biller") == (
        "postgresql://biller@192.168.1.20:5433/perdiem?sslmode=require")
    for local in ("localhost", "127.0.0.1", "::1"):
        assert "sslmode" not in connection_url(local, 5432, "perdiem", "biller", "x")
    assert connection_url("/run/postgresql", 5432, "perdiem", "biller") == (
        "postgresql://biller@/perdiem?host=%2Frun%2Fpostgresql")


def test_connect_switches_the_window_and_keeps_the_password_only_in_the_keyring(
        qtbot, window, pg_server, server_db, system_keyring, tmp_path):
    window.action_connect.trigger()
    dialog = window.connect_dialog
    assert dialog.remember.isEnabled() and dialog.keyring_note.text() == ""
    fill(qtbot, dialog, str(pg_server.folder), server_db)
    assert "not encrypted" in dialog.tls_note.text()  # a socket: this PC
    dialog.remember.setChecked(True)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    assert window.ctx.engine.dialect.name == "postgresql"
    assert window.ctx.url == connection_url(str(pg_server.folder), 5432, server_db,
                                            "postgres", SECRET)
    qtbot.waitUntil(lambda: "p-1001" in window.patients.model.patient_ids(), timeout=5000)
    assert system_keyring.kept == {
        (credentials.SERVICE, f"postgres@{pg_server.folder}:5432/{server_db}"): SECRET}
    window.settings.sync()
    assert window.settings.value("server/database") == server_db
    assert window.settings.value("server/user") == "postgres"
    assert files_holding(tmp_path, SECRET) == []

    window.action_connect.trigger()  # remembered: the fields and the password come back
    again = window.connect_dialog
    assert (again.host.text(), again.database.text(), again.user.text()) == (
        str(pg_server.folder), server_db, "postgres")
    assert again.password.text() == SECRET and again.remember.isChecked()
    again.reject()


def test_without_a_keyring_the_password_is_asked_each_time_and_kept_nowhere(
        qtbot, window, pg_server, server_db, no_keyring, tmp_path):
    window.action_connect.trigger()
    dialog = window.connect_dialog
    assert not dialog.remember.isEnabled()
    assert "no system keyring" in dialog.keyring_note.text()
    assert "asked each time" in dialog.keyring_note.text()
    fill(qtbot, dialog, str(pg_server.folder), server_db)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.ctx.engine.dialect.name == "postgresql"
    window.settings.sync()
    assert files_holding(tmp_path, SECRET) == []
    window.action_connect.trigger()
    assert window.connect_dialog.password.text() == ""
    window.connect_dialog.reject()


def test_a_refused_connection_keeps_the_dialog_and_the_database_that_was_open(
        qtbot, window, pg_server, no_keyring):
    before = window.ctx.url
    window.action_connect.trigger()
    dialog = window.connect_dialog
    fill(qtbot, dialog, str(pg_server.folder), "no_such_pharmacy")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.message.text().startswith("Not connected: ")
    assert "no_such_pharmacy" in dialog.message.text()
    assert dialog.database.text() == "no_such_pharmacy" and dialog.password.text() == SECRET
    assert window.ctx.url == before
    dialog.host.clear()
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Not connected. Server: is required."
    dialog.reject()
    engine = open_database(before)
    engine.dispose()


@pytest.fixture
def password_server(pg_server):  # pg_server first: no binaries -> the same failure or skip
    """A server of this test's own where the role `biller` must give its password (SCRAM)."""
    server = postgres.Server.start()
    server.admin().execute("CREATE ROLE biller LOGIN PASSWORD 'right horse 7'")
    server.admin().execute("CREATE DATABASE pharmacy OWNER biller")
    hba = server.folder / "data" / "pg_hba.conf"
    hba.write_text("local all biller scram-sha-256\n" + hba.read_text())
    server.admin().execute("SELECT pg_reload_conf()")
    yield server
    server.stop()


def test_a_wrong_password_is_refused_in_the_dialog_and_the_right_one_connects(
        qtbot, window, password_server, no_keyring):
    window.action_connect.trigger()
    dialog = window.connect_dialog
    fill(qtbot, dialog, str(password_server.folder), "pharmacy", user="biller",
         password="wrong horse")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "password authentication failed" in dialog.message.text()
    assert "wrong horse" not in dialog.message.text()
    assert window.ctx.engine.dialect.name == "sqlite"

    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "right horse 7")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert not dialog.isVisible()
    assert window.ctx.engine.dialect.name == "postgresql"  # migrated: a new pharmacy
    assert window.ctx.read(lambda s: s.connection().exec_driver_sql(
        "SELECT current_user").scalar()) == "biller"
