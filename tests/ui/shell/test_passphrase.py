"""An encrypted database in the app (issue 12, item 4; ui/shell/passphrase.py): the
passphrase asked in a dialog that refuses a wrong one in words, then the database opened with
it; without a system keyring (this machine) the dialog says it will ask at every start."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from models import cipher, conversion
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow
from ui.shell.passphrase import PassphraseDialog, database_key

KEY = "correct horse battery staple"


@pytest.fixture
def encrypted(example_engine) -> Path:
    path = Path(str(example_engine.url.database))
    example_engine.dispose()
    conversion.convert(path, None, KEY)
    return path


def ok(qtbot, dialog: PassphraseDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_wrong_passphrase_is_refused_in_the_dialog_and_the_right_one_accepted(qtbot,
                                                                                 encrypted):
    dialog = PassphraseDialog(encrypted, "PerDiem asks for it at every start: no keyring.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.field.echoMode() == dialog.field.EchoMode.Password
    qtbot.keyClicks(dialog.field, "not the passphrase")
    ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.key is None
    assert f"The passphrase does not open {encrypted}" in dialog.problem.text()

    dialog.field.clear()
    qtbot.keyClicks(dialog.field, KEY)
    ok(qtbot, dialog)
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted
    assert dialog.key == KEY


def test_opening_an_encrypted_database_asks_its_passphrase_then_shows_it(
        qtbot, engine, db_url, encrypted, tmp_path, monkeypatch):
    other = encrypted.with_name("encrypted.sqlite")
    encrypted.rename(other)
    asked = []

    def typed(dialog):  # the modal dialog, as the user types the passphrase and clicks OK
        asked.append(dialog.note.text())
        dialog.field.setText(KEY)
        dialog._on_ok()
        return dialog.result()

    monkeypatch.setattr(PassphraseDialog, "exec", typed)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(engine, "tester", db_url)
    window = MainWindow(ctx, settings, today=lambda: dt.date(2026, 11, 27))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    assert window.patients.model.rowCount() == 0
    assert window.open_database_file(other)
    settle(qtbot)
    assert len(asked) == 1 and "no system keyring" in asked[0]
    assert window.patients.model.rowCount() == 1
    assert cipher.is_encrypted(other), "opened, and still encrypted"


def test_the_key_variable_opens_it_without_asking(encrypted, monkeypatch):
    monkeypatch.setattr(PassphraseDialog, "exec", lambda _d: pytest.fail("asked"))
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    assert database_key(encrypted) == KEY
    monkeypatch.setenv(cipher.KEY_VARIABLE, "a wrong passphrase")  # wrong: then asked
    monkeypatch.setattr(PassphraseDialog, "exec",
                        lambda _d: PassphraseDialog.DialogCode.Rejected)
    assert database_key(encrypted) is None
