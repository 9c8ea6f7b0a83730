"""Staff accounts for the administrator: the list with roles and states, add (roles and the
password twice), disable and enable. The services refuse anyone else (PermissionDenied)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError
from models.security import accounts
from models.security.permissions import ACCOUNTS, ROLES, authorize
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp


class AccountsDialog(QDialog):
    accounts_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Staff accounts")
        self.resize(620, 480)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Username", "Roles", "State"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.problem = QLabel("")
        self.problem.setObjectName("accountsProblem")
        self.problem.setWordWrap(True)
        self.disable_button = QPushButton("Disable")
        self.enable_button = QPushButton("Enable (lifts a lock-out)")
        self.disable_button.clicked.connect(lambda: self._set_active(False))
        self.enable_button.clicked.connect(lambda: self._set_active(True))
        self.username = QLineEdit()
        self.role_boxes = {role: QCheckBox(role) for role in ROLES}
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field in (self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("Add account")
        self.add_button.clicked.connect(self.add)
        roles = QHBoxLayout()
        for box in self.role_boxes.values():
            roles.addWidget(box)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Roles", roles)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        buttons = QHBoxLayout()
        buttons.addWidget(self.disable_button)
        buttons.addWidget(self.enable_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addLayout(buttons)
        box.addLayout(form)
        box.addWidget(self.add_button)
        box.addWidget(self.problem)
        self.reload()

    def reload(self) -> None:
        def read(s):
            authorize(s, self.ctx.actor, ACCOUNTS)
            return accounts.list_accounts(s)

        try:
            found = self.ctx.read(read)
        except DomainError as exc:
            self.problem.setText(str(exc))
            found = []
        self.table.setRowCount(len(found))
        for i, a in enumerate(found):
            state = "locked" if a.locked else "active" if a.active else "disabled"
            for j, text in enumerate((a.username, ", ".join(a.roles), state)):
                self.table.setItem(i, j, QTableWidgetItem(text))

    def add(self) -> None:
        if self.password.text() != self.again.text():
            self.problem.setText("password: the two entries differ")
            return
        name, given = self.username.text(), self.password.text()
        roles = [r for r, b in self.role_boxes.items() if b.isChecked()]
        try:
            WriteOp(self.ctx, lambda s: accounts.add_account(
                s, actor=self.ctx.actor, username=name, roles=roles, password=given)).run()
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText(f"Added {name.strip()}.")
        for field in (self.username, self.password, self.again):
            field.clear()
        self.reload()
        self.accounts_changed.emit()

    def _set_active(self, active: bool) -> None:
        row = self.table.currentRow()
        if row < 0:
            self.problem.setText("Select an account first.")
            return
        name = self.table.item(row, 0).text()
        try:
            WriteOp(self.ctx, lambda s: accounts.set_active(
                s, actor=self.ctx.actor, username=name, active=active)).run()
        except DomainError as exc:
            self.problem.setText(str(exc))
            return
        self.problem.setText(f"{name} is {'enabled' if active else 'disabled'}.")
        self.reload()
