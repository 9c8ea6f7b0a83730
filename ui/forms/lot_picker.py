"""R28: the MAR form's "Lot" picker: the preparation notes of the entry's order that cover its
date (models/records/clinical.lots_for), each shown with its lot number and beyond-use date
(and hour); the first choice names no lot, which is allowed (R9/R10 then read as in Part 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QComboBox

from models.records.clinical import lot_text, lots_for

NO_LOT = "(no lot named)"


class LotPicker(QComboBox):
    """The lot an infusion was given from; its current data is the note's id (None: none)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(28)
        self.setToolTip("The preparation (lot) this dose was given from: the order's "
                        "preparation notes covering the entry's date, with their beyond-use "
                        "date. Leave it empty when the lot is not known.")
        self.show_notes([])

    def show_notes(self, notes: list[Any], selected: str | None = None) -> None:
        """Offer `notes`; keep `selected` chosen when it is one of them, else no lot."""
        self.blockSignals(True)
        self.clear()
        self.addItem(NO_LOT, None)
        for note in notes:
            self.addItem(lot_text(note), note.id)
        index = self.findData(selected) if selected else 0
        self.setCurrentIndex(max(index, 0))
        self.blockSignals(False)

    def refresh(self, ctx: Any, order_id: str | None, day: dt.date | None,
                keep: str | None = None) -> None:
        """Read the notes covering `day` for `order_id` (one order's notes: a quick read) and
        keep the lot picked, or `keep`, when it is still offered (an old entry's lot always
        is)."""
        selected = keep if keep is not None else self.currentData()
        if not order_id or day is None:
            self.show_notes([])
            return
        self.show_notes(ctx.read(lambda s: lots_for(s, order_id, day, keep)), selected)
