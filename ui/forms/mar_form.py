"""The infusion log (MAR) entry form, laid out and tab-ordered like the paper MAR so a nurse's
day can be typed without the mouse: Tab through, Enter saves.

A new entry's defaults (the orders in force, the last dose and nurse, the day after the
order's last entry and that entry's times and site: models/records/dose.py)
are read in the background, so choosing a patient or an order never waits for five years of
entries; a default that arrives after the nurse typed in its field leaves what was typed alone.

It is over 400 lines on purpose: the paper MAR is one form (its fields and their Tab order, the
prefill, the waste, the late-entry reason and the dose confirmation of R25 act on each other),
and splitting it would pass its half-typed state between modules.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from models import clock
from models.errors import DomainError, FieldError, ValidationFailed
from models.records import dose as doses
from models.records import registry
from models.records.clinical import infusion_warnings
from models.records.dose import load_prefill, prefill_dose
from models.records.late import LATE_ENTRY_DAYS
from models.records.sanity import DOSE_OUT_OF_RANGE
from models.records.tables import InfusionBase, InfusionRead, OrderRead
from models.security.access import clinical_read
from models.vocab import INFUSION_STATUSES, NOT_GIVEN, SETTINGS
from ui.forms import kit
from ui.forms.framework import RecordForm
from ui.forms.kit import choice, date_field, decimal_field, line, time_field
from ui.forms.late_reason import LateReason
from ui.forms.lot_picker import LotPicker, read_defaults
from ui.records.table_models import plain_decimal
from ui.shell.context import AppContext
from ui.shell.workers import BackgroundTask, run_in_background

Prefill = tuple[list[InfusionRead], str | None]  # the order's entries, its last nurse


def stacked(label: str, widget: QWidget, buddy: bool = True) -> tuple[QVBoxLayout, QLabel]:
    """A field with its caption above it, like a column heading on the paper MAR."""
    caption = QLabel(label)
    caption.setStyleSheet("color: #444; font-weight: 600;")
    if buddy:
        caption.setBuddy(widget)
    box = QVBoxLayout()
    box.setSpacing(3)
    box.addWidget(caption)
    box.addWidget(widget)
    return box, caption


class MarEntryForm(RecordForm[InfusionBase, InfusionRead]):
    """One line of the MAR. New entries start with the day after the order's last entry
    (never after today), its start and end times and site, the patient's only (or
    first) active order, the dose of the order and the nurse who gave the last dose; these
    defaults are read in the background (`loading` meanwhile, `defaults_loaded` after)."""

    defaults_loaded = Signal()

    kind = registry.INFUSION
    title = "Infusion log entry"
    labels = {"date": "Date", "order_id": "Order", "status": "Status", "setting": "Setting",
              "start_time": "Start time", "end_time": "End time", "dose_given": "Dose given",
              "wasted": "Wasted", "administered_by": "Administered by", "site": "Site",
              "reaction": "Reaction", "notes": "Notes", "prep_note": "Lot"}
    # the paper MAR's columns; status and setting (nearly always the same) come last
    TAB_ORDER = ("date", "order_id", "start_time", "end_time", "dose_given", "wasted", "site",
                 "administered_by", "prep_note", "status", "setting", "reaction", "notes")

    def __init__(self, ctx: AppContext, patient_id: str, record: InfusionRead | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self._prefilled_dose = ""
        self._day_shown: dt.date | None = None
        self._task: BackgroundTask | None = None  # the orders (and their prefill)
        self._prefill_task: BackgroundTask | None = None  # another order's prefill
        self._save_when_loaded = False
        self._auto_date = ""  # the date text reset() offered, replaced by the next date
        f = self.add_field
        self.date = f("date", date_field(required=True))
        self.order = f("order_id", choice([], placeholder="No order in force on this date"))
        self.order.setMinimumContentsLength(34)
        self.status = f("status", choice([(s, s) for s in INFUSION_STATUSES]))
        self.setting = f("setting", choice([(text, code) for code, text in SETTINGS.items()]))
        self.start_time = f("start_time", time_field())
        self.end_time = f("end_time", time_field())
        self.dose = f("dose_given", decimal_field())
        self.dose.setMaximumWidth(130)
        self.wasted = f("wasted", decimal_field())
        self.wasted.setMaximumWidth(130)
        self.wasted.setToolTip("What was discarded from a single-dose vial, in the dose unit: "
                               "billed on a JW line (nothing discarded: JZ)")
        self.nurse = f("administered_by", line(60, "nurse's name"))
        self.site = f("site", line(60, "e.g. left forearm"))
        self.site.setMinimumWidth(150)  # beside the nurse and the lot, a site stays readable
        self.reaction = f("reaction", line(4000, "none, or what happened and what was done"))
        self.notes = f("notes", line(4000))
        self.lot = f("prep_note", LotPicker())  # R28: the lot given from
        self.status.setMinimumContentsLength(10)
        self.setting.setMinimumContentsLength(10)

        row1, row2, row3 = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for row in (row1, row2, row3):
            row.setSpacing(12)
        self.captions: dict[str, QLabel] = {}
        place = {"date": (row1, 0), "order_id": (row1, 1), "start_time": (row2, 0),
                 "end_time": (row2, 0), "dose_given": (row2, 0), "wasted": (row2, 0),
                 "site": (row2, 1), "administered_by": (row2, 1), "prep_note": (row2, 1),
                 "status": (row3, 0), "setting": (row3, 0), "reaction": (row3, 1),
                 "notes": (row3, 1)}
        for name in self.TAB_ORDER:
            box, caption = stacked(self.label(name), self.fields[name])
            self.captions[name] = caption
            row, stretch = place[name]
            row.addLayout(box, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        for row in (row1, row2, row3):
            layout.addLayout(row)
        self.late = LateReason(self, LATE_ENTRY_DAYS)  # the setting follows with the orders
        layout.addWidget(self.late.box)
        layout.addWidget(self.message)
        chain = [self.fields[n] for n in self.TAB_ORDER]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

        self.date.editingFinished.connect(self._on_date_edited)
        self.date.editingFinished.connect(self._refresh_lots)
        self.order.currentIndexChanged.connect(self._on_order_changed)
        self.status.currentIndexChanged.connect(self._on_status_changed)
        if record is not None:
            self.load(record)
        else:
            self.reset(order_id=order_id, day=day)

    # -- prefill -------------------------------------------------------------------------

    def reset(self, order_id: str | None = None, day: dt.date | None = None) -> None:
        """A blank new entry for `day` (today); the defaults follow from the background."""
        self.record = None
        for w in (self.start_time, self.end_time, self.dose, self.nurse, self.site,
                  self.reaction, self.notes):
            w.clear()
        self.status.setCurrentIndex(0)
        self.setting.setCurrentIndex(0)
        self.date.set_date(day or clock.today())
        # with no day asked for, the order's next date follows with its entries (prefill)
        self._auto_date, day = ("" if day else self.date.text()), day or clock.today()
        self._prefilled_dose = ""
        self._fill_orders(day, order_id)
        if self.late is not None:
            self.late.clear()
        self.clear_marks()
        self._update_notes_caption()

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id or ""
        self.show_orders(self.order, [])
        self.reset()

    @property
    def loading(self) -> bool:
        return self._task is not None or self._prefill_task is not None

    def save(self) -> bool:
        """Save what is typed. While the orders or the dose for what was just typed are
        still being read, the save waits for them and then runs (Enter is never lost)."""
        if self.loading:
            self._save_when_loaded = True
            self.show_message("Reading the orders and the last dose… the entry is saved then.")
            return False
        return super().save()

    def _loaded(self) -> None:
        self.defaults_loaded.emit()
        if self._save_when_loaded and not self.loading:
            self._save_when_loaded = False
            self.save()

    def refresh_orders(self) -> None:
        """Re-read the orders (one was added or changed) and keep the one picked."""
        day = self.value("date") or clock.today()
        self._fill_orders(None if self.record else day, self.order.currentData(),
                          prefill=False)

    def _fill_orders(self, day: dt.date | None, selected: str | None,
                     prefill: bool = True) -> None:
        """Read the orders (and, per `prefill`, the chosen one's dose and nurse) in the
        background; a read still under way for older input is dropped."""
        for task in (self._task, self._prefill_task):
            if task is not None:
                task.cancel()
        self._task = self._prefill_task = None
        pid = self.patient_id
        if not pid:
            self.show_orders(self.order, [])
            self._day_shown = day
            self._update_dose_caption()
            self._loaded()
            return
        typed = self._typed_defaults()
        lot_day, lot = day or self.value("date"), self.lot.currentData()
        self._task = run_in_background(
            self.ctx, clinical_read(self.ctx.actor, lambda s: read_defaults(
                s, pid, day, selected, prefill, lot_day, lot)),
            receiver=self, on_result=lambda data: self._show_defaults(
                day, selected, prefill, typed, data[0], *data[1], lots=data[2]),
            on_error=self._on_defaults_failed)

    def _show_defaults(self, day: dt.date | None, selected: str | None, prefill: bool,
                       typed: tuple[str, str], late_days: int, orders: list[OrderRead],
                       chosen: str | None, prefill_data: Prefill | None, lots: tuple) -> None:
        self._task = None
        if self.late is not None:
            self.late.set_allowed(late_days)  # R26: the pharmacy's setting
        self.show_orders(self.order, orders, selected)
        if self.order.currentIndex() < 0 and self.order.count():
            self._choose_first_order()  # the first active order: usually the only one
        self._day_shown = day
        self._update_dose_caption()
        if not self.lot.show_read(lots, chosen, self.order.currentData()):
            self._refresh_lots()
        if prefill_data is not None and self.record is None:
            self._apply_prefill(prefill_data, typed)
        elif prefill and chosen is None:
            self._prefilled_dose = ""
        self._loaded()

    def _choose_first_order(self) -> None:
        self.order.blockSignals(True)
        self.order.setCurrentIndex(0)
        self.order.blockSignals(False)

    def _on_defaults_failed(self, exc: Exception) -> None:
        self._task = self._prefill_task = None
        self._save_when_loaded = False
        self.show_message(f"The orders could not be read: {exc}")
        self.defaults_loaded.emit()

    def _typed_defaults(self) -> tuple[str, str]:
        """The dose and nurse as they are when a read of their defaults starts."""
        return self.dose.text(), self.nurse.text()

    def _chosen_order(self) -> OrderRead | None:
        return self.orders.get(self.order.currentData())

    def refresh_prefill(self) -> None:
        """R25: the entries changed (one saved, corrected or voided): read the dose to offer
        again, replacing only a dose still as it was prefilled (never one typed) and filling
        the nurse only when empty."""
        if self.record is not None or self._chosen_order() is None:
            return
        untouched = self.dose.text() == self._prefilled_dose
        nurse = self.nurse.text()
        self._prefill((self.dose.text() if untouched else "\0", "" if not nurse else "\0"))

    def _prefill(self, typed: tuple[str, str] | None = None) -> None:
        """Read the chosen order's last dose and nurse in the background."""
        order = self._chosen_order()
        if order is None:
            self._prefilled_dose = ""
            return
        if self._prefill_task is not None:
            self._prefill_task.cancel()
        typed, order_id = typed or self._typed_defaults(), order.id
        self._prefill_task = run_in_background(
            self.ctx, clinical_read(self.ctx.actor, lambda s: load_prefill(s, order_id)),
            receiver=self,
            on_result=lambda data: self._prefill_loaded(order_id, typed, data),
            on_error=self._on_defaults_failed)

    def _prefill_loaded(self, order_id: str, typed: tuple[str, str], data: Prefill) -> None:
        self._prefill_task = None
        if self.record is None and self.order.currentData() == order_id:
            self._apply_prefill(data, typed)
        self._loaded()

    def _apply_prefill(self, data: Prefill, typed: tuple[str, str]) -> None:
        """Fill the dose and nurse, each only if it still holds what it held when the read
        started: what the nurse typed meanwhile stays."""
        entries, nurse = data
        order = self._chosen_order()
        if order is None:
            return
        self._apply_last_entry(order, entries)
        if typed[0] != "\0":  # a dose typed by hand keeps the offer it replaced
            self._prefilled_dose = plain_decimal(prefill_dose(order, entries))
        if self.dose.text() == typed[0]:
            if self.value("status") in NOT_GIVEN:
                self.dose.clear()
            else:
                self.dose.setText(self._prefilled_dose)
        if self.nurse.text() == typed[1]:
            self.nurse.setText(nurse or "")

    def _apply_last_entry(self, order: OrderRead, entries: list[InfusionRead]) -> None:
        """The day after the order's last entry (never after today), its times and site,
        each only where nothing was typed."""
        if self._auto_date and self.date.text() == self._auto_date:
            self._day_shown = doses.next_entry_date(order, entries, clock.today())
            self.date.set_date(self._day_shown)
            self._auto_date = self.date.text()
        last = doses.last_entry(order, entries)
        for field, value in (() if last is None else (
                (self.start_time, last.start_time and last.start_time.strftime("%H:%M")),
                (self.end_time, last.end_time and last.end_time.strftime("%H:%M")),
                (self.site, last.site))):
            if not field.text() and value:
                field.setText(value)

    def _update_dose_caption(self) -> None:
        order = self._chosen_order()
        unit = order.drug_dose_unit if order and order.drug_dose_unit else ""
        self.captions["dose_given"].setText(f"Dose given ({unit})" if unit else "Dose given")
        self.dose.setPlaceholderText(f"in {unit}" if unit else "")
        self.captions["wasted"].setText(f"Wasted ({unit})" if unit else "Wasted")
        self.wasted.setPlaceholderText(f"in {unit}" if unit else "")

    def _update_notes_caption(self) -> None:
        status = self.value("status")
        caption = self.captions["notes"]
        if status in NOT_GIVEN:
            caption.setText(f"Notes — required: say why the dose was {status}")
            caption.setStyleSheet("color: #8b1a1a; font-weight: 600;")
            self.notes.setPlaceholderText(f"Why was the dose {status}? Who was told?")
        else:
            caption.setText("Notes")
            caption.setStyleSheet("color: #444; font-weight: 600;")
            self.notes.setPlaceholderText("")

    @Slot()
    def _on_date_edited(self) -> None:
        day = self.value("date")
        if self.record is None and day is not None and day != self._day_shown:
            before = self.order.currentData()
            # one patient's orders are a quick read, and the nurse's next key (Enter saves)
            # must find the orders of the date typed; the dose and nurse follow only if the
            # date brings another order, in the background like every prefill
            self.fill_orders(self.order, before, active_on=day, keep_selected=False)
            if self.order.currentIndex() < 0 and self.order.count():
                self._choose_first_order()
            self._day_shown = day
            self._update_dose_caption()
            if self.order.currentData() != before:
                self._prefill()

    @Slot(int)
    def _on_order_changed(self, _index: int) -> None:
        self._update_dose_caption()
        self._refresh_lots()
        if self.record is None:
            self._prefill()

    @Slot(int)
    def _on_status_changed(self, _index: int) -> None:
        if self.value("status") in NOT_GIVEN:
            if self.dose.text() == self._prefilled_dose:
                self.dose.clear()  # an untouched prefilled dose was not given
        elif not self.dose.text() and self.record is None:
            self.dose.setText(self._prefilled_dose)
        self._update_notes_caption()

    # -- record --------------------------------------------------------------------------

    def load(self, record: InfusionRead) -> None:
        self.fill_orders(self.order, record.order_id)  # every order: an old entry may be outside
        for name in self.TAB_ORDER:
            if name not in ("order_id", "prep_note"):
                self.set_value(name, getattr(record, name))
        self._refresh_lots(record.prep_note)
        self._update_dose_caption()
        self._update_notes_caption()

    def data(self) -> InfusionBase:
        v = self.value
        return self.build(
            id=self.record_id, order_id=v("order_id") or "", date=v("date"),
            status=v("status") or "", setting=v("setting") or "home",
            start_time=v("start_time"), end_time=v("end_time"), dose_given=v("dose_given"),
            wasted=v("wasted"), administered_by=v("administered_by"), site=v("site"),
            reaction=v("reaction"),
            notes=v("notes"), prep_note=v("prep_note"),
        )

    def _refresh_lots(self, keep: str | None = None) -> None:
        """R28: the order's notes covering the date typed, the lot picked kept if offered."""
        self.lot.refresh(self.ctx, self.order.currentData(), self.value("date"), keep)

    def check(self, data: InfusionBase) -> None:
        """The record's checks and the order, all named at once (not one per Enter)."""
        errors: list[FieldError] = []
        if not data.order_id:
            errors.append(FieldError("order", "is required: pick the order this dose was "
                                     "given for"))
        try:
            super().check(data)
        except ValidationFailed as exc:
            errors = [*exc.errors, *errors]
        except FieldError as exc:
            errors = [exc, *errors]
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ValidationFailed(errors)
        self._check_r25(data)

    def _check_r25(self, data: InfusionBase) -> None:
        """R25: an entry out of range, or an extra administered one, needs a note; a dose out
        of range is saved only after the user confirms it."""
        found = self.ctx.read(lambda s: infusion_warnings(s, data))
        if not found:
            return
        if not (data.notes or "").strip():
            raise ValidationFailed([FieldError("notes", f"{w.text}: say why in the notes "
                                               f"({w.code})", w.code) for w in found])
        dose = [w for w in found if w.code == DOSE_OUT_OF_RANGE]
        if dose and not kit.confirm(self, "Check the dose", f"{dose[0].text[0].upper()}"
                                    f"{dose[0].text[1:]}.\n\nSave this dose as given?",
                                    "Save this dose"):
            raise DomainError("Not saved: the dose was not confirmed. Correct it, or save "
                              "again and confirm it.")
