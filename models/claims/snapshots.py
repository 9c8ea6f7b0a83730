"""What a claim was sent as (`claim.snapshot`, migration 0008): the draft as written and the
batch context it was written with, as JSON, filled when a batch is recorded. Voids and copies
(models/claims/sent.py, copies.py) write from it, not from records that may have changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import TypeAdapter

from models.claims.claim import BatchContext, ClaimDraft

_DRAFT = TypeAdapter(ClaimDraft)
_CONTEXT = TypeAdapter(BatchContext)


def snapshot(draft: ClaimDraft, ctx: BatchContext) -> dict[str, Any]:
    """What was sent, as JSON: the draft (lines, patient, coverage, payer, prescribers) and the
    context (pharmacy, when, control numbers) it was written with."""
    clean = replace(draft, problems=[], warnings=[], issue_codes=[])
    return {"version": 1, "draft": _DRAFT.dump_python(clean, mode="json"),
            "context": _CONTEXT.dump_python(ctx, mode="json", exclude={"copy"})}


def from_snapshot(data: dict[str, Any]) -> tuple[ClaimDraft, BatchContext]:
    return _DRAFT.validate_python(data["draft"]), _CONTEXT.validate_python(data["context"])
