"""Add or edit a patient and the patient's insurance coverages."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.errors import FieldError, ValidationFailed
from models.records import services
from models.records.tables import CoverageBase, CoverageRead, PatientBase, PatientRead, PayerRead
from models.validation import MEMBER_ID_RE, PHONE_RE, STATE_RE, ZIP_RE
from ui.common import (
    DateField,
    GuardedDialog,
    apply_field_errors,
    field_errors,
    mark_field,
    show_error,
)
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

SEXES = (("F", "Female"), ("M", "Male"), ("U", "Unknown"))
PRIORITIES = ("primary", "secondary")
RELATIONSHIPS = ("self", "spouse", "child", "other")

LABELS = {
    "id": "Patient ID", "first_name": "First name", "last_name": "Last name",
    "birth_date": "Date of birth", "sex": "Sex", "address_line1": "Address",
    "address_line2": "Address line 2", "city": "City", "state": "State", "zip": "ZIP",
    "phone": "Phone", "payer": "Payer", "member_id": "Member ID", "group_number": "Group",
    "priority": "Priority", "start_date": "Start date", "end_date": "End date",
    "relationship": "Relationship", "subscriber": "Subscriber",
    "subscriber_first_name": "Subscriber first name",
    "subscriber_last_name": "Subscriber last name",
    "subscriber_birth_date": "Subscriber date of birth", "subscriber_sex": "Subscriber sex",
}


def digits(text: str) -> str:
    """Phone numbers and ZIP codes are stored as digits only, however they were typed."""
    return re.sub(r"\D", "", text)


def compact(text: str) -> str:
    """A ZIP+4 may be typed with a dash or space; it is stored without."""
    return re.sub(r"[\s-]", "", text)


def pattern_problem(text: str, regex: re.Pattern, hint: str) -> str | None:
    return hint if text and not regex.fullmatch(text) else None


def line(parent: QWidget, max_length: int, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setMaxLength(max_length)
    edit.setObjectName(name)
    return edit


def upper_case(edit: QLineEdit) -> None:
    """Codes such as the state are capitals; convert as they are typed, keeping the cursor."""

    def _on_edited(text: str) -> None:
        if text != text.upper():
            pos = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(pos)

    edit.textEdited.connect(_on_edited)


def live_check(edit: QLineEdit, problem: Callable[[], str | None]) -> None:
    """Mark the field as soon as what is typed is wrong, and clear the mark once it is right."""
    edit.textChanged.connect(lambda _t: mark_field(edit, problem()))


class CoverageEditor(QWidget):
    """One coverage: payer, member id, dates, and the subscriber when it is not the patient."""

    title_changed = Signal()

    def __init__(self, payers: list[PayerRead], parent: QWidget | None = None):
        super().__init__(parent)
        self.payer = QComboBox(self)
        self.payer.setObjectName("payer")
        for p in payers:
            self.payer.addItem(f"{p.name} ({p.kind})", p.id)
        self.member_id = line(self, 80, "member_id")
        self.group_number = line(self, 50, "group_number")
        self.priority = QComboBox(self)
        self.priority.addItems(PRIORITIES)
        self.start_date = DateField(self, required=True)
        self.end_date = DateField(self)
        self.end_date.setToolTip("Leave blank while the coverage is open-ended")
        self.relationship = QComboBox(self)
        self.relationship.addItems(RELATIONSHIPS)
        self.relationship.setToolTip("The patient's relationship to the insurance subscriber")
        self.sub_first = line(self, 60, "subscriber_first_name")
        self.sub_last = line(self, 60, "subscriber_last_name")
        self.sub_birth = DateField(self)
        self.sub_sex = QComboBox(self)
        for code, label in SEXES:
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


class PatientDialog(GuardedDialog):
    """The patient form. Nothing typed is lost when saving fails: the problems are marked on
    their fields and listed under the form."""

    patient_saved = Signal(str)

    def __init__(self, ctx: AppContext, patient_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.payers: list[PayerRead] = ctx.read(services.list_payers)
        patient: PatientRead | None = (
            ctx.read(lambda s: services.get_patient(s, patient_id)) if patient_id else None)
        self.setWindowTitle(f"Edit patient – {patient.display_name}" if patient
                            else "New patient")
        self.setMinimumWidth(720)

        box = QGroupBox("Patient", self)
        self.first_name = line(box, 60, "first_name")
        self.last_name = line(box, 60, "last_name")
        self.birth_date = DateField(box, required=True)
        self.birth_date.setObjectName("birth_date")
        self.sex = QComboBox(box)
        self.sex.setObjectName("sex")
        for code, label in SEXES:
            self.sex.addItem(label, code)
        # no silent default: claims print it, so it is chosen on purpose
        self.sex.setPlaceholderText("Choose…")
        self.sex.setCurrentIndex(-1)
        self.address_line1 = line(box, 55, "address_line1")
        self.address_line2 = line(box, 55, "address_line2")
        self.city = line(box, 30, "city")
        self.state = line(box, 2, "state")
        self.state.setMaximumWidth(60)
        upper_case(self.state)
        self.zip = line(box, 10, "zip")
        self.phone = line(box, 14, "phone")
        self.phone.setPlaceholderText("10 digits")

        grid = QGridLayout(box)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._add_row(grid, 0, "&First name", self.first_name, "&Last name", self.last_name)
        self._add_row(grid, 1, "Date of &birth", self.birth_date, "Se&x", self.sex)
        self._add_row(grid, 2, "&Address", self.address_line1, "Address line &2",
                      self.address_line2)
        city_row = QHBoxLayout()
        city_row.setSpacing(10)
        city_row.addWidget(self.city, 1)
        state_label = QLabel("S&tate", box)
        state_label.setBuddy(self.state)
        city_row.addWidget(state_label)
        city_row.addWidget(self.state)
        self._add_row(grid, 3, "&City", city_row, "&ZIP", self.zip)
        self._add_row(grid, 4, "P&hone", self.phone, "", None)
        if patient:
            id_label = QLabel(f"Patient ID: {patient.id}", box)
            id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(id_label, 4, 2, 1, 2)

        cov_box = QGroupBox("Insurance coverages", self)
        self.coverage_tabs = QTabWidget(cov_box)
        self.coverage_tabs.setDocumentMode(True)
        self.add_coverage_button = QPushButton("Add co&verage", cov_box)
        self.remove_coverage_button = QPushButton("&Remove coverage", cov_box)
        self.no_payer_hint = QLabel(
            "There are no payers yet: add one under Edit ▸ Payers… before adding coverage.",
            cov_box)
        self.no_payer_hint.setWordWrap(True)
        self.no_payer_hint.setVisible(not self.payers)
        self.add_coverage_button.setEnabled(bool(self.payers))
        cov_buttons = QHBoxLayout()
        cov_buttons.addWidget(self.add_coverage_button)
        cov_buttons.addWidget(self.remove_coverage_button)
        cov_buttons.addStretch(1)
        cov_layout = QVBoxLayout(cov_box)
        cov_layout.addWidget(self.no_payer_hint)
        cov_layout.addWidget(self.coverage_tabs)
        cov_layout.addLayout(cov_buttons)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("formErrors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b03a2e;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(box)
        layout.addWidget(cov_box, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.fields: dict[str, QWidget] = {
            "first_name": self.first_name, "last_name": self.last_name,
            "birth_date": self.birth_date, "sex": self.sex,
            "address_line1": self.address_line1, "address_line2": self.address_line2,
            "city": self.city, "state": self.state, "zip": self.zip, "phone": self.phone,
        }
        live_check(self.state, lambda: pattern_problem(
            self.state.text().strip(), STATE_RE, "is two capital letters, e.g. IL"))
        live_check(self.zip, lambda: pattern_problem(
            compact(self.zip.text()), ZIP_RE, "is 5 or 9 digits"))
        live_check(self.phone, lambda: pattern_problem(
            digits(self.phone.text()), PHONE_RE, "is 10 digits"))

        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.cancel)
        self.add_coverage_button.clicked.connect(self._on_add_coverage_clicked)
        self.remove_coverage_button.clicked.connect(self._on_remove_coverage_clicked)

        if patient:
            self._fill(patient)
        elif self.payers:
            self.add_coverage()
        self._update_remove_button()
        self.first_name.setFocus()

    # --- building -------------------------------------------------------------------------

    def _add_row(self, grid: QGridLayout, row: int, la: str, wa: object, lb: str,
                 wb: QWidget | None) -> None:
        for col, (text, widget) in enumerate(((la, wa), (lb, wb))):
            if widget is None:
                continue
            label = QLabel(text, self)
            if isinstance(widget, QWidget):
                label.setBuddy(widget)
                grid.addWidget(widget, row, col * 2 + 1)
            else:  # a layout holding several widgets; the first one is the label's buddy
                label.setBuddy(widget.itemAt(0).widget())
                grid.addLayout(widget, row, col * 2 + 1)
            grid.addWidget(label, row, col * 2)

    def _fill(self, p: PatientRead) -> None:
        self.first_name.setText(p.first_name)
        self.last_name.setText(p.last_name)
        self.birth_date.set_date(p.birth_date)
        self.sex.setCurrentIndex(max(self.sex.findData(p.sex), 0))
        self.address_line1.setText(p.address_line1)
        self.address_line2.setText(p.address_line2 or "")
        self.city.setText(p.city)
        self.state.setText(p.state)
        self.zip.setText(p.zip)
        self.phone.setText(p.phone or "")
        for cov in p.coverages:
            self.add_coverage().set_coverage(cov)
        if self.coverage_tabs.count():
            self.coverage_tabs.setCurrentIndex(0)

    def coverage_editors(self) -> list[CoverageEditor]:
        return [self.coverage_tabs.widget(i) for i in range(self.coverage_tabs.count())]

    def add_coverage(self) -> CoverageEditor:
        editor = CoverageEditor(self.payers, self.coverage_tabs)
        if self.coverage_tabs.count():  # a second coverage is usually the secondary one
            editor.priority.setCurrentText("secondary")
        index = self.coverage_tabs.addTab(editor, editor.title())
        editor.title_changed.connect(lambda: self._retitle(editor))
        self.coverage_tabs.setCurrentIndex(index)
        self._update_remove_button()
        return editor

    def _retitle(self, editor: CoverageEditor) -> None:
        i = self.coverage_tabs.indexOf(editor)
        if i >= 0:
            self.coverage_tabs.setTabText(i, editor.title())

    def _update_remove_button(self) -> None:
        self.remove_coverage_button.setEnabled(self.coverage_tabs.count() > 0)

    # --- slots ----------------------------------------------------------------------------

    @Slot()
    def _on_add_coverage_clicked(self) -> None:
        self.add_coverage().member_id.setFocus()

    @Slot()
    def _on_remove_coverage_clicked(self) -> None:
        editor = self.coverage_tabs.currentWidget()
        if editor is not None:
            self.coverage_tabs.removeTab(self.coverage_tabs.indexOf(editor))
            editor.deleteLater()
        self._update_remove_button()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self.save():
            self.accept()

    # --- saving ---------------------------------------------------------------------------

    def _collect(self) -> tuple[PatientBase, list[CoverageBase], list[FieldError]]:
        problems: list[FieldError] = []
        if self.birth_date.problem():
            problems.append(FieldError("birth_date", self.birth_date.problem()))
        patient = PatientBase.model_construct(
            id=self.patient_id or "new",
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            birth_date=self.birth_date.date(),
            sex=self.sex.currentData(),
            address_line1=self.address_line1.text().strip(),
            address_line2=self.address_line2.text().strip() or None,
            city=self.city.text().strip(),
            state=self.state.text().strip().upper(),
            zip=compact(self.zip.text()),
            phone=digits(self.phone.text()) or None,
        )
        coverages = []
        for i, editor in enumerate(self.coverage_editors()):
            cov, cov_problems = editor.value()
            coverages.append(cov)
            problems += [FieldError(f"coverages[{i}].{e.field}", e.problem) for e in cov_problems]
        return patient, coverages, problems

    def save(self) -> bool:
        """Save what is typed; on failure mark the bad fields, list them and keep the text."""
        for w in [*self.fields.values(),
                  *(w for e in self.coverage_editors() for w in e.fields.values())]:
            mark_field(w, None)
        patient, coverages, problems = self._collect()
        try:  # the service's own checks too, so every problem is shown at once
            services.check_patient(patient, coverages)
        except ValidationFailed as exc:
            seen = {e.field for e in problems}
            # a date the form could not read is already reported; "is required" would repeat it
            problems += [e for e in exc.errors if e.field not in seen]
        if problems:
            self._show_problems(problems)
            return False
        is_new = self.patient_id is None

        def _save(session) -> str:
            if is_new:
                patient.id = services.new_id(session, "patient")
            return services.save_patient(session, actor=self.ctx.actor, data=patient,
                                         coverages=coverages).id

        try:
            saved_id = WriteOp(self.ctx, _save).run()
        except Exception as exc:
            if is_new:
                patient.id = "new"
            errors = field_errors(exc)
            if errors:
                self._show_problems(errors)
            else:
                show_error(self, exc)
            return False
        self.patient_id = saved_id
        self.patient_saved.emit(saved_id)
        return True

    def _show_problems(self, problems: list[FieldError]) -> None:
        lines: list[str] = []
        first_tab = None
        for err in problems:
            m = re.fullmatch(r"coverages\[(\d+)\]\.(\w+)", err.field)
            if m:
                i = int(m.group(1))
                editors = self.coverage_editors()
                editor = editors[i] if i < len(editors) else None
                fields = editor.fields if editor else {}
                where = self.coverage_tabs.tabText(i) if editor else f"Coverage {i + 1}"
                first_tab = i if first_tab is None else first_tab
                lines += [f"Coverage “{where}” – {line_}" for line_ in apply_field_errors(
                    fields, [FieldError(m.group(2), err.problem)], LABELS)]
            else:
                lines += apply_field_errors(self.fields, [err], LABELS)
        if first_tab is not None:
            self.coverage_tabs.setCurrentIndex(first_tab)
        self.error_label.setText("Not saved. Please correct:\n• " + "\n• ".join(lines))
        self.error_label.show()


def new_patient(ctx: AppContext, parent: QWidget | None) -> str | None:
    """Open the form for a new patient; the new patient's id, or None when cancelled."""
    dialog = PatientDialog(ctx, None, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.patient_id
    return None


def edit_patient(ctx: AppContext, parent: QWidget | None, patient_id: str) -> bool:
    """Open the patient's form (also used to fix coverage reasons R3/R4); True when saved."""
    dialog = PatientDialog(ctx, patient_id, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted

