"""Claim drafts as CSV: one row per claim line, for a payer portal or a spreadsheet."""

from __future__ import annotations

import csv
import io

from models import spreadsheet
from models.claims.claim import BatchContext, ClaimDraft

COLUMNS = (
    "claim", "frequency", "original_reference", "patient", "patient_name", "payer",
    "payer_id", "member_id", "line", "kind", "from", "to", "code", "modifiers", "units",
    "charge", "ndc", "diagnosis_codes", "diagnosis_pointers", "authorization",
    "claim_total",
)
COPY_COLUMN = "copy"
# R30/R32: written only when a line of the file is not at place of service 12 or carries the
# payer's expected amount, so a pharmacy without contracts gets the same file as before
CONTRACT_COLUMNS = ("place_of_service", "expected")


def _contracts(drafts: list[ClaimDraft]) -> bool:
    return any(ln.place_of_service != "12" or ln.expected is not None
               for d in drafts for ln in d.lines)


def rows(drafts: list[ClaimDraft]) -> list[dict[str, str]]:
    out = []
    for d in drafts:
        for i, ln in enumerate(d.lines, 1):
            out.append({
                "claim": d.account_number,
                "frequency": d.frequency_code,
                "original_reference": d.original_reference or "",
                "patient": d.patient.id,
                "patient_name": d.patient.display_name,
                "payer": d.payer.id,
                "payer_id": d.payer.payer_id,
                "member_id": d.coverage.member_id,
                "line": str(i),
                "kind": ln.kind,
                "from": ln.start.isoformat(),
                "to": ln.end.isoformat(),
                "code": ln.code,
                "modifiers": ":".join(ln.modifiers),
                "units": str(ln.units),
                "charge": f"{ln.charge:.2f}",
                "ndc": ln.ndc or "",
                "diagnosis_codes": ";".join(d.diagnosis_codes[p - 1] for p in ln.pointers),
                "diagnosis_pointers": ":".join(str(p) for p in ln.pointers),
                "authorization": ln.authorization_number or "",
                "claim_total": f"{d.total_charge:.2f}",
                "place_of_service": ln.place_of_service,
                "expected": "" if ln.expected is None else f"{ln.expected:.2f}",
            })
    return out


def to_csv(drafts: list[ClaimDraft], copy: bool = False) -> str:
    """The rows; a copy of claims already sent (models/claims/copies.py) ends each row with a
    `copy` column holding COPY, the rest byte for byte as first written."""
    buf = io.StringIO()
    columns = COLUMNS + (CONTRACT_COLUMNS if _contracts(drafts) else ())
    writer = csv.DictWriter(buf, fieldnames=columns + ((COPY_COLUMN,) if copy else ()),
                            lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    # every cell, not only the names: a member id or an authorization number can start
    # with a TAB or a CR too (models/spreadsheet.py)
    writer.writerows(spreadsheet.record({**row, COPY_COLUMN: "COPY"} if copy else row)
                     for row in rows(drafts))
    return buf.getvalue()


def render(drafts: list[ClaimDraft], ctx: BatchContext) -> bytes:
    return to_csv(drafts, ctx.copy).encode("utf-8")
