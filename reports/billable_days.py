"""The billable-days table of BILLING_RULES.md written as CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from models import spreadsheet
from models.billing.rules import DayResult

COLUMNS = ("patient", "order", "date", "code", "modifiers", "status", "reasons", "authorization")
CLAIM_COLUMNS = ("claimed_batch", "claimed_on", "claim")

Claimed = Mapping[tuple[str, dt.date], Any]  # (order id, date) -> models.claims.batches.ClaimedInfo


def rows(days: Iterable[DayResult], claimed: Claimed | None = None) -> list[dict[str, str]]:
    """One dict per service day; with `claimed`, the batch, date and claim that bill it."""
    out = []
    for d in days:
        row = {
            "patient": d.patient_id,
            "order": d.order_id,
            "date": d.date.isoformat(),
            "code": d.code,
            "modifiers": ":".join(d.modifiers),
            "status": d.status,
            "reasons": ";".join(d.reasons),
            "authorization": d.authorization_number or "",
        }
        if claimed is not None:
            info = claimed.get((d.order_id, d.date))
            row["claimed_batch"] = str(info.batch_id) if info else ""
            row["claimed_on"] = f"{info.batch_created_at:%Y-%m-%d}" if info else ""
            row["claim"] = info.account_number if info else ""
        out.append(row)
    return out


def to_csv(days: Iterable[DayResult], claimed: Claimed | None = None) -> str:
    buf = io.StringIO()
    columns = COLUMNS if claimed is None else (*COLUMNS, *CLAIM_COLUMNS)
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(spreadsheet.record(r) for r in rows(days, claimed))
    return buf.getvalue()


def to_json(days: Iterable[DayResult], claimed: Claimed | None = None) -> str:
    return json.dumps(rows(days, claimed), indent=2) + "\n"
