"""The infusion log (MAR) tab and its entry form, laid out and tab-ordered like the paper MAR
so a nurse's day can be typed without the mouse: Tab through, Enter saves.

The new entry's defaults (the orders in force, the last dose and nurse) and the log are read
in the background, so choosing a patient or an order never waits for five years of entries;
a default that arrives after the nurse typed in its field leaves what was typed alone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, SQLModel

from models.errors import FieldError, ValidationFailed
from models.records import services
from models.records.services import Changes
from models.records.tables import INFUSION_STATUSES, InfusionBase, InfusionRead, OrderRead
from ui.forms.record_forms import (
    RecordForm,
    choice,
    date_field,
    decimal_field,
    line,
    load_orders,
    time_field,
)
from ui.records.record_list import RecordListPanel
from ui.records.table_models import InfusionsTableModel, plain_decimal, us_date
from ui.shell.context import AppContext
from ui.shell.tab_loading import LoadsInFront
from ui.shell.workers import BackgroundTask, run_in_background

NOT_GIVEN = ("held", "refused", "missed")

# how many of the smallest unit of a dimension one unit holds
_UNITS: dict[str, tuple[str, Decimal]] = {
    "mcg": ("mass", Decimal(1)), "ug": ("mass", Decimal(1)), "µg": ("mass", Decimal(1)),
    "mg": ("mass", Decimal(1000)), "g": ("mass", Decimal(1000000)),
    "ml": ("volume", Decimal(1)), "l": ("volume", Decimal(1000)),
    "unit": ("unit", Decimal(1)), "units": ("unit", Decimal(1)), "u": ("unit", Decimal(1)),
    "meq": ("meq", Decimal(1)),
}


def dose_from_text(dose: str | None, dose_unit: str | None) -> Decimal | None:
    """The ordered dose in `dose_unit` when the order's dose text starts with a number and a
    unit convertible to it ("30 g (0.4 g/kg)" in mg is 30000); otherwise None, never a guess."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ]+)\b", dose or "")
    if not m or not dose_unit:
        return None
    src, dst = _UNITS.get(m.group(2).lower()), _UNITS.get(dose_unit.strip().lower())
    if src is None or dst is None or src[0] != dst[0]:
        return None
    value = Decimal(m.group(1)) * src[1] / dst[1]
    return value.normalize() if value == value.to_integral() else value


def prefill_dose(order: OrderRead, entries: list[InfusionRead]) -> Decimal | None:
    """The dose to offer: the one given at the order's last administered entry, else the
    ordered dose read from the order's dose text."""
    given = [e for e in entries if e.order_id == order.id and e.administered
             and not e.voided and e.dose_given is not None]
    if given:
        last = max(given, key=lambda e: (e.date, e.start_time or dt.time.min, e.id))
        return last.dose_given
    return dose_from_text(order.dose, order.drug_dose_unit)


def load_prefill(s: Session, order_id: str) -> tuple[list[InfusionRead], str | None]:
    """What the dose and nurse are prefilled from: the order's entries and its last nurse."""
    return (services.list_records(s, "infusion", order_id=order_id),
            services.last_nurse(s, order_id))


def load_defaults(s: Session, patient_id: str, day: dt.date | None, selected: str | None,
                  prefill: bool) -> tuple[list[OrderRead], str | None, Any]:
    """The orders a new entry offers, the one chosen, and (if `prefill`) its prefill data."""
    orders = load_orders(s, patient_id, selected, day)
    ids = [o.id for o in orders]
    chosen = selected if selected in ids else (ids[0] if ids else None)
    return orders, chosen, load_prefill(s, chosen) if prefill and chosen else None


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


