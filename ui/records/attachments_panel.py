"""A patient's scanned documents (the documents tab's "Scans" list) and "Attach scan…" on the
record lists of the kinds that take attachments (orders, plans of care, deliveries: the
registry's `attachments`).

The list shows every scan on file for the patient, what it is attached to, who added it and
when, its size and SHA-256; a void scan (shown only with "Show voided") is struck through and
grey with its reason. Files are added with "Attach scan…" or dropped on the list (attached to
what "Attach to" names); "Open" shows a scan in the system viewer; "Void attachment…" asks why
and takes it out of the packets (it stays on file with who voided it, when and why).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.errors import DomainError
from models.records import attachments, clinical, registry
from models.records.changes import ATTACHMENT, Changes
from models.records.tables import AttachmentRead
from models.security.access import clinical_read
from ui.common import show_error
from ui.forms import kit
from ui.records.attachment_model import (
    VOID_COLUMN,
    AttachmentsModel,
    attached_to,
    details_text,
)
from ui.records.record_list import RecordListPanel, configure_table, fit_columns
from ui.records.scan_files import FileDrop, Target, attach_files, choose_scans, open_attachment
from ui.records.table_models import us_date
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.tab_loading import LOADING_STYLE
from ui.shell.workers import BackgroundTask, run_in_background


def target_label(kind: registry.RecordKind[Any, Any], record: Any) -> str:
    if kind is registry.ORDER:
        return f"order {record.id} · {record.drug_name} · {record.per_diem_code}"
    start = getattr(record, "start_date", None) or getattr(record, "date", None)
    return f"{kind.label} {record.id}" + (f" · {us_date(start)}" if start else "")


def load_scans(session: Session, patient_id: str, include_voided: bool
               ) -> tuple[list[AttachmentRead], list[tuple[Target, str]]]:
    """The patient's scans (without their bytes) and what a new one can be attached to: the
    patient, then each of the patient's records of a kind taking attachments, not void."""
    rows = attachments.list_attachments(session, patient_id, include_voided=include_voided)
    targets = [(Target(patient_id), "patient (not a particular record)")]
    for kind in registry.ATTACHABLE:
        if isinstance(kind, registry.ClinicalKind):
            targets += [(Target(patient_id, kind.key, r.id), target_label(kind, r))
                        for r in clinical.list_records(session, kind, patient_id=patient_id)]
    return rows, targets


def void_attachment(ctx: AppContext, parent: QWidget | None, info: AttachmentRead) -> bool:
    """Ask why (the reason prompt every void uses), then void the scan; False if cancelled."""
    reason = kit.ask_reason(
        parent, f"Void attachment {info.filename}?",
        f"{info.filename} ({attached_to(info)}) stays on file with who voided it, when and "
        "why, but packets leave it out from now on. Say why it is voided:",
        "Void attachment", "e.g. Scan of another patient's order; attached twice")
    if reason is None:
        return False
    try:
        ops.call(ctx, attachments.void_attachment, attachment_id=info.id, reason=reason)
    except DomainError as exc:
        show_error(parent, exc, title="Not voided")
        return False
    return True


