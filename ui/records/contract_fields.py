"""The payer form's contract (R29-R32): per diem basis, the suite's place of service, the
line layout and the payer's price list, in a group beside the payer's details. The defaults
(infusion days, 12, runs, no prices) bill as Part 1 of the rule book."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout

from models import vocab
from ui.records.price_list import PriceListEditor
from ui.records.reference_form import RecordDialog

LABELS = {"per_diem_basis": "Per diem basis", "suite_place_of_service": "Suite place of service",
          "line_layout": "Claim lines", "rates": "Price list"}
TIPS = {
    "per_diem_basis": "R29: infusion days bill a day a dose was given (R1); access days bill "
                      "every day on service from the first dose, for orders dosed every 1 to 3 "
                      "days (the order's dosing interval)",
    "suite_place_of_service": "R30: a day given in the infusion suite is billed at place 12 "
                              "with modifier SS, or at place of service 49 without SS",
    "line_layout": "R31: a line per run of consecutive days (R20), or one line per order and "
                   "modifiers for the month",
}


class ContractFields:
    """The contract's widgets on `dialog` (registered as its fields, so a refused save marks
    them), laid out as a column to the right of the dialog's form."""

    def __init__(self, dialog: RecordDialog, payer: Any = None) -> None:
        group = QGroupBox("Contract (R29-R32)", dialog)
        group.setObjectName("contract")
        form = QFormLayout(group)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        self.combos: dict[str, QComboBox] = {}
        for name, label, values in (
                ("per_diem_basis", "Per diem &basis", vocab.PER_DIEM_BASES),
                ("suite_place_of_service", "Suite &place of service", vocab.SUITE_PLACES),
                ("line_layout", "Claim &lines", vocab.LINE_LAYOUTS)):
            combo = QComboBox(dialog)
            for value, text in values.items():
                combo.addItem(text, value)
            combo.setToolTip(TIPS[name])
            # each choice whole ("access days (every day on service, NHIA)"), never cut
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            dialog.add_field(name, label, combo, form)
            self.combos[name] = combo
        self.rates = PriceListEditor((("code", "Code"), ("rate", "Rate"),
                                      ("expected", "Expected")), dialog, tip=(
            "R32: the payer's price a unit per HCPCS or CPT code wins over the order's per "
            "diem rate and the drug's unit charge; the expected amount (optional) is kept "
            "beside each claim line and counted as the month's expected revenue"))
        dialog.add_field("rates", "P&rices", self.rates, form)
        note = QLabel("Codes without a price here are charged at the order's rate, else at "
                      "the pharmacy's price list.", group)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        form.addRow(note)
        dialog.labels = {**dialog.labels, **LABELS}
        if payer is not None:
            for name, combo in self.combos.items():
                combo.setCurrentIndex(max(combo.findData(getattr(payer, name)), 0))
            self.rates.set_items(payer.rates or [])

        outer = dialog.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeItem(dialog.form)
        columns = QHBoxLayout()
        columns.setSpacing(20)
        columns.addLayout(dialog.form, 1)
        right = QVBoxLayout()
        right.addWidget(group)
        right.addStretch(1)
        columns.addLayout(right, 1)
        outer.insertLayout(0, columns)
        # both columns whole on a 1366x768 laptop: the left's labels ("Claim filing
        # indicator") and choices, the right's contract choices
        dialog.setMinimumWidth(1120)

    def values(self) -> dict[str, Any]:
        return {**{name: combo.currentData() for name, combo in self.combos.items()},
                "rates": self.rates.items()}