class MarEntryForm(RecordForm):
    """One line of the MAR. New entries start with today's date, the patient's only (or
    first) active order, the dose of the order and the nurse who gave the last dose; these
    defaults are read in the background (`loading` meanwhile, `defaults_loaded` after)."""

    defaults_loaded = Signal()

    kind = "infusion"
    labels = {"date": "Date", "order_id": "Order", "status": "Status", "setting": "Setting",
              "start_time": "Start time", "end_time": "End time", "dose_given": "Dose given",
              "administered_by": "Administered by", "site": "Site", "reaction": "Reaction",
              "notes": "Notes"}
    date_pairs = ()  # an end time before the start is the next morning (overnight cycles)
    TAB_ORDER = ("date", "order_id", "status", "setting", "start_time", "end_time",
                 "dose_given", "administered_by", "site", "reaction", "notes")

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self.orders: dict[str, OrderRead] = {}
        self._prefilled_dose = ""
        self._day_shown: dt.date | None = None
        self._task: BackgroundTask | None = None  # the orders (and their prefill)
        self._prefill_task: BackgroundTask | None = None  # another order's prefill
        self._save_when_loaded = False
        f = self.add_field
        f("date", date_field(required=True))
        orders = choice([], placeholder="No order in force on this date")
        orders.setMinimumContentsLength(34)
        f("order_id", orders)
        f("status", choice([(s, s) for s in INFUSION_STATUSES]))
        f("setting", choice([("home", "home"), ("suite (infusion suite)", "suite")]))
        f("start_time", time_field())
        f("end_time", time_field())
        f("dose_given", decimal_field())
        self.fields["dose_given"].setMaximumWidth(130)
        f("administered_by", line(60, "nurse's name"))
        f("site", line(60, "e.g. left forearm"))
        f("reaction", line(4000, "none, or what happened and what was done"))
        f("notes", line(4000))
        self.fields["status"].setMinimumContentsLength(10)  # type: ignore[attr-defined]
        self.fields["setting"].setMinimumContentsLength(10)  # type: ignore[attr-defined]

        row1, row2, row3 = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        for row in (row1, row2, row3):
            row.setSpacing(12)
        self.captions: dict[str, QLabel] = {}
        place = {"date": (row1, 0), "order_id": (row1, 1), "status": (row1, 0),
                 "setting": (row1, 0), "start_time": (row2, 0), "end_time": (row2, 0),
                 "dose_given": (row2, 0), "administered_by": (row2, 1), "site": (row2, 1),
                 "reaction": (row3, 1), "notes": (row3, 1)}
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
        layout.addWidget(self.message)
        chain = [self.fields[n] for n in self.TAB_ORDER]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

        self.fields["date"].editingFinished.connect(self._on_date_edited)  # type: ignore
        orders.currentIndexChanged.connect(self._on_order_changed)
        self.fields["status"].currentIndexChanged.connect(  # type: ignore[attr-defined]
            self._on_status_changed)
        if record is not None:
            self.load(record)
        else:
            self.reset(order_id=order_id, day=day)

    # -- prefill -------------------------------------------------------------------------

    def reset(self, order_id: str | None = None, day: dt.date | None = None) -> None:
        """A blank new entry for `day` (today); the defaults follow from the background."""
        self.record = None
        for name in ("start_time", "end_time", "dose_given", "administered_by", "site",
                     "reaction", "notes"):
            self.fields[name].clear()  # type: ignore[attr-defined]
        self.fields["status"].setCurrentIndex(0)  # type: ignore[attr-defined]
        self.fields["setting"].setCurrentIndex(0)  # type: ignore[attr-defined]
        day = day or dt.date.today()
        self.fields["date"].set_date(day)  # type: ignore[attr-defined]
        self._prefilled_dose = ""
        self._fill_orders(day, order_id)
        self.clear_marks()
        self._update_notes_caption()

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id or ""
        self.show_orders(self.fields["order_id"], [])  # type: ignore[arg-type]
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
        combo: QComboBox = self.fields["order_id"]  # type: ignore[assignment]
        day = self.value("date") or dt.date.today()
        self._fill_orders(None if self.record else day, combo.currentData(), prefill=False)

    def _fill_orders(self, day: dt.date | None, selected: str | None,
                     prefill: bool = True) -> None:
        """Read the orders (and, per `prefill`, the chosen one's dose and nurse) in the
        background; a read still under way for older input is dropped."""
        for task in (self._task, self._prefill_task):
            if task is not None:
                task.cancel()
        self._task = self._prefill_task = None
        combo: QComboBox = self.fields["order_id"]  # type: ignore[assignment]
        pid = self.patient_id
        if not pid:
            self.show_orders(combo, [])
            self._day_shown = day
            self._update_dose_caption()
            self._loaded()
            return
        typed = self._typed_defaults()
        self._task = run_in_background(
            self.ctx, lambda s: load_defaults(s, pid, day, selected, prefill),
            receiver=self, on_result=lambda data: self._show_defaults(
                day, selected, prefill, typed, *data), on_error=self._on_defaults_failed)

    def _show_defaults(self, day: dt.date | None, selected: str | None, prefill: bool,
                       typed: tuple[str, str], orders: list[OrderRead], chosen: str | None,
                       prefill_data: Any) -> None:
        self._task = None
        combo: QComboBox = self.fields["order_id"]  # type: ignore[assignment]
        self.show_orders(combo, orders, selected)
        if combo.currentIndex() < 0 and combo.count():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)  # the first active order: usually the only one
            combo.blockSignals(False)
        self._day_shown = day
        self._update_dose_caption()
        if prefill_data is not None and self.record is None:
            self._apply_prefill(prefill_data, typed)
        elif prefill and chosen is None:
            self._prefilled_dose = ""
        self._loaded()

    def _on_defaults_failed(self, exc: Exception) -> None:
        self._task = self._prefill_task = None
        self._save_when_loaded = False
        self.show_message(f"The orders could not be read: {exc}")
        self.defaults_loaded.emit()

    def _typed_defaults(self) -> tuple[str, str]:
        """The dose and nurse as they are when a read of their defaults starts."""
        return (self.fields["dose_given"].text(),  # type: ignore[attr-defined]
                self.fields["administered_by"].text())  # type: ignore[attr-defined]

    def _prefill(self) -> None:
        """Read the chosen order's last dose and nurse in the background."""
        order = self.orders.get(self.fields["order_id"].currentData())  # type: ignore
        if order is None:
            self._prefilled_dose = ""
            return
        if self._prefill_task is not None:
            self._prefill_task.cancel()
        typed, order_id = self._typed_defaults(), order.id
        self._prefill_task = run_in_background(
            self.ctx, lambda s: load_prefill(s, order_id), receiver=self,
            on_result=lambda data: self._prefill_loaded(order_id, typed, data),
            on_error=self._on_defaults_failed)

    def _prefill_loaded(self, order_id: str, typed: tuple[str, str], data: Any) -> None:
        self._prefill_task = None
        if self.record is None and self.fields["order_id"].currentData() == order_id:  # type: ignore
            self._apply_prefill(data, typed)
        self._loaded()

    def _apply_prefill(self, data: tuple[list[InfusionRead], str | None],
                       typed: tuple[str, str]) -> None:
        """Fill the dose and nurse, each only if it still holds what it held when the read
        started: what the nurse typed meanwhile stays."""
        entries, nurse = data
        order = self.orders.get(self.fields["order_id"].currentData())  # type: ignore
        if order is None:
            return
        dose_w: QLineEdit = self.fields["dose_given"]  # type: ignore[assignment]
        nurse_w: QLineEdit = self.fields["administered_by"]  # type: ignore[assignment]
        self._prefilled_dose = plain_decimal(prefill_dose(order, entries))
        if dose_w.text() == typed[0]:
            if self.value("status") in NOT_GIVEN:
                dose_w.clear()
            else:
                dose_w.setText(self._prefilled_dose)
        if nurse_w.text() == typed[1]:
            nurse_w.setText(nurse or "")

    def _update_dose_caption(self) -> None:
        order = self.orders.get(self.fields["order_id"].currentData())  # type: ignore
        unit = order.drug_dose_unit if order and order.drug_dose_unit else ""
        self.captions["dose_given"].setText(f"Dose given ({unit})" if unit else "Dose given")
        self.fields["dose_given"].setPlaceholderText(  # type: ignore[attr-defined]
            f"in {unit}" if unit else "")

    def _update_notes_caption(self) -> None:
        status = self.value("status")
        caption, notes = self.captions["notes"], self.fields["notes"]
        if status in NOT_GIVEN:
            caption.setText(f"Notes — required: say why the dose was {status}")
            caption.setStyleSheet("color: #8b1a1a; font-weight: 600;")
            notes.setPlaceholderText(f"Why was the dose {status}? Who was told?")  # type: ignore
        else:
            caption.setText("Notes")
            caption.setStyleSheet("color: #444; font-weight: 600;")
            notes.setPlaceholderText("")  # type: ignore[attr-defined]

    @Slot()
    def _on_date_edited(self) -> None:
        day = self.value("date")
        if self.record is None and day is not None and day != self._day_shown:
            combo: QComboBox = self.fields["order_id"]  # type: ignore[assignment]
            before = combo.currentData()
            # one patient's orders are a quick read, and the nurse's next key (Enter saves)
            # must find the orders of the date typed; the dose and nurse follow only if the
            # date brings another order, in the background like every prefill
            self.fill_orders(combo, before, active_on=day, keep_selected=False)
            if combo.currentIndex() < 0 and combo.count():
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self._day_shown = day
            self._update_dose_caption()
            if combo.currentData() != before:
                self._prefill()

    @Slot(int)
    def _on_order_changed(self, _index: int) -> None:
        self._update_dose_caption()
        if self.record is None:
            self._prefill()

    @Slot(int)
    def _on_status_changed(self, _index: int) -> None:
        dose_w: QLineEdit = self.fields["dose_given"]  # type: ignore[assignment]
        if self.value("status") in NOT_GIVEN:
            if dose_w.text() == self._prefilled_dose:
                dose_w.clear()  # an untouched prefilled dose was not given
        elif not dose_w.text() and self.record is None:
            dose_w.setText(self._prefilled_dose)
        self._update_notes_caption()

    # -- record --------------------------------------------------------------------------

    def load(self, record: Any) -> None:
        combo: QComboBox = self.fields["order_id"]  # type: ignore[assignment]
        self.fill_orders(combo, record.order_id)  # every order: an old entry may be outside
        for name in self.TAB_ORDER:
            if name != "order_id":
                self.set_value(name, getattr(record, name))
        self._update_dose_caption()
        self._update_notes_caption()

    def data(self) -> SQLModel:
        v = self.value
        return self.build(
            InfusionBase, id=self.record.id if self.record else "",
            order_id=v("order_id") or "", date=v("date"), status=v("status") or "",
            setting=v("setting") or "home", start_time=v("start_time"), end_time=v("end_time"),
            dose_given=v("dose_given"), administered_by=v("administered_by"), site=v("site"),
            reaction=v("reaction"), notes=v("notes"),
        )

    def check(self, data: SQLModel) -> None:
        """The service's checks and the order, all named at once (not one per Enter)."""
        errors: list[FieldError] = []
        if not data.order_id:  # type: ignore[attr-defined]
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


