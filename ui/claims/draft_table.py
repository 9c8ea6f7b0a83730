"""The claim drafts table of the claims dialog: one row per draft, each column sorting by its
value (dates and money as such, through `SORT_ROLE` and a QSortFilterProxyModel)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from models.claims.claim import ClaimDraft
from ui.claims.rows_model import SORT_ROLE, Index, RowsTableModel

__all__ = ["SORT_ROLE", "ClaimDraftTableModel", "status"]


def status(d: ClaimDraft) -> str:
    return "Refused" if d.problems else ("Replacement" if d.frequency_code == "7" else "Ready")


class ClaimDraftTableModel(RowsTableModel):
    """One row per claim draft: whether it will be written, who, what and how much."""

    HEADERS = ("Status", "Claim", "Patient", "Payer", "Month", "Lines", "Per diem days",
               "Total", "Problems")

    @property
    def drafts(self) -> list[ClaimDraft]:
        return self.rows

    def set_drafts(self, drafts: list[ClaimDraft]) -> None:
        self.set_rows(drafts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self.drafts[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (status(d), d.account_number, d.patient.display_name, d.payer.name,
                    f"{d.month:%b %Y}", str(len(d.lines)), str(d.per_diem_units),
                    f"${d.total_charge:,.2f}", "; ".join(d.problems))[col]
        if role == SORT_ROLE:  # the month as a date, numbers and money as numbers (cents)
            return (status(d), d.account_number, d.patient.display_name.casefold(),
                    d.payer.name.casefold(), d.month.toordinal(), len(d.lines),
                    d.per_diem_units, int(d.total_charge * 100), len(d.problems))[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 8 and d.problems:
            return "\n".join(d.problems)
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(QColor("#b3261e" if d.problems else "#1e7b34"))
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
