"""R28: the MAR form's "Lot" picker: the preparation notes of the entry's order that cover its
date (models/records/clinical.lots_for), each shown with its lot number and beyond-use date
(and hour); the first choice names no lot, which is allowed (R9/R10 then read as in Part 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QComboBox

from models.records.clinical import late_entry_days, lot_text, lots_for
from models.records.dose import entry_defaults
from ui.shell.workers import run_in_background

NO_LOT = "(no lot named)"


class LotPicker(QComboBox):
    """The lot an infusion was given from; its current data is the note's id (None: none)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)  # the open list shows each lot in full
        self.shown_for: tuple[str | None, dt.date | None] | None = None  # (order, date) shown
        self._wanted: tuple[str | None, dt.date | None] | None = None  # (order, date) asked for
        self._task: Any = None
        self.setToolTip("The preparation (lot) this dose was given from: the order's "
                        "preparation notes covering the entry's date, with their beyond-use "
                        "date. Leave it empty when the lot is not known.")
        self.show_notes([])

    def show_notes(self, notes: list[Any], selected: str | None = None,
                   shown_for: tuple[str | None, dt.date | None] | None = None) -> None:
        """Offer `notes` (those of the order and date `shown_for`); keep `selected` chosen
        when it is one of them, else no lot."""
        self.shown_for = shown_for
        self.blockSignals(True)
        self.clear()
        self.addItem(NO_LOT, None)
        for note in notes:
            self.addItem(lot_text(note), note.id)
        index = self.findData(selected) if selected else 0
        self.setCurrentIndex(max(index, 0))
        self.blockSignals(False)

    def show_read(self, lots: tuple[dt.date | None, list], chosen: str | None,
                  current: str | None) -> bool:
        """Show the lots `read_defaults` read for the order `chosen` (on `lots[0]`), when that
        is the order now `current`; False when it is not (then `refresh`)."""
        if current != chosen:
            return False
        self.show_notes(lots[1], self.currentData(), (chosen, lots[0]))
        return True

    def refresh(self, ctx: Any, order_id: str | None, day: dt.date | None,
                keep: str | None = None) -> None:
        """Read the notes covering `day` for `order_id` (one order's notes: a quick read) and
        keep the lot picked, or `keep`, when it is still offered (an old entry's lot always
        is). Nothing is read when the order and date are those shown (a field losing the
        focus is no change)."""
        if keep is None and (order_id, day) in (self.shown_for, self._wanted):
            return
        selected = keep if keep is not None else self.currentData()
        if not order_id or day is None:
            self._wanted = None
            self.show_notes([], shown_for=(order_id, day))
            return
        wanted = (order_id, day)
        self._wanted = wanted  # a later refresh makes this read's answer stale

        def show(notes: list[Any]) -> None:
            if self._wanted == wanted:
                self.show_notes(notes, selected, wanted)

        # read in the background like every read of the form: never SQL on the GUI thread
        self._task = run_in_background(ctx, lambda s: lots_for(s, order_id, day, keep),
                                       receiver=self, on_result=show)


def read_defaults(s: Any, patient_id: str, day: dt.date | None, selected: str | None,
                  prefill: bool, lot_day: dt.date | None, lot: str | None) -> tuple:
    """What a new MAR entry's defaults read in the background: the pharmacy's R26 setting,
    the orders and prefill (dose.entry_defaults) and, for the order chosen, its lots on
    `lot_day` (R28), so selecting a patient runs no SQL on the GUI thread."""
    defaults = entry_defaults(s, patient_id, day, selected, prefill)
    chosen = defaults[1]
    lots = lots_for(s, chosen, lot_day, lot) if chosen and lot_day else []
    return late_entry_days(s), defaults, (lot_day, lots)
