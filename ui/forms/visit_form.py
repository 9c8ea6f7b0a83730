"""The nursing visit form (R34), keyboard-fast like the MAR form: Tab runs date, order, start,
end, nurse, type, MAR entries, note; Enter saves. A new visit is prefilled with the patient's
only (or the asked-for) order, the nurse of the patient's last visit, and the times and ids of
the order's doses given that day (models/records/visits.visit_prefill); changing the date or
the order fills them again unless they were typed over."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from models import clock, vocab
from models.records import registry
from models.records.tables import NursingVisitBase, NursingVisitRead
from models.records.visits import visit_prefill
from models.validation import ID_RE
from ui.forms.framework import RecordForm
from ui.forms.kit import (
    CheckedLineEdit,
    choice,
    date_field,
    form_layout,
    line,
    text_box,
    time_field,
)
from ui.forms.late_reason import LateReason
from ui.shell.context import AppContext


def parse_entries(text: str) -> list[str]:
    """MAR entry ids typed apart by commas or spaces ("mar-12, mar-13")."""
    found = [i for i in re.split(r"[,;\s]+", text) if i]
    for entry_id in found:
        if not ID_RE.fullmatch(entry_id):
            raise ValueError(f'"{entry_id}" is no MAR entry id (e.g. mar-12)')
    return found


class NursingVisitForm(RecordForm[NursingVisitBase, NursingVisitRead]):
    kind = registry.NURSING_VISIT
    title = "Nursing visit"
    labels = {"date": "Date", "order_id": "Order", "start_time": "Start time",
              "end_time": "End time", "nurse": "Nurse", "visit_type": "Visit type",
              "infusions": "MAR entries", "note": "Note"}
    TAB_ORDER = ("date", "order_id", "start_time", "end_time", "nurse", "visit_type",
                 "infusions", "note")

    def __init__(self, ctx: AppContext, patient_id: str, record: NursingVisitRead | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self._auto: dict[str, str] = {}  # what the prefill put in each field
        f = self.add_field
        self.date = f("date", date_field(required=True))
        self.order = f("order_id", self.order_combo(getattr(record, "order_id", order_id)))
        self.start_time = f("start_time", time_field())
        self.end_time = f("end_time", time_field())
        self.end_time.setToolTip("An end before the start is the next morning (overnight)")
        self.nurse = f("nurse", line(60, "nurse's name"))
        self.visit_type = f("visit_type", choice([(t, t) for t in vocab.VISIT_TYPES]))
        self.infusions = f("infusions", CheckedLineEdit(
            parse_entries, placeholder="the doses given during the visit, e.g. mar-12"))
        self.note = f("note", text_box(lines=4, placeholder="What was done: assessment, "
                                       "vitals, teaching, line care…"))
        self.late = LateReason(self)
        layout = form_layout()
        for name in self.TAB_ORDER:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.late.box)
        outer.addWidget(self.message)
        chain = [self.fields[n] for n in self.TAB_ORDER]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        if record is not None:
            self.load(record)
        else:
            self.date.set_date(day or clock.today())
            self.visit_type.setCurrentIndex(vocab.VISIT_TYPES.index("routine"))
            self.prefill()
            self.date.editingFinished.connect(self.prefill)
            self.order.currentIndexChanged.connect(self.prefill)

    @Slot()
    def prefill(self) -> None:
        """Fill the nurse, the times and the MAR entries from the order's doses of the date;
        a field typed over keeps what was typed."""
        day, order_id, pid = self.value("date"), self.order.currentData(), self.patient_id
        if day is None:
            return
        nurse, entries = self.ctx.read(lambda s: visit_prefill(s, pid, order_id, day))
        timed = [e for e in entries if e.start_time and e.end_time]
        offered = {
            "nurse": nurse or self.ctx.actor,
            "start_time": f"{timed[0].start_time:%H:%M}" if timed else "",
            "end_time": f"{timed[-1].end_time:%H:%M}" if timed else "",
            "infusions": ", ".join(e.id for e in entries),
        }
        for name, text in offered.items():
            w = self.fields[name]
            if w.text() in ("", self._auto.get(name, "")):
                w.setText(text)
                self._auto[name] = text

    def load(self, record: NursingVisitRead) -> None:
        for name in self.TAB_ORDER:
            self.set_value(name, getattr(record, name))

    def data(self) -> NursingVisitBase:
        v = self.value
        return self.build(
            id=self.record_id, patient_id=self.patient_id, order_id=v("order_id") or "",
            date=v("date"), start_time=v("start_time"), end_time=v("end_time"),
            nurse=v("nurse"), visit_type=v("visit_type") or "routine", note=v("note"),
            infusions=v("infusions") or [])
