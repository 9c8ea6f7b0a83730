"""Add or edit a patient and the patient's insurance coverages (one tab each, coverage.py); the
typed-entry helpers it shares with the reference forms are in kit.py."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models import vocab
from models.errors import FieldError, ValidationFailed
from models.records import reference, registry
from models.records.checks import check_patient
from models.records.rows import new_id
from models.records.tables import CoverageBase, PatientBase, PatientRead, PayerRead
from models.server import ServerAway
from models.validation import PHONE_RE, STATE_RE, ZIP_RE
from ui.common import (
    DateField,
    GuardedDialog,
    apply_field_errors,
    ask_retry,
    field_errors,
    mark_field,
    show_error,
)
from ui.forms.coverage import CoverageEditor
from ui.forms.kit import compact, digits, live_check, named_line, pattern_problem, upper_case
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

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
    "employer_claim_number": "Employer claim number", "injury_date": "Injury date",
}


class PatientDialog(GuardedDialog):
    """The patient form. Nothing typed is lost when saving fails: the problems are marked on
    their fields and listed under the form."""

    patient_saved = Signal(str)

    def __init__(self, ctx: AppContext, patient_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.payers: list[PayerRead] = ctx.read(reference.list_payers)
        patient: PatientRead | None = (
            ctx.read(lambda s: reference.get_patient(s, patient_id)) if patient_id else None)
        self.setWindowTitle(f"Edit patient – {patient.display_name}" if patient
                            else "New patient")
        self.setMinimumWidth(720)

        box = QGroupBox("Patient", self)
        self.first_name = named_line(box, 60, "first_name")
        self.last_name = named_line(box, 60, "last_name")
        self.birth_date = DateField(box, required=True)
        self.birth_date.setObjectName("birth_date")
        self.sex = QComboBox(box)
        self.sex.setObjectName("sex")
        for code, label in vocab.SEXES.items():
            self.sex.addItem(label, code)
        # no silent default: claims print it, so it is chosen on purpose
        self.sex.setPlaceholderText("Choose…")
        self.sex.setCurrentIndex(-1)
        self.address_line1 = named_line(box, 55, "address_line1")
        self.address_line2 = named_line(box, 55, "address_line2")
        self.city = named_line(box, 30, "city")
        self.state = named_line(box, 2, "state")
        self.state.setMaximumWidth(60)
        upper_case(self.state)
        self.zip = named_line(box, 10, "zip")
        self.phone = named_line(box, 14, "phone")
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

    def tab_chain(self) -> list[QWidget]:
        """Tab's path through the form: the patient, then each coverage's fields in reading
        order (a coverage added later too), then the coverage buttons, then Save and Cancel;
        the fields of a coverage not in front are skipped (hidden)."""
        cover: list[QWidget] = []
        for e in self.coverage_editors():
            cover += [e.payer, e.priority, e.member_id, e.group_number, e.start_date,
                      e.end_date, e.relationship, e.sub_first, e.sub_last, e.sub_birth,
                      e.sub_sex, e.employer_claim_number, e.injury_date]
        return [*self.fields.values(), *cover, self.add_coverage_button,
                self.remove_coverage_button, self.save_button,
                self.buttons.button(QDialogButtonBox.StandardButton.Cancel)]

    def _chain_tabs(self) -> None:
        chain = self.tab_chain()
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

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
        self._chain_tabs()  # after every coverage added or removed
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
            check_patient(patient, coverages)
        except ValidationFailed as exc:
            seen = {e.field for e in problems}
            # a date the form could not read is already reported; "is required" would repeat it
            problems += [e for e in exc.errors if e.field not in seen]
        if problems:
            self._show_problems(problems)
            return False
        is_new = self.patient_id is None

        def _save(session: Session) -> str:
            if is_new:
                patient.id = new_id(session, registry.PATIENT)
            return reference.save_patient(session, actor=self.ctx.actor, data=patient,
                                          coverages=coverages).id

        try:
            saved_id = WriteOp(self.ctx, _save).run()
        except Exception as exc:
            if is_new:
                patient.id = "new"
            if isinstance(exc, ServerAway):  # the form stays as typed; Retry saves again
                return self.save() if ask_retry(self, exc) else False
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

