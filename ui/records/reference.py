"""Reference data dialogs: the pharmacy's own settings, payers and prescribers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.errors import FieldError, ValidationFailed
from models.records import services
from models.records.services import X12_ID_RE, Changes
from models.records.tables import PayerBase, PharmacyBase, PrescriberBase
from models.validation import (
    MODIFIER_RE,
    PAYER_ID_RE,
    PHONE_RE,
    STATE_RE,
    TAX_ID_RE,
    TAXONOMY_RE,
    ZIP_RE,
    npi_problem,
)
from ui.common import GuardedDialog, apply_field_errors, field_errors, mark_field, show_error
from ui.forms.patient_form import compact, digits, line, live_check, pattern_problem, upper_case
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAYER_KINDS = ("commercial", "medicaid", "medicare", "other")


def phone_text(phone: str | None) -> str:
    if phone and len(phone) == 10:
        return f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"
    return phone or ""


def live_npi(edit: QLineEdit) -> None:
    """Check the NPI's length and Luhn check digit as it is typed; a short number is only
    marked once the field is left."""

    def _problem() -> str | None:
        text = edit.text().strip()
        if not text:
            return None
        return npi_problem(text)

    def _on_changed(text: str) -> None:
        text = text.strip()
        if not text or len(text) >= 10 or not text.isdigit():
            mark_field(edit, _problem())
        else:
            mark_field(edit, None)

    edit.textChanged.connect(_on_changed)
    edit.editingFinished.connect(lambda: mark_field(edit, _problem()))


# --- one record's form ----------------------------------------------------------------------


class RecordDialog(GuardedDialog):
    """A reference-data form: fields in a column, problems listed under it, Save and Cancel.

    Subclasses add fields and say how to build, check and save the record. A failed save marks
    each bad field, lists the problems and keeps everything typed.
    """

    record_saved = Signal(str)
    labels: dict[str, str] = {}

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formErrors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b03a2e;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.cancel)

    def add_field(self, name: str, label: str, widget: QWidget,
                  form: QFormLayout | None = None) -> QWidget:
        self.fields[name] = widget
        if widget.objectName() == "":
            widget.setObjectName(name)
        (form or self.form).addRow(label, widget)
        return widget

    # subclasses: the record as typed, the service's checks on it, and the write
    def build(self) -> Any:
        raise NotImplementedError

    def check(self, data: Any) -> None:
        raise NotImplementedError

    def write(self, session: Session, data: Any) -> str:
        raise NotImplementedError

    def save(self) -> bool:
        for w in self.fields.values():
            mark_field(w, None)
        data = self.build()
        try:
            self.check(data)
        except ValidationFailed as exc:
            self.show_problems(exc.errors)
            return False
        try:
            saved = WriteOp(self.ctx, lambda s: self.write(s, data)).run()
        except Exception as exc:
            errors = field_errors(exc)
            if errors:
                self.show_problems(errors)
            else:
                show_error(self, exc)
            return False
        self.error_label.hide()
        self.record_saved.emit(saved)
        return True

    def show_problems(self, errors: list[FieldError]) -> None:
        lines = apply_field_errors(self.fields, errors, self.labels)
        self.error_label.setText("Not saved. Please correct:\n• " + "\n• ".join(lines))
        self.error_label.show()
        first = next((self.fields[e.field] for e in errors if e.field in self.fields), None)
        if first is not None:
            first.setFocus()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self.save():
            self.accept()


def _address_fields(dialog: RecordDialog) -> dict[str, QLineEdit]:
    line1 = dialog.add_field("address_line1", "&Address", line(dialog, 55, "address_line1"))
    line2 = dialog.add_field("address_line2", "Address line &2", line(dialog, 55, "address_line2"))
    city = dialog.add_field("city", "&City", line(dialog, 30, "city"))
    state = dialog.add_field("state", "S&tate", line(dialog, 2, "state"))
    state.setMaximumWidth(60)
    upper_case(state)
    zip_ = dialog.add_field("zip", "&ZIP", line(dialog, 10, "zip"))
    zip_.setMaximumWidth(140)
    live_check(state, lambda: pattern_problem(state.text().strip(), STATE_RE,
                                              "is two capital letters, e.g. IL"))
    live_check(zip_, lambda: pattern_problem(compact(zip_.text()), ZIP_RE, "is 5 or 9 digits"))
    return {"address_line1": line1, "address_line2": line2, "city": city, "state": state,
            "zip": zip_}


def _address_values(fields: dict[str, QLineEdit]) -> dict[str, str | None]:
    return {
        "address_line1": fields["address_line1"].text().strip() or None,
        "address_line2": fields["address_line2"].text().strip() or None,
        "city": fields["city"].text().strip() or None,
        "state": fields["state"].text().strip().upper() or None,
        "zip": compact(fields["zip"].text()) or None,
    }


USAGE_INDICATORS = (("T", "Test (T): the clearinghouse only checks the files"),
                    ("P", "Production (P): the claims go to the payers"))
X12_ID_HINT = "is 2-15 letters, digits or - . (no ~ * : ^)"
QUALIFIER_RE = re.compile(r"^[0-9A-Z]{2}$")


class PharmacyDialog(RecordDialog):
    """The pharmacy's own settings, printed on every claim and packet, and the clearinghouse
    that receives its 837P files."""

    labels = {"name": "Pharmacy name", "npi": "NPI", "tax_id": "Tax ID (EIN)",
              "taxonomy": "Taxonomy code", "address_line1": "Address", "city": "City",
              "state": "State", "zip": "ZIP", "phone": "Phone",
              "submitter_id": "Submitter ID", "submitter_id_qualifier": "Submitter qualifier",
              "submitter_name": "Submitter name", "submitter_contact_name": "Contact name",
              "submitter_contact_phone": "Contact phone", "receiver_id": "Receiver ID",
              "receiver_id_qualifier": "Receiver qualifier", "receiver_name": "Receiver name",
              "usage_indicator": "Usage"}
    CLEARINGHOUSE_TEXT = ("submitter_id", "submitter_id_qualifier", "submitter_name",
                          "submitter_contact_name", "receiver_id", "receiver_id_qualifier",
                          "receiver_name")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "Pharmacy settings", parent)
        intro = QLabel("These details appear on every claim and documentation packet.", self)
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.name = self.add_field("name", "Pharmacy &name", line(self, 60, "name"))
        self.npi = self.add_field("npi", "&NPI", line(self, 10, "npi"))
        live_npi(self.npi)
        self.tax_id = self.add_field("tax_id", "Tax &ID (EIN)", line(self, 10, "tax_id"))
        self.tax_id.setPlaceholderText("9 digits")
        self.taxonomy = self.add_field("taxonomy", "Ta&xonomy code", line(self, 10, "taxonomy"))
        self.taxonomy.setPlaceholderText("e.g. 3336H0001X (home infusion pharmacy)")
        upper_case(self.taxonomy)
        self.address = _address_fields(self)
        self.phone = self.add_field("phone", "&Phone", line(self, 14, "phone"))
        self.phone.setPlaceholderText("10 digits")
        live_check(self.tax_id, lambda: pattern_problem(
            compact(self.tax_id.text()), TAX_ID_RE,
            "is the 9-digit employer identification number"))
        live_check(self.taxonomy, lambda: pattern_problem(
            self.taxonomy.text().strip(), TAXONOMY_RE,
            "is 10 characters ending in X, e.g. 3336H0001X"))
        live_check(self.phone, lambda: pattern_problem(
            digits(self.phone.text()), PHONE_RE, "is 10 digits"))
        self._build_clearinghouse()
        self.existing = ctx.read(services.get_pharmacy)
        if self.existing:
            p = self.existing
            self.name.setText(p.name)
            self.npi.setText(p.npi)
            self.tax_id.setText(p.tax_id)
            self.taxonomy.setText(p.taxonomy or "")
            for key, widget in self.address.items():
                widget.setText(getattr(p, key) or "")
            self.phone.setText(p.phone or "")
            for key in self.CLEARINGHOUSE_TEXT:
                self.fields[key].setText(getattr(p, key) or "")
            self.contact_phone.setText(p.submitter_contact_phone or "")
            self.usage.setCurrentIndex(max(self.usage.findData(p.usage_indicator or "T"), 0))
        self.name.setFocus()

    def _build_clearinghouse(self) -> None:
        """The 837P envelope's submitter and receiver, in a group beside the pharmacy's
        details; every field may stay blank."""
        group = QGroupBox("Clearinghouse (837P)", self)
        group.setObjectName("clearinghouse")
        form = QFormLayout(group)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        note = QLabel("Only needed once a clearinghouse is set up. Blank fields default to the "
                      "pharmacy (its NPI as submitter ID, its name and phone) and to each "
                      "claim's payer (its payer ID as receiver ID).", group)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        form.addRow(note)

        def text_field(name: str, label: str, size: int, placeholder: str,
                       hint: str | None = None, regex: re.Pattern | None = None,
                       upper: bool = False) -> QLineEdit:
            edit = self.add_field(name, label, line(self, size, name), form)
            edit.setPlaceholderText(placeholder)
            if upper:
                upper_case(edit)
            if regex is not None and hint is not None:
                live_check(edit, lambda: pattern_problem(edit.text().strip(), regex, hint))
            return edit

        text_field("submitter_id", "Su&bmitter ID", 15, "blank: the pharmacy's NPI",
                   X12_ID_HINT, X12_ID_RE)
        qualifier = text_field("submitter_id_qualifier", "Submitter &qualifier", 2,
                               "ZZ", "is two characters, e.g. ZZ", QUALIFIER_RE, upper=True)
        qualifier.setMaximumWidth(80)
        qualifier.setToolTip("ISA05: ZZ (mutually defined) unless the clearinghouse says "
                             "otherwise")
        text_field("submitter_name", "Submitter na&me", 60, "blank: the pharmacy's name")
        text_field("submitter_contact_name", "C&ontact name", 60,
                   "blank: the pharmacy's name")
        self.contact_phone = text_field("submitter_contact_phone", "Contact p&hone", 14,
                                        "blank: the pharmacy's phone")
        live_check(self.contact_phone, lambda: pattern_problem(
            digits(self.contact_phone.text()), PHONE_RE, "is 10 digits"))
        text_field("receiver_id", "&Receiver ID", 15, "blank: each claim's payer ID",
                   X12_ID_HINT, X12_ID_RE)
        qualifier = text_field("receiver_id_qualifier", "Receiver q&ualifier", 2, "ZZ",
                               "is two characters, e.g. ZZ", QUALIFIER_RE, upper=True)
        qualifier.setMaximumWidth(80)
        qualifier.setToolTip("ISA07: ZZ (mutually defined) unless the clearinghouse says "
                             "otherwise")
        text_field("receiver_name", "Recei&ver name", 60, "blank: the receiver ID or payer")
        self.usage = QComboBox(self)
        for value, label in USAGE_INDICATORS:
            self.usage.addItem(label, value)
        self.usage.setToolTip("ISA15: send test files until the clearinghouse approves "
                              "production")
        self.add_field("usage_indicator", "Usa&ge", self.usage, form)

        # the pharmacy's details on the left, the clearinghouse on the right
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeItem(self.form)
        columns = QHBoxLayout()
        columns.setSpacing(20)
        columns.addLayout(self.form, 1)
        columns.addWidget(group, 1, Qt.AlignmentFlag.AlignTop)
        outer.insertLayout(0, columns)
        self.setMinimumWidth(900)

    def build(self) -> PharmacyBase:
        # settings this form does not show (the clearinghouse's) are kept as they are
        kept = self.existing.model_dump(exclude={"id"}) if self.existing else {}
        return PharmacyBase.model_construct(**{
            **kept,
            "name": self.name.text().strip(),
            "npi": self.npi.text().strip(),
            "tax_id": compact(self.tax_id.text()),
            "taxonomy": self.taxonomy.text().strip().upper() or None,
            **_address_values(self.address),
            "phone": digits(self.phone.text()) or None,
            **{key: self.fields[key].text().strip() or None
               for key in self.CLEARINGHOUSE_TEXT},
            "submitter_id_qualifier":
                self.fields["submitter_id_qualifier"].text().strip().upper() or None,
            "receiver_id_qualifier":
                self.fields["receiver_id_qualifier"].text().strip().upper() or None,
            "submitter_contact_phone": digits(self.contact_phone.text()) or None,
            "usage_indicator": self.usage.currentData(),
        })

    def check(self, data: PharmacyBase) -> None:
        services.check_pharmacy(data)

    def write(self, session: Session, data: PharmacyBase) -> str:
        return services.save_pharmacy(session, actor=self.ctx.actor, data=data).name


class PayerDialog(RecordDialog):
    """A payer: how it is billed, whether it needs prior authorization, extra modifiers."""

    labels = {"name": "Name", "payer_id": "Payer ID", "kind": "Kind",
              "per_diem_modifiers": "Per diem modifiers", "address_line1": "Address"}

    def __init__(self, ctx: AppContext, payer_id: str | None = None,
                 parent: QWidget | None = None):
        payer = ctx.read(lambda s: services.get_payer(s, payer_id)) if payer_id else None
        super().__init__(ctx, f"Payer – {payer.name}" if payer else "New payer", parent)
        self.payer_id = payer_id
        self.name = self.add_field("name", "&Name", line(self, 60, "name"))
        self.claim_id = self.add_field("payer_id", "&Payer ID", line(self, 80, "payer_id"))
        self.claim_id.setToolTip("The id the clearinghouse uses for this payer on claims")
        self.kind = QComboBox(self)
        self.kind.addItems(PAYER_KINDS)
        self.add_field("kind", "&Kind", self.kind)
        self.prior_auth = QCheckBox("Requires prior &authorization (rule R5)", self)
        self.add_field("requires_prior_auth", "", self.prior_auth)
        self.modifiers = self.add_field("per_diem_modifiers", "Per diem &modifiers",
                                        line(self, 20, "per_diem_modifiers"))
        self.modifiers.setPlaceholderText("up to two, e.g. SH or SH, SJ")
        upper_case(self.modifiers)
        live_check(self.modifiers, lambda: self._modifier_problem())
        live_check(self.claim_id, lambda: pattern_problem(
            self.claim_id.text().strip(), PAYER_ID_RE, "is 2-80 letters or digits"))
        self.address = _address_fields(self)
        if payer:
            self.name.setText(payer.name)
            self.claim_id.setText(payer.payer_id)
            self.kind.setCurrentText(payer.kind)
            self.prior_auth.setChecked(payer.requires_prior_auth)
            self.modifiers.setText(", ".join(payer.per_diem_modifiers))
            for key, widget in self.address.items():
                widget.setText(getattr(payer, key) or "")
        self.name.setFocus()

    def _modifier_list(self) -> list[str]:
        return [m for m in re.split(r"[\s,;]+", self.modifiers.text().strip().upper()) if m]

    def _modifier_problem(self) -> str | None:
        mods = self._modifier_list()
        if len(mods) > 2:
            return "holds at most two modifiers"
        bad = [m for m in mods if not MODIFIER_RE.fullmatch(m)]
        return f'"{bad[0]}" is not a two-character modifier' if bad else None

    def build(self) -> PayerBase:
        return PayerBase.model_construct(
            id=self.payer_id or "new",
            name=self.name.text().strip(),
            payer_id=self.claim_id.text().strip(),
            kind=self.kind.currentText(),
            requires_prior_auth=self.prior_auth.isChecked(),
            per_diem_modifiers=self._modifier_list(),
            **_address_values(self.address),
        )

    def check(self, data: PayerBase) -> None:
        services.check_payer(data)

    def write(self, session: Session, data: PayerBase) -> str:
        if self.payer_id is None:
            data = data.model_copy(update={"id": services.new_id(session, "payer")})
        saved = services.save_payer(session, actor=self.ctx.actor, data=data)
        self.payer_id = saved.id
        return saved.id


class PrescriberDialog(RecordDialog):
    """A prescriber: name, NPI (checked as it is typed) and phone."""

    labels = {"first_name": "First name", "last_name": "Last name", "npi": "NPI",
              "phone": "Phone"}

    def __init__(self, ctx: AppContext, prescriber_id: str | None = None,
                 parent: QWidget | None = None):
        doc = (ctx.read(lambda s: services.get_prescriber(s, prescriber_id))
               if prescriber_id else None)
        super().__init__(ctx, f"Prescriber – {doc.display_name}" if doc else "New prescriber",
                         parent)
        self.prescriber_id = prescriber_id
        self.first_name = self.add_field("first_name", "&First name",
                                         line(self, 60, "first_name"))
        self.last_name = self.add_field("last_name", "&Last name", line(self, 60, "last_name"))
        self.npi = self.add_field("npi", "&NPI", line(self, 10, "npi"))
        self.npi.setPlaceholderText("10 digits")
        live_npi(self.npi)
        self.phone = self.add_field("phone", "&Phone", line(self, 14, "phone"))
        self.phone.setPlaceholderText("10 digits")
        live_check(self.phone, lambda: pattern_problem(
            digits(self.phone.text()), PHONE_RE, "is 10 digits"))
        if doc:
            self.first_name.setText(doc.first_name)
            self.last_name.setText(doc.last_name)
            self.npi.setText(doc.npi)
            self.phone.setText(doc.phone or "")
        self.first_name.setFocus()

    def build(self) -> PrescriberBase:
        return PrescriberBase.model_construct(
            id=self.prescriber_id or "new",
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            npi=self.npi.text().strip(),
            phone=digits(self.phone.text()) or None,
        )

    def check(self, data: PrescriberBase) -> None:
        services.check_prescriber(data)

    def write(self, session: Session, data: PrescriberBase) -> str:
        if self.prescriber_id is None:
            data = data.model_copy(update={"id": services.new_id(session, "prescriber")})
        saved = services.save_prescriber(session, actor=self.ctx.actor, data=data)
        self.prescriber_id = saved.id
        return saved.id


# --- lists ----------------------------------------------------------------------------------

Column = tuple[str, Callable[[Any], str]]


class ReferenceTableModel(QAbstractTableModel):
    """Read objects as rows, one column per (header, text function)."""

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if role == ID_ROLE:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section][0]
        return None


PAYER_COLUMNS: list[Column] = [
    ("Name", lambda p: p.name),
    ("Payer ID", lambda p: p.payer_id),
    ("Kind", lambda p: p.kind.capitalize()),
    ("Prior auth", lambda p: "Required" if p.requires_prior_auth else "No"),
    ("Modifiers", lambda p: ", ".join(p.per_diem_modifiers)),
]
PRESCRIBER_COLUMNS: list[Column] = [
    ("Name", lambda d: d.display_name),
    ("NPI", lambda d: d.npi),
    ("Phone", lambda d: phone_text(d.phone)),
]


class ReferenceListDialog(QDialog):
    """A list of payers or prescribers with New and Edit; each opens its own form."""

    def __init__(self, ctx: AppContext, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        plural = {"payer": "Payers", "prescriber": "Prescribers"}[kind]
        self.setWindowTitle(plural)
        self.resize(720, 420)
        self.model = ReferenceTableModel(
            PAYER_COLUMNS if kind == "payer" else PRESCRIBER_COLUMNS, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, self.model.columnCount()):
            self.view.horizontalHeader().setSectionResizeMode(
                c, QHeaderView.ResizeMode.ResizeToContents)
        self.new_button = QPushButton(f"&New {kind}…", self)
        self.edit_button = QPushButton("&Edit…", self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.editor: RecordDialog | None = None

        self.new_button.clicked.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.view.activated.connect(lambda _i: self._on_edit_clicked())
        close.rejected.connect(self.reject)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    def reload(self) -> None:
        fn = services.list_payers if self.kind == "payer" else services.list_prescribers
        self.model.set_rows(self.ctx.read(fn))
        self.edit_button.setEnabled(self.model.rowCount() > 0)
        if self.model.rowCount():
            self.view.selectRow(0)

    def open_editor(self, record_id: str | None) -> RecordDialog:
        """Open the form window-modal without blocking (so tests can type into it)."""
        cls = PayerDialog if self.kind == "payer" else PrescriberDialog
        self.editor = cls(self.ctx, record_id, self)
        self.editor.open()
        return self.editor

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if changes.touches(self.kind):
            self.reload()

    @Slot()
    def _on_new_clicked(self) -> None:
        self.open_editor(None)

    @Slot()
    def _on_edit_clicked(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.open_editor(rows[0].data(ID_ROLE))

