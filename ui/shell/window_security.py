"""The main window's side of issue 12: the lock cover, the idle watch, and the File menu's
Lock, Switch user, Staff accounts and Audit trail. Without staff accounts in the database
none of it is active (there is nobody to log in again), as before accounts existed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from models.security.access import open_patient
from models.security.permissions import PermissionDenied, accounts_exist
from ui.shell.ops import WriteOp
from ui.shell.signin import IdleWatch, LockCover, idle_minutes, record_lock
from ui.shell.workers import run_in_background


class WindowSecurity(QObject):
    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx  # type: ignore[attr-defined]
        self.cover = LockCover(window, self.ctx, self._unlocked)
        self.active = False  # until the background read finds staff accounts
        self.watch: IdleWatch | None = None
        self.action_lock = QAction("&Lock", window)
        self.action_lock.setShortcut(QKeySequence("Ctrl+L"))
        self.action_lock.setStatusTip("Cover the window until you log in again")
        self.action_lock.triggered.connect(lambda _c=False: self.lock())
        self.action_switch_user = QAction("S&witch user", window)
        self.action_switch_user.setStatusTip("Lock, and let another staff member log in")
        self.action_switch_user.triggered.connect(lambda _c=False: self.lock(switching=True))
        self.action_accounts = QAction("Staff &accounts…", window)
        self.action_accounts.setStatusTip("Add, disable and enable staff accounts "
                                          "(administrator)")
        self.action_accounts.triggered.connect(lambda _c=False: self.open_accounts())
        self.action_audit = QAction("Audit &trail…", window)
        self.action_audit.setStatusTip("Who did what, and when (administrator)")
        self.action_audit.triggered.connect(lambda _c=False: self.open_audit())
        for action in (self.action_lock, self.action_switch_user):
            action.setEnabled(self.active)
        window.installEventFilter(self)
        run_in_background(self.ctx, accounts_exist, receiver=window,
                          on_result=lambda found: found and self.accounts_started())

    @property
    def actions(self) -> list[QAction]:
        return [self.action_lock, self.action_switch_user, self.action_accounts,
                self.action_audit]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if obj is self.window and event.type() == QEvent.Type.Resize:
            self.cover.resize_to()
        return False

    @property
    def locked(self) -> bool:
        return self.cover.isVisible()

    def lock(self, switching: bool = False) -> None:
        if not self.active or self.locked:
            return
        record_lock(self.ctx, "switch user" if switching else "locked")
        self.cover.cover(switching)

    def _unlocked(self, username: str) -> None:
        changed = username != self.ctx.actor
        self.ctx.actor = username
        if self.watch is not None:
            self.watch.timer.start()
        if changed:
            self.window.show_status(f"Logged in as {username}.")  # type: ignore[attr-defined]
            self.window.refresh()  # type: ignore[attr-defined]

    def patient_opened(self, patient_id: str) -> None:
        """Once the database has staff accounts: the opening authorized (VIEW_CLINICAL) and
        recorded in the audit trail, in the background; refused, the record is covered."""
        if not self.active:
            return
        ctx = self.ctx
        WriteOp(ctx, lambda s: open_patient(s, actor=ctx.actor, patient_id=patient_id)
                ).run_in_background(receiver=self.window, on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        window = self.window
        if isinstance(exc, PermissionDenied):
            window.empty_hint.setText(str(exc))  # type: ignore[attr-defined]
            window.detail_stack.setCurrentIndex(0)  # type: ignore[attr-defined]
        window.show_status(str(exc))  # type: ignore[attr-defined]

    def accounts_started(self) -> None:
        """The first administrator was just created: the lock and idle watch start."""
        if self.active:
            return
        self.active = True
        self.watch = IdleWatch(idle_minutes(self.window.settings), self.lock, self)  # type: ignore
        for action in (self.action_lock, self.action_switch_user):
            action.setEnabled(True)

    def open_accounts(self) -> None:
        from ui.shell.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.ctx, self.window)
        dialog.accounts_changed.connect(self.accounts_started)
        dialog.open()

    def open_audit(self) -> None:
        from ui.shell.audit_viewer import AuditViewer

        AuditViewer(self.ctx, self.window).open()
