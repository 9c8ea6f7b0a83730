"""The billing calendar's side panel: the selected day in words, each order's status and the
reasons with a button opening the form that fixes each (and, where a saved record of that kind
is on file, its name and a button opening it), the claim a day is in, and the prompt
for the payer's claim number of that claim."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from models.billing.fixes import Involved
from models.billing.rules import BILLABLE, HOLD, REASONS, DayResult
from models.billing.visits import VisitResult, visit_text
from models.claims import batches as claim_batches
from models.claims.drafts import ClaimedInfo
from models.records.recorded import RecordedNote
from ui.billing import fixes
from ui.billing.billing_models import (
    CLAIMED,
    LONG_DATE,
    STATUS_FOREGROUND,
    CalendarDay,
    basis_text,
    claim_warning,
    code_text,
    place_text,
    status_text,
)
from ui.billing.month_bar import chip_style

LATE_COLOUR = "#8b1a1a"  # a late entry's note (R26), as the forms' required captions


def payer_claim_number_dialog(parent: QWidget | None, info: ClaimedInfo) -> QInputDialog:
    """The prompt for a claim's payer claim number; its field takes only what REF*F8 can carry
    (letters, digits, dashes, at most 50), so a bad character never gets typed."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Payer claim number")
    dialog.setLabelText(f"The payer's claim number (ICN/DCN) of claim {info.account_number}, "
                        "from the remittance or the payer's portal.\nA replacement of this "
                        "claim names it (837P REF*F8, CMS-1500 box 22).")
    dialog.setTextValue(info.payer_claim_number or "")
    field = dialog.findChild(QLineEdit)
    if field is not None:
        field.setObjectName("payer-claim-number-field")
        field.setMaxLength(50)
        field.setValidator(QRegularExpressionValidator(
            claim_batches.PAYER_CLAIM_NUMBER_RE.pattern.replace("A-Z", "A-Za-z"), field))
    return dialog


def ask_payer_claim_number(parent: QWidget | None, info: ClaimedInfo) -> str | None:
    """The number typed, or None when cancelled or left empty."""
    dialog = payer_claim_number_dialog(parent, info)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue().strip() or None

