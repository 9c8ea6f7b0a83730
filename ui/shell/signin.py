"""Who is at the keyboard (issue 12): the first start's administrator, the login, the lock
that covers the window after the idle minutes (or at once, to switch user), and the idle
watch. The checks and the records are the models' (models/security); a login writes (its
audit row, a failure's count) through WriteOp like every other GUI write."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.security import accounts, audit
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

IDLE_KEY = "security/idle_minutes"
IDLE_DEFAULT = 10
IDLE_MOST = 60


def idle_minutes(settings: QSettings) -> int:
    """The idle minutes before the lock: a setting from 1 to 60, never off (10 when unset or
    not a number in that range)."""
    try:
        value = int(settings.value(IDLE_KEY, IDLE_DEFAULT))
    except (TypeError, ValueError):
        return IDLE_DEFAULT
    return value if 1 <= value <= IDLE_MOST else IDLE_DEFAULT


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class LoginForm(QFrame):
    """Username, password and Log in; `on_login(username)` once the login is accepted."""

    def __init__(self, ctx: AppContext, on_login: Callable[[str], None], title: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.on_login = ctx, on_login
        self.setObjectName("loginForm")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.heading = QLabel(title)
        self.heading.setWordWrap(True)
        self.username = QLineEdit()
        self.password = _password_field()
        self.problem = QLabel("")
        self.problem.setObjectName("loginProblem")
        self.problem.setWordWrap(True)
        self.login_button = QPushButton("Log in")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(self.login_button)

    def submit(self) -> None:
        name, given = self.username.text().strip(), self.password.text()
        self.password.clear()  # never kept, whatever the outcome
        try:
            result = WriteOp(self.ctx, lambda s: accounts.login(s, name, given)).run()
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        if result.username is None:
            self.problem.setText(result.refused or "The login was refused.")
            return
        self.problem.clear()
        self.on_login(result.username)


class LoginDialog(QDialog):
    """The login at start, once the database has staff accounts."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("PerDiem: log in")
        self.username: str | None = None
        self.form = LoginForm(ctx, self._accepted, "Log in to PerDiem.", self)
        QVBoxLayout(self).addWidget(self.form)

    def _accepted(self, username: str) -> None:
        self.username = username
        self.accept()


class FirstAdministratorDialog(QDialog):
    """The first start of a database without accounts: its administrator, who then adds the
    other staff (File > Staff accounts)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("PerDiem: the administrator's account")
        self.username = QLineEdit()
        self.password = _password_field()
        self.again = _password_field()
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.created: str | None = None
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        intro = QLabel("This database has no staff accounts yet. Create the "
                       "administrator's: it adds the other staff and their roles.")
        intro.setWordWrap(True)  # one long line made the dialog 713 px wide (issue 16)
        box.addWidget(intro)
        self.setMinimumWidth(420)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(buttons)

    def submit(self) -> None:
        if self.password.text() != self.again.text():
            self.problem.setText("password: the two entries differ")
            return
        name, given = self.username.text(), self.password.text()
        try:
            made = WriteOp(self.ctx, lambda s: accounts.add_account(
                s, actor=name.strip(), username=name, roles=["administrator"],
                password=given)).run()
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        self.created = made.username
        self.accept()


class LockCover(QWidget):
    """Covers the whole window: what was on it (an open form with its typed text) stays as it
    was, hidden, until the same user logs in again. Another user's login closes the forms
    left open (their text was the previous user's) and acts as that user."""

    def __init__(self, window: QWidget, ctx: AppContext, on_unlocked: Callable[[str], None]):
        super().__init__(window)
        self.window_, self.ctx, self.on_unlocked = window, ctx, on_unlocked
        self.setObjectName("lockCover")
        self.setAutoFillBackground(True)
        self.setStyleSheet("QWidget#lockCover { background: #3c4043; }")
        self.form = LoginForm(ctx, self._unlocked, "", self)
        self.form.setMaximumWidth(420)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.form, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(1)
        self.hidden_windows: list[QWidget] = []
        self.hide()

    def cover(self, switching: bool) -> None:
        app = QApplication.instance()
        self.hidden_windows = [w for w in app.topLevelWidgets()  # type: ignore[union-attr]
                               if w.isVisible() and w is not self.window_]
        for w in self.hidden_windows:
            w.hide()
        self.form.heading.setText(
            "Switch user: log in as yourself." if switching else
            f"PerDiem is locked. {self.ctx.actor}, log in again, or another user logs in.")
        self.form.username.setText("" if switching else self.ctx.actor)
        self.form.problem.clear()
        self.setGeometry(self.window_.rect())
        self.show()
        self.raise_()
        (self.form.username if switching else self.form.password).setFocus()

    def resize_to(self) -> None:
        self.setGeometry(self.window_.rect())

    def _unlocked(self, username: str) -> None:
        same = username == self.ctx.actor
        for w in self.hidden_windows:
            if same:
                w.show()
            elif isinstance(w, QDialog):
                w.reject()
            else:
                w.close()
        self.hidden_windows = []
        self.hide()
        self.on_unlocked(username)


class IdleWatch(QObject):
    """Locks after `minutes` without a key press or a mouse action anywhere in the app."""

    ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel}

    def __init__(self, minutes: int, on_idle: Callable[[], None], parent: QObject):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(on_idle)
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in self.ACTIVITY and self.timer.isActive():
            self.timer.start()  # again from the full interval
        return False


def record_event(ctx: AppContext, action: str, **what) -> None:
    """One row of the audit trail after a read (a packet saved, an export, a lock); a window
    opened read-only (another PerDiem writes) cannot record it, and goes on."""
    try:
        WriteOp(ctx, lambda s: audit.record(s, ctx.actor, action, **what)).run()
    except DomainError:
        pass


def record_lock(ctx: AppContext, detail: str) -> None:
    record_event(ctx, audit.SCREEN_LOCK, detail=detail)
