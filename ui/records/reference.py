"""Payers and prescribers: their forms and the lists (Edit ▸ Payers…, Edit ▸ Prescribers…)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.claims.claim import filing_indicator
from models.records import reference, registry
from models.records.changes import Changes
from models.records.checks import check_payer, check_prescriber
from models.records.rows import new_id
from models.records.tables import PayerBase, PrescriberBase
from models.validation import MODIFIER_RE, PAYER_ID_RE, PHONE_RE
from models.vocab import (
    CLAIM_FILING_INDICATORS,
    DEFAULT_FILING_INDICATOR,
    PAYER_KINDS,
    payer_kind_label,
)
from ui.forms.kit import digits, live_check, named_line, pattern_problem, upper_case
from ui.records.contract_fields import ContractFields
from ui.records.reference_form import (
    RecordDialog,
    address_fields,
    address_values,
    live_npi,
    phone_text,
)
from ui.shell.context import AppContext

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class PayerDialog(RecordDialog):
    """A payer: how it is billed, whether it needs prior authorization, extra modifiers, and
    its contract (R29-R32, ui/records/contract_fields.py)."""

    labels = {"name": "Name", "payer_id": "Payer ID", "kind": "Kind",
              "claim_filing_indicator": "Claim filing indicator",
              "per_diem_modifiers": "Per diem modifiers", "address_line1": "Address"}

    def __init__(self, ctx: AppContext, payer_id: str | None = None,
                 parent: QWidget | None = None):
        payer = ctx.read(lambda s: reference.get_payer(s, payer_id)) if payer_id else None
        super().__init__(ctx, f"Payer – {payer.name}" if payer else "New payer", parent)
        self.payer_id = payer_id
        self.name = self.add_field("name", "&Name", named_line(self, 60, "name"))
        self.claim_id = self.add_field("payer_id", "&Payer ID", named_line(self, 80, "payer_id"))
        self.claim_id.setToolTip("The id the clearinghouse uses for this payer on claims")
        self.kind = QComboBox(self)
        for code in PAYER_KINDS:
            self.kind.addItem(payer_kind_label(code), code)
        self.add_field("kind", "&Kind", self.kind)
        # R33: SBR09 / CMS-1500 box 1; "the kind's default" until one is chosen
        self.filing = QComboBox(self)
        self.filing.addItem("", None)
        for code, label in CLAIM_FILING_INDICATORS.items():
            self.filing.addItem(label, code)
        self.add_field("claim_filing_indicator", "Claim &filing indicator", self.filing)
        self.kind.currentIndexChanged.connect(
            lambda _i: self._on_kind_changed(self.kind.currentData()))
        self._on_kind_changed(self.kind.currentData())
        self.prior_auth = QCheckBox("Requires prior &authorization (rule R5)", self)
        self.add_field("requires_prior_auth", "", self.prior_auth)
        self.modifiers = self.add_field("per_diem_modifiers", "Per diem &modifiers",
                                        named_line(self, 20, "per_diem_modifiers"))
        self.modifiers.setPlaceholderText("up to two, e.g. SH or SH, SJ")
        upper_case(self.modifiers)
        live_check(self.modifiers, lambda: self._modifier_problem())
        live_check(self.claim_id, lambda: pattern_problem(
            self.claim_id.text().strip(), PAYER_ID_RE, "is 2-80 letters or digits"))
        self.address = address_fields(self)
        self.contract = ContractFields(self, payer)
        if payer:
            self.name.setText(payer.name)
            self.claim_id.setText(payer.payer_id)
            self.kind.setCurrentIndex(max(self.kind.findData(payer.kind), 0))
            self.filing.setCurrentIndex(max(self.filing.findData(payer.claim_filing_indicator), 0))
            self.prior_auth.setChecked(payer.requires_prior_auth)
            self.modifiers.setText(", ".join(payer.per_diem_modifiers))
            for key, widget in self.address.items():
                widget.setText(getattr(payer, key) or "")
        self.name.setFocus()

    def _on_kind_changed(self, kind: str) -> None:
        """The blank choice names the kind's default (R33); `other` has none and must choose."""
        default = DEFAULT_FILING_INDICATOR.get(kind)
        self.filing.setItemText(0, f"the kind's default: {CLAIM_FILING_INDICATORS[default]}"
                                if default else "none: claims are refused until one is chosen")

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
            kind=self.kind.currentData(),
            claim_filing_indicator=self.filing.currentData(),
            requires_prior_auth=self.prior_auth.isChecked(),
            per_diem_modifiers=self._modifier_list(),
            **address_values(self.address),
            **self.contract.values(),
        )

    def check(self, data: PayerBase) -> None:
        check_payer(data)

    def write(self, session: Session, data: PayerBase) -> str:
        if self.payer_id is None:
            data = data.model_copy(update={"id": new_id(session, registry.PAYER)})
        saved = reference.save_payer(session, actor=self.ctx.actor, data=data)
        self.payer_id = saved.id
        return saved.id


class PrescriberDialog(RecordDialog):
    """A prescriber: name, NPI (checked as it is typed) and phone."""

    labels = {"first_name": "First name", "last_name": "Last name", "npi": "NPI",
              "phone": "Phone"}

    def __init__(self, ctx: AppContext, prescriber_id: str | None = None,
                 parent: QWidget | None = None):
        doc = (ctx.read(lambda s: reference.get_prescriber(s, prescriber_id))
               if prescriber_id else None)
        super().__init__(ctx, f"Prescriber – {doc.display_name}" if doc else "New prescriber",
                         parent)
        self.prescriber_id = prescriber_id
        self.first_name = self.add_field("first_name", "&First name",
                                         named_line(self, 60, "first_name"))
        self.last_name = self.add_field("last_name", "&Last name",
                                        named_line(self, 60, "last_name"))
        self.npi = self.add_field("npi", "&NPI", named_line(self, 10, "npi"))
        self.npi.setPlaceholderText("10 digits")
        live_npi(self.npi)
        self.phone = self.add_field("phone", "&Phone", named_line(self, 14, "phone"))
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
        check_prescriber(data)

    def write(self, session: Session, data: PrescriberBase) -> str:
        if self.prescriber_id is None:
            data = data.model_copy(update={"id": new_id(session, registry.PRESCRIBER)})
        saved = reference.save_prescriber(session, actor=self.ctx.actor, data=data)
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
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)  # an elided name shows whole on hover
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
    ("Kind", lambda p: payer_kind_label(p.kind)),
    ("Filing (SBR09)", lambda p: filing_indicator(p) or "none: choose one"),
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
        self.resize(820, 420)  # long payer names whole at 1366x768 (issue 16)
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
        fn = reference.list_payers if self.kind == "payer" else reference.list_prescribers
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