class DayPanel(QWidget):
    """The selected day in words: each order's status and the reasons, with fix buttons."""

    fix_requested = Signal(str, object)  # reason code, DayResult
    open_requested = Signal(object, object)  # Involved (the record to open), DayResult
    claim_number_requested = Signal(object)  # ClaimedInfo of the claim to record it for
    claim_packet_requested = Signal(object)  # ClaimedInfo of the claim to make the packet of
    visit_requested = Signal(str)  # R34: the id of the nursing visit to open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(10)
        self.fix_buttons: dict[tuple[str, str], QPushButton] = {}  # (order id, code) -> button
        self.open_buttons: dict[tuple[str, str], QPushButton] = {}  # ... -> "Open d-3…"
        self.visit_buttons: dict[str, QPushButton] = {}  # visit id -> "Open visit nv-1…"
        # (reason code, day) -> the saved record the reason is about (models/billing/fixes)
        self.involved: Callable[[str, DayResult], Involved | None] = lambda _c, _d: None
        self._lots: Mapping[tuple[str, dt.date], list[str]] = {}  # R28: entries and their lots
        self.show_message("Select a day to see why it is or is not billable.")

    def _clear(self) -> None:
        self.fix_buttons.clear()
        self.open_buttons.clear()
        self.visit_buttons.clear()
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().hide()  # gone at once, not only when the deferred delete runs
                item.widget().deleteLater()

    def _label(self, text: str, *, style: str = "", name: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if style:
            label.setStyleSheet(style)
        if name:
            label.setObjectName(name)
        self._layout.addWidget(label)
        return label

    def show_message(self, text: str) -> None:
        self._clear()
        self._label(text, style="color: #555;", name="panel-message")
        self._layout.addStretch(1)

    def text(self) -> str:
        """Everything the panel says, for tests and screen readers."""
        return "\n".join(w.text() for w in self.findChildren(QLabel) if w.isVisibleTo(self))

    def show_day(self, day: CalendarDay, payer_names: dict[str, str],
                 notes: Sequence[RecordedNote] = (),
                 lots: Mapping[tuple[str, dt.date], list[str]] | None = None,
                 visits: Sequence[VisitResult] = ()) -> None:
        """The day's orders with (R28) each entry's lot, (R34) the nursing visits of the day
        with their codes and status, and (R26) the records dated that day that are late
        entries or were imported, each with its note."""
        self._lots = lots or {}
        self._clear()
        self._label(
            day.date.strftime(LONG_DATE),
            style="font-size: 15px; font-weight: 600;",
            name="panel-title",
        )
        if not day.results and not visits:
            self._label("No service on this day.", style="color: #555;", name="panel-message")
        for r in day.results:
            self._add_result(r, payer_names, day)
        self._add_visits(visits, payer_names)
        self._add_notes(notes)
        self._layout.addStretch(1)

    def _add_visits(self, visits: Sequence[VisitResult], payer_names: dict[str, str]) -> None:
        """R34: each nursing visit of the day, its codes and units, its status and why."""
        if visits:
            self._label("Nursing visits", style="font-weight: 600;", name="visits-title")
        for v in visits:
            label = self._label(visit_text(v, payer_names), style="color: #444;",
                                name=f"visit-{v.visit_id}")
            label.setWordWrap(True)
            button = QPushButton(f"Open visit {v.visit_id}…")
            button.setToolTip("Open the visit to complete or correct it (asks why)")
            button.clicked.connect(lambda _=False, i=v.visit_id: self.visit_requested.emit(i))
            self.visit_buttons[v.visit_id] = button
            self._layout.addWidget(button)

    def _add_notes(self, notes: Sequence[RecordedNote]) -> None:
        """R26: each late entry with its late_note(); imported records one line per import."""
        late = [n for n in notes if n.late]
        if late:
            self._label("Late entries", style="font-weight: 600;", name="late-entries-title")
        for n in late:
            self._label(f"{n.label.capitalize()} {n.record_id}: {n.late}",
                        style=f"color: {LATE_COLOUR};", name=f"late-{n.kind}-{n.record_id}")
        imports: dict[str, list[str]] = {}
        for n in notes:
            if n.imported:
                imports.setdefault(n.imported, []).append(f"{n.label} {n.record_id}")
        for text, records in imports.items():
            self._label(f"{text}: {', '.join(records)}", style="color: #555;",
                        name="imported-records")

    def _add_result(self, r: DayResult, payer_names: dict[str, str], day: CalendarDay) -> None:
        card = QFrame()
        card.setObjectName("day-card")
        card.setStyleSheet(
            "QFrame#day-card { border: 1px solid #d4d8de; border-radius: 6px; "
            "background: #ffffff; }"
        )
        box = QVBoxLayout(card)
        box.setContentsMargins(10, 8, 10, 10)
        box.setSpacing(6)
        head = QHBoxLayout()
        badge = QLabel(status_text(day.shown(r)))
        badge.setStyleSheet(chip_style(day.shown(r)))
        badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        code = QLabel(f"<b>{code_text(r)}</b>")
        code.setToolTip("Per diem code and modifiers")
        head.addWidget(badge)
        head.addWidget(code)
        head.addStretch(1)
        box.addLayout(head)
        details = [f"Order: {r.order_id}"]
        if r.payer_id:
            details.append(f"Payer: {payer_names.get(r.payer_id, r.payer_id)}")
        if r.authorization_number:
            details.append(f"Authorization: {r.authorization_number}")
        details.append(basis_text(r))  # R29: infusion day or access day
        if place := place_text(r):  # R30
            details.append(place)
        details += [f"Entry {line}" for line in self._lots.get((r.order_id, r.date), [])]
        label = QLabel("\n".join(details))
        label.setObjectName("day-details")
        label.setStyleSheet("color: #444;")
        label.setWordWrap(True)
        box.addWidget(label)
        info = day.claim_of(r)
        if info is not None:
            where = (f"{info.format.upper()} file: {Path(info.file_name).name}"
                     if info.file_name else "")
            # one fact a line, so a narrow panel never breaks the claim number at its dash
            claim = QLabel("\n".join(x for x in (
                f"Claimed in batch {info.batch_id} on {info.batch_created_at:%m/%d/%Y}",
                f"Claim {info.account_number}"
                + (" (replacement)" if info.frequency_code == "7" else ""),
                f"Payer's claim no. {info.payer_claim_number}" if info.payer_claim_number
                else "",
                where) if x))
            claim.setObjectName("claim-info")
            claim.setWordWrap(True)
            claim.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            claim.setStyleSheet(f"color: {STATUS_FOREGROUND[CLAIMED].name()};")
            claim.setToolTip(info.file_name)
            box.addWidget(claim)
            number = QPushButton("Payer claim number…")
            number.setObjectName("payer-claim-number")
            number.setToolTip("Record the payer's claim number (ICN/DCN) of this claim, which "
                              "its replacement names")
            number.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            number.clicked.connect(
                lambda _=False, c=info: self.claim_number_requested.emit(c))
            box.addWidget(number)
            packet = QPushButton("Packet for this claim…")
            packet.setObjectName("claim-packet")
            packet.setToolTip("The documentation packet of this claim, for the payer's "
                              "auditor: its evidence as it stood when the claim was made")
            packet.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            packet.clicked.connect(
                lambda _=False, c=info: self.claim_packet_requested.emit(c))
            box.addWidget(packet)
            if r.status != BILLABLE:
                warning = QLabel(claim_warning(r))
                warning.setObjectName("claim-warning")
                warning.setWordWrap(True)
                warning.setStyleSheet(f"color: {STATUS_FOREGROUND[HOLD].name()};")
                box.addWidget(warning)
        if not r.reasons:
            done = QLabel("Every rule is met; a new claim leaves this day out unless you "
                          "rebill." if info is not None else "Ready to bill: every rule is met.")
            done.setWordWrap(True)
            done.setStyleSheet("color: #17603a;")
            box.addWidget(done)
        for code_ in r.reasons:
            reason = REASONS[code_]
            sentence = QLabel(f"<b>{reason.rule}</b> &nbsp;{reason.sentence}")
            sentence.setWordWrap(True)
            sentence.setObjectName(f"reason-{code_}")
            sentence.setToolTip(f"Rule {reason.rule} ({reason.code})")
            box.addWidget(sentence)
            button = QPushButton(fixes.fix_label(code_))
            button.setObjectName(f"fix-{code_}")
            button.setToolTip(f"Open the form that fixes this: {reason.fix}")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, c=code_, d=r: self.fix_requested.emit(c, d))
            self.fix_buttons[(r.order_id, code_)] = button
            involved = self.involved(code_, r)
            if involved is None:
                box.addWidget(button)
                continue
            named = QLabel(f"On file: {involved.text}")
            named.setObjectName(f"involved-{code_}")
            named.setWordWrap(True)
            named.setStyleSheet("color: #444;")
            box.addWidget(named)
            opener = QPushButton(f"Open {involved.record_id}…")
            opener.setObjectName(f"open-{code_}")
            opener.setToolTip(f"Correct {involved.text} (e.g. a wrong date) instead of adding "
                              "another")
            opener.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            opener.clicked.connect(
                lambda _=False, i=involved, d=r: self.open_requested.emit(i, d))
            self.open_buttons[(r.order_id, code_)] = opener
            pair = QHBoxLayout()
            pair.addWidget(opener)
            pair.addWidget(button)
            pair.addStretch(1)
            box.addLayout(pair)
        self._layout.addWidget(card)