class AttachmentsPanel(QWidget):
    """The selected patient's scans with Attach scan…, Open, Void attachment… and drops."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self._task: BackgroundTask | None = None
        self._wanted: int | None = None  # to select once the read under way shows it
        self.model = AttachmentsModel(self)
        self.view = QTableView()
        self.view.setObjectName("attachment_table")
        self.view.setModel(self.model)
        configure_table(self.view)

        self.target = QComboBox()
        self.target.setObjectName("attachTarget")
        self.target.setToolTip("What a scan attached here belongs to")
        self.target.setMinimumContentsLength(28)
        self.target.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.attach_button = QPushButton("Attach scan…")
        self.attach_button.setToolTip("Add a scanned PDF, PNG or JPEG (or drop files on the "
                                      "list)")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show the selected scan in the system viewer")
        self.void_button = QPushButton("Void attachment…")
        self.void_button.setToolTip("Take the selected scan out of the packets: it stays on "
                                    "file with the reason")
        self.show_voided = QCheckBox("Show voided")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.details = QLabel()
        self.details.setObjectName("attachmentDetails")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #333;")

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(QLabel("Attach to:"))
        top.addWidget(self.target, 1)
        for b in (self.attach_button, self.open_button, self.void_button):
            b.setMinimumWidth(88)
            top.addWidget(b)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.show_voided)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addLayout(bottom)

        self.drop = FileDrop(self.view.viewport(), lambda paths, _e: self.attach(paths))
        self.panel_drop = FileDrop(self, lambda paths, _e: self.attach(paths))
        self.attach_button.clicked.connect(self._on_attach_clicked)
        self.open_button.clicked.connect(self.open_selected)
        self.void_button.clicked.connect(self._on_void_clicked)
        self.show_voided.toggled.connect(lambda _c: self.reload())
        self.view.doubleClicked.connect(lambda _i: self.open_selected())
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._update()

    # -- loading -------------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self._task is not None

    def set_patient(self, patient_id: str | None) -> None:
        if patient_id != self.patient_id:
            self.model.set_attachments([])
            self.target.clear()
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        pid = self.patient_id
        if pid is None:
            self._show(None, ([], []))
            return
        self.count_label.setText("Loading scans…")
        self.count_label.setStyleSheet(LOADING_STYLE)
        include_voided = self.show_voided.isChecked()
        self._task = run_in_background(
            self.ctx, clinical_read(self.ctx.actor, lambda s: load_scans(s, pid, include_voided)),
            receiver=self,
            on_result=lambda data: self._show(pid, data), on_error=self._on_load_failed)
        self._update()

    def _show(self, patient_id: str | None,
              data: tuple[list[AttachmentRead], list[tuple[Target, str]]]) -> None:
        self._task = None
        rows, targets = data
        selected = self._wanted or (a.id if (a := self.selected()) else None)
        self._wanted = None
        self.model.set_attachments(rows)
        chosen = self.target.currentData()
        self.target.clear()
        for target, label in targets:
            self.target.addItem(label, target)
        if chosen is not None:
            self.choose_target(chosen.kind, chosen.record_id)
        self.view.setColumnHidden(VOID_COLUMN, not self.show_voided.isChecked())
        header = self.view.horizontalHeader()
        if header.visualIndex(VOID_COLUMN) != 1:  # the reason next to what was voided
            header.moveSection(header.visualIndex(VOID_COLUMN), 1)
        fit_columns(self.view)
        live = sum(1 for a in rows if not a.voided)
        void = len(rows) - live
        self.count_label.setStyleSheet("color: #555;")
        self.count_label.setText(
            (f"{live} scan{'s' if live != 1 else ''}" + (f", {void} void" if void else "")
             + " · drop PDF, PNG or JPEG files here to attach them") if patient_id else "")
        if selected is not None and (row := self.model.row_of(selected)) >= 0:
            self.view.selectRow(row)
        self._update()
        self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._task = None
        self.count_label.setStyleSheet("color: #a32020;")
        self.count_label.setText(f"Could not be loaded: {exc}")
        self.loaded.emit()

    @staticmethod
    def reads_again(changes: Changes) -> bool:
        """Whether a change notice touches the list (its tab reads again when in front)."""
        return changes.touches(ATTACHMENT, *(k.key for k in registry.ATTACHABLE))

    # -- what is chosen ------------------------------------------------------------------

    def choose_target(self, kind: str, record_id: str | None) -> bool:
        for i in range(self.target.count()):
            t = self.target.itemData(i)
            if t.kind == kind and (kind == "patient" or t.record_id == record_id):
                self.target.setCurrentIndex(i)
                return True
        return False

    def selected(self) -> AttachmentRead | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.attachment(rows[0].row()) if rows else None

    def select(self, attachment_id: int) -> None:
        row = self.model.row_of(attachment_id)
        if row >= 0:
            self.view.selectRow(row)

    def _update(self) -> None:
        a = self.selected()
        self.attach_button.setEnabled(self.patient_id is not None and not self.loading)
        self.target.setEnabled(self.patient_id is not None)
        self.open_button.setEnabled(a is not None)
        self.void_button.setEnabled(a is not None and not a.voided)
        self.details.setText(details_text(a) if a is not None else
                             "Select a scan to see its details." if self.model.rowCount()
                             else "")

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self._update()

    # -- actions -------------------------------------------------------------------------

    def attach(self, paths: list[Path]) -> list[AttachmentRead]:
        target = self.target.currentData()
        if self.patient_id is None or target is None:
            QMessageBox.warning(self, "Not attached", "Choose a patient first." if
                                self.patient_id is None else "The list is still loading; "
                                "drop the files again in a moment.")
            return []
        saved = attach_files(self.ctx, self, paths, target)
        if saved:
            self._wanted = saved[-1].id
        return saved

    @Slot()
    def _on_attach_clicked(self) -> None:
        paths = choose_scans(self)
        if paths:
            self.attach(paths)

    @Slot()
    def open_selected(self) -> Path | None:
        a = self.selected()
        return open_attachment(self.ctx, self, a.id) if a is not None else None

    @Slot()
    def _on_void_clicked(self) -> None:
        a = self.selected()
        if a is not None and not a.voided:
            void_attachment(self.ctx, self, a)


class RecordScans(QObject):
    """"Attach scan…" on a record list of a kind taking attachments: the file dialog or files
    dropped on the list attach to the record selected (or dropped on)."""

    def __init__(self, panel: RecordListPanel):
        super().__init__(panel)
        self.panel = panel
        self.kind = registry.kind(panel.kind) if isinstance(panel.kind, str) else panel.kind
        self.button = QPushButton("Attach scan…")
        self.button.setObjectName(f"{self.kind.key}_attach")
        self.button.setToolTip(f"Attach a scanned PDF, PNG or JPEG to the selected "
                               f"{self.kind.label} (or drop files on its row)")
        self.button.setMinimumWidth(88)
        panel.button_row.insertWidget(panel.button_row.indexOf(panel.history_button) + 1,
                                      self.button)
        self.button.clicked.connect(self._on_clicked)
        self.drop = FileDrop(panel.view.viewport(), self._on_drop)
        panel.view.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        panel.loaded.connect(self._update)
        self._update()

    def _update(self) -> None:
        rec = self.panel.selected_record()
        self.button.setEnabled(rec is not None and not rec.voided)

    def attach(self, paths: list[Path], record: Any = None) -> list[AttachmentRead]:
        rec = record if record is not None else self.panel.selected_record()
        if rec is None or self.panel.patient_id is None:
            QMessageBox.warning(self.panel, "Not attached",
                                f"Select the {self.kind.label} the scan belongs to first.")
            return []
        if rec.voided:
            QMessageBox.warning(self.panel, "Not attached",
                                f"The {self.kind.label} {rec.id} is void; scans are not "
                                "attached to void records.")
            return []
        return attach_files(self.panel.ctx, self.panel, paths,
                            Target(self.panel.patient_id, self.kind.key, rec.id))

    def _on_clicked(self) -> None:
        paths = choose_scans(self.panel, f"Attach scan to {self.kind.label}")
        if paths:
            self.attach(paths)

    def _on_drop(self, paths: list[Path], event: Any) -> None:
        view = self.panel.view
        index = view.indexAt(event.position().toPoint())
        record = (self.panel.model.record(self.panel.proxy.mapToSource(index).row())
                  if index.isValid() else None)
        if record is not None:
            view.selectRow(index.row())
        self.attach(paths, record)