class InfusionLogTab(QWidget, LoadsInFront):
    """Today's entry form on top, the patient's MAR below."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self._orders_changed = False
        self.form = MarEntryForm(ctx, "", None)
        self.save_button = QPushButton("Save entry")
        self.save_button.setToolTip("Save this MAR line (Enter)")
        self.save_button.setDefault(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start a fresh entry with today's defaults")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setStyleSheet("color: #1e6b34;")
        actions = QHBoxLayout()
        actions.addWidget(self.saved_label, 1)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.save_button)
        box = QGroupBox("New MAR entry")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(10)
        inner.addWidget(self.form)
        inner.addLayout(actions)

        self.panel = RecordListPanel(ctx, "infusion", InfusionsTableModel(), self,
                                     new_text="New entry", on_new=self._on_new_entry_clicked)
        self.panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # latest day first
        log = QGroupBox("Infusion log (MAR)")
        log_layout = QVBoxLayout(log)
        log_layout.setContentsMargins(12, 12, 12, 12)
        log_layout.addWidget(self.panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addWidget(box)
        layout.addWidget(log, 1)

        self.save_button.clicked.connect(self._on_save_clicked)
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.form.record_saved.connect(self._on_record_saved)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.set_patient(None)

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.form.setEnabled(patient_id is not None)
        self.save_button.setEnabled(patient_id is not None)
        self.clear_button.setEnabled(patient_id is not None)
        self.reload()

    @property
    def loading(self) -> bool:
        return self.form.loading or self.panel.loading

    def reload(self) -> None:
        """Read the log, and for another patient the new entry's defaults; a form being
        typed for this patient is kept, only its orders are re-read when they changed."""
        if self.deferred():
            return
        if self.form.patient_id != (self.patient_id or ""):
            self.saved_label.clear()
            self.form.set_patient(self.patient_id)
        elif self._orders_changed:
            self.form.refresh_orders()
        self._orders_changed = False
        self.panel.set_patient(self.patient_id)

    def focus_entry(self) -> None:
        self.form.fields["date"].setFocus()
        self.form.fields["date"].selectAll()  # type: ignore[attr-defined]

    @Slot()
    def _on_save_clicked(self) -> None:
        self.form.save()

    @Slot()
    def _on_clear_clicked(self) -> None:
        self.form.reset()
        self.saved_label.clear()
        self.focus_entry()

    @Slot()
    def _on_new_entry_clicked(self) -> None:
        self._on_clear_clicked()

    @Slot(object)
    def _on_record_saved(self, entry: InfusionRead) -> None:
        self.saved_label.setText(f"Saved {entry.id}: {entry.status}, {us_date(entry.date)}.")
        self.form.reset()
        self.panel.select(entry.id)
        self.focus_entry()

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None or not changes.touches("infusion", "order"):
            return
        if changes.patient_ids and self.patient_id not in changes.patient_ids:
            return
        self._orders_changed = self._orders_changed or "order" in changes.kinds
        self.reload()

    @Slot()
    def _on_database_replaced(self) -> None:
        self.set_patient(None)

