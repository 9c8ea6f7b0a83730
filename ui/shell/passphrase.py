"""The passphrase of an encrypted database, asked when the app opens one (models/cipher.py).

`database_key` gives the key before the file is opened: $PERDIEM_DB_KEY, then the system
keyring, then this dialog, which says when there is no keyring to remember it in and refuses
a wrong passphrase in words, staying open for another try. Cancel opens nothing with a key:
the check at open then names the file as not SQLite or encrypted (ui/shell/damaged.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from models import cipher


class PassphraseDialog(QDialog):
    """Asks the passphrase of the encrypted database at `path`; `key` once accepted (checked
    against the file: a wrong one is refused here). With a system keyring, a box offers to
    remember it there; without one, `note` says so."""

    def __init__(self, path: Path, note: str = "", parent: QWidget | None = None, *,
                 keyring: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("PerDiem: encrypted database")
        self.path = path
        self.key: str | None = None
        intro = QLabel(f"{path.name} is encrypted. Its passphrase, please:")
        intro.setToolTip(str(path))
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName("Passphrase")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.remember = QCheckBox("&Remember it in this computer's keyring")
        self.remember.setVisible(keyring)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.field, self.problem, self.note, self.remember, buttons):
            layout.addWidget(widget)
        self.resize(460, 0)

    @Slot()
    def _on_ok(self) -> None:
        given = self.field.text()
        if not given:
            self.problem.setText("Passphrase: type it (or Cancel).")
            return
        try:
            cipher.check_key(self.path, given)
        except cipher.WrongKey as exc:
            self.problem.setText(str(exc))
            self.field.selectAll()
            self.field.setFocus()
            return
        self.key = given
        if self.remember.isVisible() and self.remember.isChecked():
            refused = cipher.remember_key(self.path, given)
            if refused is not None:
                self.note.setText(f"Not remembered: {refused}.")
        self.accept()


def database_key(path: Path | None, parent: QWidget | None = None) -> str | None:
    """The key to open the database at `path` with, or None (a plain or new file, no
    $PERDIEM_DB_KEY; or the user cancelled)."""
    given = cipher.given_key()
    if path is None or not cipher.is_encrypted(path):
        return given
    for candidate in (given, cipher.keyring_key(path)):
        if candidate:
            try:
                cipher.check_key(path, candidate)
                return candidate
            except cipher.WrongKey:
                continue
    problem = cipher.keyring_problem()
    note = f"PerDiem asks for it at every start: {problem}." if problem else ""
    dialog = PassphraseDialog(path, note, parent, keyring=problem is None)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.key
