"""One insurance coverage of the patient form: payer, member id, dates, and the subscriber when
the patient is not the subscriber."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from models import vocab
from models.errors import FieldError
from models.records.tables import CoverageBase, CoverageRead, PayerRead
from models.validation import MEMBER_ID_RE
from ui.common import DateField, mark_field
from ui.forms.kit import live_check, named_line, pattern_problem


class CoverageEditor(QWidget):
    """One coverage: payer, member id, dates, and the subscriber when it is not the patient."""

    title_changed = Signal()

    def __init__(self, payers: list[PayerRead], parent: QWidget | None = None):
        super().__init__(parent)
        self.payer = QComboBox(self)
        self.payer.setObjectName("payer")
        for p in payers:
            self.payer.addItem(f"{p.name} ({p.kind})", p.id)
        self.member_id = named_line(self, 80, "member_id")
        self.group_number = named_line(self, 50, "group_number")
        self.priority = QComboBox(self)
        self.priority.addItems(vocab.PRIORITIES)
        self.start_date = DateField(self, required=True)
        self.end_date = DateField(self)
        self.end_date.setToolTip("Leave blank while the coverage is open-ended")
        self.relationship = QComboBox(self)
        self.relationship.addItems(vocab.RELATIONSHIPS)
        self.relationship.setToolTip("The patient's relationship to the insurance subscriber")
        self.sub_first = named_line(self, 60, "subscriber_first_name")
        self.sub_last = named_line(self, 60, "subscriber_last_name")
        self.sub_birth = DateField(self)
        self.sub_sex = QComboBox(self)
        for code, label in vocab.SEXES.items():
            self.sub_sex.addItem(label, code)

        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        rows: list[tuple[str, QWidget, str, QWidget]] = [
            ("&Payer", self.payer, "Priorit&y", self.priority),
            ("&Member ID", self.member_id, "&Group", self.group_number),
            ("Co&verage start", self.start_date, "Coverage e&nd", self.end_date),
            ("Relation&ship", self.relationship, "", QWidget(self)),
            ("Subscriber first", self.sub_first, "Subscriber last", self.sub_last),
            ("Subscriber birth", self.sub_birth, "Subscriber sex", self.sub_sex),
        ]
        for r, (la, wa, lb, wb) in enumerate(rows):
            label_a = QLabel(la, self)
            label_a.setBuddy(wa)
            grid.addWidget(label_a, r, 0)
            grid.addWidget(wa, r, 1)
            if lb:
                label_b = QLabel(lb, self)
                label_b.setBuddy(wb)
                grid.addWidget(label_b, r, 2)
            grid.addWidget(wb, r, 3)

        self.fields: dict[str, QWidget] = {
            "payer": self.payer, "member_id": self.member_id, "group_number": self.group_number,
            "priority": self.priority, "start_date": self.start_date, "end_date": self.end_date,
            "relationship": self.relationship, "subscriber": self.sub_first,
            "subscriber_first_name": self.sub_first, "subscriber_last_name": self.sub_last,
            "subscriber_birth_date": self.sub_birth, "subscriber_sex": self.sub_sex,
        }
        live_check(self.member_id, lambda: pattern_problem(
            self.member_id.text().strip(), MEMBER_ID_RE, "uses letters, digits and dashes only"))
        self.end_date.textChanged.connect(self._on_dates_changed)
        self.start_date.textChanged.connect(self._on_dates_changed)
        self.relationship.currentTextChanged.connect(self._on_relationship_changed)
        self.payer.currentIndexChanged.connect(lambda _i: self.title_changed.emit())
        self.priority.currentIndexChanged.connect(lambda _i: self.title_changed.emit())
        self._on_relationship_changed(self.relationship.currentText())

    def title(self) -> str:
        payer = self.payer.currentText().rsplit(" (", 1)[0] or "New coverage"
        return f"{payer} · {self.priority.currentText()}"

    def set_coverage(self, cov: CoverageRead) -> None:
        i = self.payer.findData(cov.payer_id)
        if i < 0:  # a payer missing from the list would otherwise be silently replaced
            self.payer.addItem(cov.payer_id, cov.payer_id)
            i = self.payer.count() - 1
        self.payer.setCurrentIndex(i)
        self.member_id.setText(cov.member_id)
        self.group_number.setText(cov.group_number or "")
        self.priority.setCurrentText(cov.priority)
        self.start_date.set_date(cov.start_date)
        self.end_date.set_date(cov.end_date)
        self.relationship.setCurrentText(cov.relationship)
        self.sub_first.setText(cov.subscriber_first_name or "")
        self.sub_last.setText(cov.subscriber_last_name or "")
        self.sub_birth.set_date(cov.subscriber_birth_date)
        j = self.sub_sex.findData(cov.subscriber_sex or "U")
        self.sub_sex.setCurrentIndex(max(j, 0))

    def value(self) -> tuple[CoverageBase, list[FieldError]]:
        """The coverage as typed, and the problems only the form can see (unreadable dates)."""
        problems = [FieldError(name, w.problem()) for name, w in (
            ("start_date", self.start_date), ("end_date", self.end_date),
            ("subscriber_birth_date", self.sub_birth)) if w.problem()]
        is_self = self.relationship.currentText() == "self"
        cov = CoverageBase.model_construct(
            payer_id=self.payer.currentData() or "",
            member_id=self.member_id.text().strip(),
            group_number=self.group_number.text().strip() or None,
            priority=self.priority.currentText(),
            start_date=self.start_date.date(),
            end_date=self.end_date.date(),
            relationship=self.relationship.currentText(),
            subscriber_first_name=None if is_self else self.sub_first.text().strip() or None,
            subscriber_last_name=None if is_self else self.sub_last.text().strip() or None,
            subscriber_birth_date=None if is_self else self.sub_birth.date(),
            subscriber_sex=None if is_self else self.sub_sex.currentData(),
        )
        return cov, problems

    @Slot()
    def _on_dates_changed(self) -> None:
        start, end = self.start_date.date(), self.end_date.date()
        if start and end and end < start:
            mark_field(self.end_date, "is before the start date")
        elif self.end_date.property("problem") == "is before the start date":
            mark_field(self.end_date, None)

    @Slot(str)
    def _on_relationship_changed(self, relationship: str) -> None:
        for w in (self.sub_first, self.sub_last, self.sub_birth, self.sub_sex):
            w.setEnabled(relationship != "self")
