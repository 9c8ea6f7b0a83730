"""File ▸ Connect to the pharmacy server… (issue 14): host, port, database, user and password
of the PostgreSQL server the desks share (docs/server.md).

The connection is remembered in QSettings WITHOUT its password; the password goes to the
system keyring (models/credentials.py) when the user ticks "Remember", and is never written to
a file. Without a keyring the box is off and the dialog says the password is asked each time.
TLS is required (`sslmode=require`) unless the host is this PC (models/server.connection_url).
Connecting opens the database (a new one is migrated) before anything is switched: a refusal
is shown in the dialog, with every field kept, and the database that was open stays open.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models import credentials
from models.db import open_database
from models.errors import DomainError
from models.server import DEFAULT_PORT, connection_url, is_local
from ui.shell.context import AppContext

GROUP = "server"  # QSettings group of the remembered connection (no password in it)


class ConnectDialog(QDialog):
    """Asks where the pharmacy server is; on success `engine` and `url` are the open database."""

    def __init__(self, ctx: AppContext, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Connect to the pharmacy server")
        self.setObjectName("connectDialog")
        self.ctx = ctx
        self.settings = settings
        self.engine = None
        self.url: str | None = None

        self.host = QLineEdit(self)
        self.host.setPlaceholderText("office-pc, 192.168.1.20 or localhost")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.database = QLineEdit(self)
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember the password in this computer's keyring", self)
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        self.tls_note = QLabel(self)
        self.tls_note.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("connectMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a32020;")

        form = QFormLayout()
        form.addRow("&Server (host):", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("", self.remember)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.connect_button = self.buttons.addButton(
            "&Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.try_connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tls_note)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        if credentials.available():
            self.keyring_note.setText("")
        else:
            self.remember.setChecked(False)
            self.remember.setEnabled(False)
            self.keyring_note.setText(
                "This computer has no system keyring, so the password is asked each time "
                "and never saved.")
        self.host.textChanged.connect(self._show_tls)
        self._load()
        self._show_tls()

    # --- the remembered connection --------------------------------------------------------

    def _load(self) -> None:
        s = self.settings
        self.host.setText(str(s.value(f"{GROUP}/host", "")))
        self.port.setValue(int(s.value(f"{GROUP}/port", DEFAULT_PORT)))
        self.database.setText(str(s.value(f"{GROUP}/database", "perdiem")))
        self.user.setText(str(s.value(f"{GROUP}/user", "")))
        saved = credentials.saved_password(self._entry())
        if saved:
            self.password.setText(saved)
            self.remember.setChecked(True)
        (self.password if self.host.text() and self.user.text() else self.host).setFocus()

    def _entry(self) -> str:
        return credentials.key(self.user.text().strip(), self.host.text().strip(),
                               self.port.value(), self.database.text().strip())

    def _show_tls(self) -> None:
        local = is_local(self.host.text())
        self.tls_note.setText(
            "This PC: the connection is not encrypted (it never leaves the computer)." if local
            else "The connection is encrypted: the server must accept TLS (docs/server.md).")

    def built_url(self) -> str:
        return connection_url(self.host.text(), self.port.value(), self.database.text(),
                              self.user.text(), self.password.text())

    # --- connecting -----------------------------------------------------------------------

    def problems(self) -> list[str]:
        missing = [name for name, field in (("Server", self.host), ("Database", self.database),
                                            ("User", self.user))
                   if not field.text().strip()]
        return [f"{name}: is required" for name in missing]

    def try_connect(self) -> bool:
        """Open the server database; on success remember the connection and accept."""
        problems = self.problems()
        if problems:
            self.message.setText("Not connected. " + "; ".join(problems) + ".")
            return False
        url = self.built_url()
        self.message.setText("Connecting…")
        try:
            engine = open_database(url)
        except DomainError as exc:  # the server away, a wrong password, a newer schema...
            self.message.setText(f"Not connected: {exc}")
            return False
        except Exception as exc:  # noqa: BLE001 - said in the dialog, which stays open
            self.message.setText(f"Not connected: {type(exc).__name__}: {exc}")
            return False
        self.engine, self.url = engine, url
        self._remember()
        self.message.setText("")
        self.accept()
        return True

    def _remember(self) -> None:
        s = self.settings
        s.setValue(f"{GROUP}/host", self.host.text().strip())
        s.setValue(f"{GROUP}/port", self.port.value())
        s.setValue(f"{GROUP}/database", self.database.text().strip())
        s.setValue(f"{GROUP}/user", self.user.text().strip())
        s.sync()
        if self.remember.isChecked() and self.password.text():
            credentials.save_password(self._entry(), self.password.text())
        else:
            credentials.forget_password(self._entry())
