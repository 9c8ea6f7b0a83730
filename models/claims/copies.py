"""Copies of claims already sent (issue 11 item 6): a recorded claim written again, in any
format, from what was sent (its snapshot), marked as a copy where the format allows, without
recording a batch or touching the claimed days: a copy bills nothing.

The copy is the claim as it went out, with the date, time and (for an 837P) the interchange
control number it was sent with, so it is byte for byte the claim's first export but for the
copy mark: BHT02 `18` (reissue) instead of `00` (original) in an 837P, a COPY mark above the
CMS-1500's carrier block (outside every box a payer scans), a last column `copy` in the CSV.
A claim sent with others comes out alone. Written in another format than it was sent in, it
is checked for what that format cannot carry (models.claims.checks.format_problems); an 837P
copy of a claim sent on paper or as CSV, which has no control number, takes the next one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from models.claims.batches import Renderer, take_control_numbers
from models.claims.checks import format_problems
from models.claims.claim import FORMATS, ClaimDraft
from models.claims.sent import sent_claim, sent_draft
from models.claims.x12 import interchanges
from models.errors import DomainError, FieldError
from models.files import write_atomic
from models.records.tables import Claim, ClaimBatch

FORMAT_NAMES = {"837p": "837P", "cms1500": "CMS-1500", "csv": "CSV"}


@dataclass
class CopyResult:
    draft: ClaimDraft
    claim_id: int
    batch_id: int  # the batch the claim was sent in; a copy records none
    sent_at: dt.datetime
    sent_format: str
    content: bytes
    path: Path | None = None


def claim_to_copy(session: Session, *, account_number: str | None = None,
                  claim_id: int | None = None) -> Claim:
    """The claim given by its row id (the sent claims window) or by its account number (the
    newest claim holding it: the one in force)."""
    if claim_id is not None:
        claim = session.get(Claim, claim_id)
        if claim is None:
            raise FieldError("claim", f"no recorded claim with id {claim_id}")
        return claim
    return sent_claim(session, account_number or "")


def copy_claim(session: Session, *, fmt: str, render: Renderer, out: Path | None = None,
               account_number: str | None = None, claim_id: int | None = None) -> CopyResult:
    """Write the claim again as `fmt` (to `out` when given) as a copy of what was sent.

    Records nothing: no batch, no claimed day, no history. Refused, writing nothing, for a
    claim recorded before PerDiem kept what it sent (migration 0008) and for a format that
    cannot carry the claim."""
    if fmt not in FORMATS:
        raise FieldError("format", f'"{fmt}" is not one of {", ".join(FORMATS)}')
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        raise FieldError("out", f"{out}: give a file name in an existing folder")
    claim = claim_to_copy(session, account_number=account_number, claim_id=claim_id)
    draft, ctx = sent_draft(claim)
    batch = session.get(ClaimBatch, claim.batch_id)
    assert batch is not None  # claim.batch_id is a foreign key
    problems = format_problems(draft, ctx.pharmacy, fmt)
    if problems:
        raise DomainError(
            f"Claim {claim.patient_account_number} (sent as {FORMAT_NAMES[batch.format]}) "
            f"cannot be copied as {FORMAT_NAMES[fmt]}; nothing was written:\n"
            + "\n".join(problems))
    needed = len(interchanges([draft], ctx.pharmacy)) if fmt == "837p" else 0
    if len(ctx.control_numbers) < needed:  # sent on paper or as CSV: no interchange yet
        ctx = replace(ctx, control_numbers=take_control_numbers(session, needed))
    content = render([draft], replace(ctx, copy=True))
    if out is not None:
        write_atomic(out, content)
    return CopyResult(draft=draft, claim_id=claim.id or 0, batch_id=claim.batch_id,
                      sent_at=batch.created_at, sent_format=batch.format, content=content,
                      path=out)
