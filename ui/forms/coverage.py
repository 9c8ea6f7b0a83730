"""One insurance coverage of the patient form: payer, member id, dates, the subscriber when
the patient is not the subscriber, and, for a workers' compensation payer, the employer's claim
number and the date of injury (837P REF*Y4 and DTP*439, CMS-1500 boxes 11b and 14)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QWidget

from models import vocab
from models.claims.claim import workers_comp
from models.errors import FieldError
from models.records.tables import CoverageBase, CoverageRead, PayerRead
from models.validation import GROUP_NUMBER_RE, MEMBER_ID_RE
from ui.common import DateField, mark_field
from ui.forms.kit import live_check, named_line, pattern_problem


class CoverageEditor(QWidget):
    """One coverage: payer, member id, dates, and the subscriber when it is not the patient."""

    title_changed = Signal()

    def __init__(self, payers: list[PayerRead], parent: QWidget | None = None):
        super().__init__(parent)
        self.payer_kinds = {p.id: workers_comp(p) for p in payers}  # id -> workers' comp?
        self.payer = QComboBox(self)
        self.payer.setObjectName("payer")
        for p in payers:
            self.payer.addItem(f"{p.name} ({vocab.payer_kind_label(p.kind)})", p.id)
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
        self.employer_claim_number = named_line(self, 50, "employer_claim_number")
        self.employer_claim_number.setToolTip(
            "The workers' compensation carrier's claim number for the injury (REF*Y4, box 11b)")
        self.injury_date = DateField(self)
        self.injury_date.setObjectName("injury_date")
        self.injury_date.setToolTip("The date of the work injury (DTP*439, box 14)")

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
            ("Emplo&yer claim no.", self.employer_claim_number, "&Injury date",
             self.injury_date),
        ]
        self.workers_comp_labels: list[QLabel] = []
        for r, (la, wa, lb, wb) in enumerate(rows):
            label_a = QLabel(la, self)
            label_a.setBuddy(wa)
            grid.addWidget(label_a, r, 0)
            grid.addWidget(wa, r, 1)
            if lb:
                label_b = QLabel(lb, self)
                label_b.setBuddy(wb)
                grid.addWidget(label_b, r, 2)
                if wb is self.injury_date:
                    self.workers_comp_labels += [label_a, label_b]
            grid.addWidget(wb, r, 3)

        self.fields: dict[str, QWidget] = {
            "payer": self.payer, "member_id": self.member_id, "group_number": self.group_number,
            "priority": self.priority, "start_date": self.start_date, "end_date": self.end_date,
            "relationship": self.relationship, "subscriber": self.sub_first,
            "subscriber_first_name": self.sub_first, "subscriber_last_name": self.sub_last,
            "subscriber_birth_date": self.sub_birth, "subscriber_sex": self.sub_sex,
            "employer_claim_number": self.employer_claim_number, "injury_date": self.injury_date,
        }
        live_check(self.member_id, lambda: pattern_problem(
            self.member_id.text().strip(), MEMBER_ID_RE, "uses letters, digits and dashes only"))
        live_check(self.employer_claim_number, lambda: pattern_problem(
            self.employer_claim_number.text().strip(), GROUP_NUMBER_RE,
            "uses letters, digits and dashes only (up to 50)"))
        self.payer.currentIndexChanged.connect(lambda _i: self._on_payer_changed())
        self.end_date.textChanged.connect(self._on_dates_changed)
        self.start_date.textChanged.connect(self._on_dates_changed)
        self.relationship.currentTextChanged.connect(self._on_relationship_changed)
        self.payer.currentIndexChanged.connect(lambda _i: self.title_changed.emit())
        self.priority.currentIndexChanged.connect(lambda _i: self.title_changed.emit())
        self._on_relationship_changed(self.relationship.currentText())
        self._on_payer_changed()

    def is_workers_comp(self) -> bool:
        """The chosen payer bills workers' compensation (R33 filing indicator WC)."""
        return self.payer_kinds.get(self.payer.currentData(), False)

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
        self.employer_claim_number.setText(cov.employer_claim_number or "")
        self.injury_date.set_date(cov.injury_date)

    def value(self) -> tuple[CoverageBase, list[FieldError]]:
        """The coverage as typed, and the problems only the form can see (unreadable dates)."""
        wc = self.is_workers_comp()  # another payer's coverage keeps no injury
        dates = [("start_date", self.start_date), ("end_date", self.end_date),
                 ("subscriber_birth_date", self.sub_birth)]
        if wc:
            dates.append(("injury_date", self.injury_date))
        problems = [FieldError(name, w.problem()) for name, w in dates if w.problem()]
        if wc:  # a workers' compensation claim is refused without them (clearing.py)
            if not self.employer_claim_number.text().strip():
                problems.append(FieldError("employer_claim_number", "is required for a workers' "
                                           "compensation payer (REF*Y4, box 11b)"))
            if not self.injury_date.text().strip():
                problems.append(FieldError("injury_date", "is required for a workers' "
                                           "compensation payer (DTP*439, box 14)"))
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
            employer_claim_number=(self.employer_claim_number.text().strip() or None) if wc
            else None,
            injury_date=self.injury_date.date() if wc else None,
        )
        return cov, problems

    @Slot()
    def _on_dates_changed(self) -> None:
        start, end = self.start_date.date(), self.end_date.date()
        if start and end and end < start:
            mark_field(self.end_date, "is before the start date")
        elif self.end_date.property("problem") == "is before the start date":
            mark_field(self.end_date, None)

    @Slot()
    def _on_payer_changed(self) -> None:
        """The employer's claim number and injury date are shown for a workers' compensation
        payer only; what was typed stays in the fields if another payer is chosen by mistake."""
        wc = self.is_workers_comp()
        for w in (self.employer_claim_number, self.injury_date, *self.workers_comp_labels):
            w.setVisible(wc)

    @Slot(str)
    def _on_relationship_changed(self, relationship: str) -> None:
        for w in (self.sub_first, self.sub_last, self.sub_birth, self.sub_sex):
            w.setEnabled(relationship != "self")
