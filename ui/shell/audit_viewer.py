"""The audit trail for the administrator: filtered by dates, user and patient, and the chain
checked (models/security/audit.verify). Reading it is itself refused to other roles."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError, FieldError
from models.security import audit
from models.security.access import read_trail
from models.security.permissions import AUDIT, authorize
from ui.shell.context import AppContext

COLUMNS = ("at", "username", "action", "patient_id", "record_kind", "record_id", "detail")


def _day(field: str, text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(field, f'"{text}" is not a date in the form YYYY-MM-DD') from None


class AuditViewer(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Audit trail")
        self.resize(1000, 600)
        self.start, self.end = QLineEdit(), QLineEdit()
        self.user, self.patient = QLineEdit(), QLineEdit()
        for field, hint in ((self.start, "YYYY-MM-DD"), (self.end, "YYYY-MM-DD"),
                            (self.user, "any"), (self.patient, "any patient id")):
            field.setPlaceholderText(hint)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(self.reload)
        self.verify_button = QPushButton("Check the chain")
        self.verify_button.clicked.connect(self.verify)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c.replace("_", " ") for c in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)  # the detail, widest
        self.message = QLabel("")
        self.message.setObjectName("auditMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("From", self.start)
        form.addRow("To", self.end)
        form.addRow("User", self.user)
        form.addRow("Patient", self.patient)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.show_button)
        box.addWidget(self.table)
        box.addWidget(self.verify_button)
        box.addWidget(self.message)
        self.reload()

    def reload(self) -> None:
        try:
            start, end = _day("from", self.start.text()), _day("to", self.end.text())
            found = self.ctx.read(lambda s: [
                tuple("" if getattr(r, c) is None else str(getattr(r, c)) for c in COLUMNS)
                for r in read_trail(s, actor=self.ctx.actor, start=start, end=end,
                                    user=self.user.text().strip() or None,
                                    patient=self.patient.text().strip() or None)])
        except DomainError as exc:
            self.message.setText(str(exc))
            return
        self.table.setRowCount(len(found))
        for i, row in enumerate(found):
            for j, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # an elided cell shows all of it on hover
                self.table.setItem(i, j, item)
        self.table.resizeColumnToContents(0)  # the time, whole (issue 16: it was elided)
        self.message.setText(f"{len(found)} row{'s' if len(found) != 1 else ''}.")

    def verify(self) -> None:
        try:
            def check(s):
                authorize(s, self.ctx.actor, AUDIT)
                return audit.verify(s)

            broken = self.ctx.read(check)
        except DomainError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Every row follows the one before it: nothing was changed or "
                             "removed." if broken is None else f"Broken: {broken}.")
