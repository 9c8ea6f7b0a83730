"""The Qt item model of a patient's scanned documents (the documents tab's "Scans" list) and
the words that describe one scan: a void scan is grey and struck through, its reason in the
tooltip and in the "Void reason" column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from models.records import registry
from models.records.tables import AttachmentRead
from ui.records.scan_files import media_name, size_text
from ui.records.table_models import VOIDED_BRUSH, us_date

Index = QModelIndex | QPersistentModelIndex
ATTACHMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2


def attached_to(info: AttachmentRead) -> str:
    kind = registry.kind(info.record_kind)
    return "patient" if kind is registry.PATIENT else f"{kind.label} {info.record_id}"


def added_text(when: dt.datetime) -> str:
    return f"{us_date(when.date())} {when:%H:%M}"


COLUMNS: tuple[tuple[str, Callable[[AttachmentRead], Any]], ...] = (
    ("File", lambda a: a.filename),
    ("Attached to", attached_to),
    ("Type", lambda a: media_name(a.media_type)),
    ("Size", lambda a: a.size),
    ("Added by", lambda a: a.added_by),
    ("Added", lambda a: a.added_at),
    ("SHA-256", lambda a: a.sha256),
    ("Void reason", lambda a: a.void_reason if a.voided else ""),
)
VOID_COLUMN = len(COLUMNS) - 1
SHA_COLUMN = 6


class AttachmentsModel(QAbstractTableModel):
    """The scans, one per row; void ones grey and struck through, their reason as tooltip."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[AttachmentRead] = []

    def set_attachments(self, rows: Sequence[AttachmentRead]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def attachments(self) -> list[AttachmentRead]:
        return list(self._rows)

    def attachment(self, row: int) -> AttachmentRead:
        return self._rows[row]

    def row_of(self, attachment_id: int) -> int:
        return next((i for i, a in enumerate(self._rows) if a.id == attachment_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) \
                and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[section][0]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(COLUMNS):
            return None
        a = self._rows[index.row()]
        value = COLUMNS[index.column()][1](a)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, dt.datetime):
                return added_text(value)
            if index.column() == 3:
                return size_text(value)
            if index.column() == SHA_COLUMN:  # whole in the tooltip and the details
                return value[:10] + "…"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.EditRole:  # the sort key
            return value.isoformat() if isinstance(value, dt.datetime) else value
        if role == Qt.ItemDataRole.ToolTipRole:
            if a.voided:
                return f"Void: {a.void_reason} ({a.voided_by}, {added_text(a.voided_at)})" \
                    if a.voided_at else f"Void: {a.void_reason}"
            return a.sha256 if index.column() == SHA_COLUMN else None
        if role == Qt.ItemDataRole.ForegroundRole and a.voided:
            return VOIDED_BRUSH
        if role == Qt.ItemDataRole.FontRole and a.voided:
            font = QFont()
            font.setStrikeOut(True)
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ATTACHMENT_ID_ROLE:
            return a.id
        return None



def details_text(a: AttachmentRead) -> str:
    """Everything recorded about a scan, in a few lines under the list."""
    line = (f"<b>{_esc(a.filename)}</b> · {media_name(a.media_type)} · {size_text(a.size)} "
            f"({a.size:,} bytes) · attached to {attached_to(a)} by {_esc(a.added_by)} on "
            f"{added_text(a.added_at)}")
    if a.description:
        line += f"<br>{_esc(a.description)}"
    line += f"<br>SHA-256 <span style='font-family: monospace'>{a.sha256}</span>"
    if a.voided:
        when = f" on {added_text(a.voided_at)}" if a.voided_at else ""
        line += (f"<br><span style='color: #a32020'>Void: {_esc(a.void_reason or '')} "
                 f"({_esc(a.voided_by or '')}{when}); left out of packets</span>")
    return line


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
