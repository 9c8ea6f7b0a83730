"""R26 in a clinical record's form: the late entry reason, a field that appears while the
record's date makes it a late entry and is then required.

A record is late when it is first saved more than the pharmacy's `late_entry_days` after its
own date (models/records/late.py, the one definition): for a new record, first saved now
(models/clock.py); for a saved one, when its first version was saved (an imported record without
that is never late). The field's problem is the services' own (`clinical.late_problem`), so the
form refuses exactly what the services refuse, on the field, before asking anything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from models import clock
from models.errors import FieldError
from models.records import clinical
from models.records.late import days_late, is_late
from ui.forms.kit import text_box

FIELD = "late_entry_reason"
LABEL = "Late entry reason"
CAPTION_STYLE = "color: #8b1a1a; font-weight: 600;"


class LateReason:
    """The late entry reason of one form (`form.late`): `box` is placed by the form, shown
    only while the date typed makes the record a late entry."""

    def __init__(self, form: Any, allowed: int | None = None) -> None:
        """`allowed`: the pharmacy's late_entry_days when the form reads it itself in the
        background (the MAR form, open from the start); else read here."""
        self.form = form
        self.allowed = form.ctx.read(clinical.late_entry_days) if allowed is None else allowed
        self.date_field = form.kind.listing_date  # the record's own date (registry)
        self.box = QWidget(form)  # a child at once: never shown as a window of its own
        self.box.setObjectName("late-entry")
        self.caption = QLabel()
        self.caption.setObjectName("late-entry-caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(CAPTION_STYLE)
        self.field = form.add_field(FIELD, text_box(lines=2, placeholder=(
            "Why it is recorded only now, e.g. the paper MAR reached the pharmacy today")))
        self.caption.setBuddy(self.field)
        layout = QVBoxLayout(self.box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.caption)
        layout.addWidget(self.field)
        self.box.hide()
        form.labels = {**form.labels, FIELD: LABEL}
        form.fields[self.date_field].textChanged.connect(self.update)
        if form.record is not None:
            self.field.setPlainText(getattr(form.record, FIELD, None) or "")
        self.update()

    def first_saved(self) -> dt.datetime | None:
        """When the record is (or was) first saved: now for a new one."""
        if self.form.record is None:
            return clock.now()
        return getattr(self.form.record, "first_recorded_at", None)

    def days(self) -> int:
        """How many days late the record is as typed (0: on time)."""
        own = self.form.fields[self.date_field].date()
        first = self.first_saved()
        if own is None or not is_late(own, first, self.allowed):
            return 0
        return days_late(own, first)

    def value(self) -> str | None:
        """The reason to save: what is typed while the record is late, else none."""
        text = self.field.toPlainText().strip()
        return (text or None) if self.days() else None

    def problem(self, data: Any) -> FieldError | None:
        """The services' refusal of `data` without a reason, if it is late (R26)."""
        return clinical.late_problem(self.form.kind, data, self.first_saved(), self.allowed)

    def set_allowed(self, days: int) -> None:
        """The pharmacy's late_entry_days, read again (in the background)."""
        self.allowed = days
        self.update()

    def clear(self) -> None:
        self.field.clear()
        self.update()

    @Slot()
    def update(self, *_args: Any) -> None:
        n = self.days()
        self.box.setVisible(bool(n))
        if n:
            self.caption.setText(
                f"Late entry: recorded {n} days after its date (more than {self.allowed} "
                f"{'day' if self.allowed == 1 else 'days'} later). Say why (required):")
