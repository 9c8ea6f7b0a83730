"""Claims already sent: what each one was (its snapshot), the list of them, and voids.

Every recorded claim keeps a snapshot (`claim.snapshot`, migration 0008): the draft as written
and the batch context it was written with, as JSON. From it a claim can be voided (frequency 8,
issue 11 item 3) with the very lines the payer received, and written again as a copy
(models/claims/copies.py) without drafting it anew from records that may have changed since.

A void is a claim of its own, recorded in a batch of its own: frequency 8, the payer's claim
number of the claim it voids in REF*F8 (box 22), the voided claim's lines and days. The voided
claim is then no longer in force and the void holds no day (`claimed_days` leaves frequency 8
out), so its days can be billed again: a later export drafts them as a new original claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models.claims.batches import record_batch, take_control_numbers
from models.claims.claim import FORMATS, BatchContext, ClaimDraft
from models.claims.clearing import draft_issues, file_issues
from models.claims.snapshots import from_snapshot, snapshot
from models.claims.x12 import interchanges
from models.errors import DomainError, FieldError
from models.records.reference import get_pharmacy
from models.records.tables import Claim, ClaimBatch, Patient, Payer
from models.security.permissions import CLAIMS, authorize

VOID = "8"
FREQUENCIES = {"1": "original", "7": "replacement", "8": "void"}


@dataclass(frozen=True)
class SentClaim:
    """One recorded claim, as the sent-claims list shows it."""

    id: int
    account_number: str
    frequency_code: str
    patient_id: str
    patient_name: str
    payer_name: str
    month: dt.date
    total_charge: Decimal
    batch_id: int
    sent_at: dt.datetime
    format: str
    file_name: str
    payer_claim_number: str | None
    replaced_by: str | None  # "void" or "replacement" when a later claim names this one
    has_snapshot: bool

    @property
    def kind(self) -> str:
        return FREQUENCIES.get(self.frequency_code, self.frequency_code)

    @property
    def state(self) -> str:
        if self.frequency_code == VOID:
            return "void sent"
        return {"void": "voided", "replacement": "replaced"}.get(self.replaced_by or "",
                                                                 "in force")


def list_sent_claims(session: Session, patient_id: str | None = None) -> list[SentClaim]:
    """Every recorded claim, newest first, in one query."""
    later = Claim.__table__.alias("later")
    c, b, p, y = (Claim.__table__, ClaimBatch.__table__, Patient.__table__, Payer.__table__)
    query = (select(c.c.id, c.c.patient_account_number, c.c.frequency_code, c.c.patient_id,
                    p.c.last_name, p.c.first_name, y.c.name, c.c.month, c.c.total_charge,
                    b.c.id, b.c.created_at, b.c.format, c.c.file_name, b.c.file_name,
                    c.c.payer_claim_number, later.c.frequency_code,
                    c.c.snapshot.is_not(None))
             .join(b, b.c.id == c.c.batch_id).join(p, p.c.id == c.c.patient_id)
             .join(y, y.c.id == c.c.payer_id)
             .outerjoin(later, later.c.replaces_claim_id == c.c.id)
             .order_by(c.c.id.desc()))
    if patient_id:
        query = query.where(c.c.patient_id == patient_id)
    return [SentClaim(
        id=r[0], account_number=r[1], frequency_code=r[2], patient_id=r[3],
        patient_name=f"{r[4]}, {r[5]}", payer_name=r[6], month=r[7], total_charge=r[8],
        batch_id=r[9], sent_at=r[10], format=r[11], file_name=r[12] or r[13],
        payer_claim_number=r[14],
        replaced_by=None if r[15] is None else FREQUENCIES.get(r[15], "replacement"),
        has_snapshot=bool(r[16])) for r in session.execute(query)]


def sent_claim(session: Session, account_number: str) -> Claim:
    """The newest recorded claim holding `account_number` (a replacement keeps its
    original's number, so the newest is the one in force)."""
    acct = (account_number or "").strip().upper()
    claim = session.exec(select(Claim).where(Claim.patient_account_number == acct)
                         .order_by(col(Claim.id).desc())).first()
    if claim is None:
        raise FieldError("claim", f'no claim with the account number "{account_number}"')
    return claim


def sent_draft(claim: Claim) -> tuple[ClaimDraft, BatchContext]:
    if claim.snapshot is None:
        raise DomainError(
            f"Claim {claim.patient_account_number} was recorded before PerDiem kept what it "
            "sent (migration 0008), so it cannot be written again: void or copy it through "
            "the payer's portal.")
    return from_snapshot(claim.snapshot)


@dataclass
class VoidResult:
    draft: ClaimDraft
    batch_id: int
    path: Path


def void_claim(session: Session, *, actor: str, account_number: str, fmt: str, out: Path,
               render: Any, now: dt.datetime | None = None) -> VoidResult:
    """Void (frequency 8) the claim in force with `account_number`: write the void in `fmt`
    to `out` and record it, which releases the claim's days for billing again.

    Refused, with nothing written or recorded: a claim already voided, one replaced (void
    the replacement, which keeps the account number), one without the payer's claim number
    (`no-payer-claim-number`: the payer knows the claim by its own number only)."""
    authorize(session, actor, CLAIMS)
    if fmt not in FORMATS:
        raise FieldError("format", f'"{fmt}" is not one of {", ".join(FORMATS)}')
    if out.is_dir() or not out.parent.is_dir():
        raise FieldError("out", f"{out}: give a file name in an existing folder")
    claim = sent_claim(session, account_number)
    acct = claim.patient_account_number
    if claim.frequency_code == VOID:
        raise DomainError(f"Claim {acct} is already voided (batch {claim.batch_id}).")
    draft, _sent = sent_draft(claim)
    void = replace(draft, frequency_code=VOID, original_reference=claim.payer_claim_number,
                   replaces_claim_id=claim.id)
    pharmacy = get_pharmacy(session)
    issues = draft_issues(void, pharmacy, fmt, {})
    if pharmacy is None:
        raise DomainError("The pharmacy's settings are missing: fill them in before voiding.")
    if issues:
        raise DomainError("The void is refused; nothing was written:\n"
                          + "\n".join(str(i) for i in issues))
    created = now or dt.datetime.now().astimezone().replace(microsecond=0)
    numbers: tuple[int, ...] = ()
    if fmt == "837p":
        numbers = take_control_numbers(session, len(interchanges([void], pharmacy)))
        pharmacy = get_pharmacy(session)
        assert pharmacy is not None
    ctx = BatchContext(pharmacy=pharmacy, created_at=created, control_numbers=numbers)
    content = render([void], ctx)
    if fmt == "837p" and (found := file_issues(content.decode("ascii"))):
        raise DomainError("The 837P would be refused; nothing was written:\n"
                          + "\n".join(str(i) for i in found))
    batch_id = record_batch(session, actor=actor, drafts=[void], fmt=fmt,
                            start=void.start, end=void.end, file_name=str(out),
                            created_at=created, control_number=numbers[0] if numbers else None,
                            snapshots={acct: snapshot(void, ctx)})
    part = out.with_name(out.name + ".part")
    try:
        part.write_bytes(content)
        part.replace(out)
    except OSError:
        part.unlink(missing_ok=True)
        raise
    return VoidResult(draft=void, batch_id=batch_id, path=out)
