"""The billable-days table of BILLING_RULES.md written as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from models.rules import DayResult

COLUMNS = ("patient", "order", "date", "code", "modifiers", "status", "reasons", "authorization")


def rows(days: Iterable[DayResult]) -> list[dict[str, str]]:
    return [
        {
            "patient": d.patient_id,
            "order": d.order_id,
            "date": d.date.isoformat(),
            "code": d.code,
            "modifiers": ":".join(d.modifiers),
            "status": d.status,
            "reasons": ";".join(d.reasons),
            "authorization": d.authorization_number or "",
        }
        for d in days
    ]


def to_csv(days: Iterable[DayResult]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(days))
    return buf.getvalue()


def to_json(days: Iterable[DayResult]) -> str:
    return json.dumps(rows(days), indent=2) + "\n"
