"""A day is never claimed twice (issue 14), by the database itself.

`claim_day.in_force` is true on the rows whose claim bills the day now: not replaced by a later
claim (a replacement, frequency 7, or a void, 8) and not itself a void. A partial unique index
over (order_id, date) of those rows (migration 0012; both engines) refuses a second one. The
claim batches keep the flag (`models/claims/batches.record_batch`: a replacement or a void
releases the days of the claim it names; `batch_files.discard`: deleting a batch gives them
back), and a day that another desk billed meanwhile is refused with `BILLED_MEANWHILE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.claims.claim import ClaimedInfo
from models.errors import Conflict
from models.records.tables import Claim, ClaimBatch, ClaimDay

VOID = "8"
BILLED_MEANWHILE = "Someone else just billed these days; refresh."


def billed_meanwhile(detail: str) -> Conflict:
    """The refusal of a day another claim bills (`detail` names it, when known)."""
    return Conflict(f"{BILLED_MEANWHILE} {detail}".strip())


def recheck(session: Session, claim_ids: Iterable[int]) -> None:
    """Set `in_force` on the days of `claim_ids` from what the claims are now: released when a
    later claim replaces (or voids) theirs, held again when that later claim is gone."""
    ids = {i for i in claim_ids if i is not None}
    if not ids:
        return
    later = Claim.__table__.alias("later")
    replaced = select(later.c.id).where(later.c.replaces_claim_id == col(Claim.id)).exists()
    in_force = set(session.exec(select(Claim.id).where(col(Claim.id).in_(ids),
                                                       Claim.frequency_code != VOID,
                                                       ~replaced)).all())
    # released first, then held: no moment with two held rows of one day
    session.execute(update(ClaimDay).where(col(ClaimDay.claim_id).in_(ids - in_force))
                    .values(in_force=False))
    if in_force:
        session.execute(update(ClaimDay).where(col(ClaimDay.claim_id).in_(in_force))
                        .values(in_force=True))


def insert_days(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT claim days (dicts of claim_id, order_id, date, in_force); a day that another
    claim bills already is refused by the database: `billed_meanwhile`. On a refusal the
    caller's transaction is rolled back whole (the batch and its claims with it)."""
    try:
        session.execute(insert(ClaimDay), rows)
    except IntegrityError as exc:
        raise billed_meanwhile("The database refused a service day already in another claim; "
                               "nothing was recorded.") from exc


def held_in_force(session: Session, held: Any, keys: tuple[Any, ...],
                  patient_id: str | None = None, *where: Any) -> list[tuple[tuple, ClaimedInfo]]:
    """What the claims in force hold, from `held` (claim_day's or claim_visit's table): for
    each row its `keys` columns and the claim and batch that bill it. A claim that a
    replacement names is no longer in force; a void (frequency 8) holds nothing (its days and
    visits are billable again: models/claims/sent.py). One query of plain rows."""
    claim, batch = Claim.__table__, ClaimBatch.__table__
    replacement = claim.alias("replacement")
    query = (select(*keys, claim.c.id, batch.c.id, batch.c.created_at,
                    claim.c.patient_account_number, claim.c.frequency_code, batch.c.format,
                    claim.c.file_name, batch.c.file_name, claim.c.payer_id,
                    claim.c.payer_claim_number)
             .join(claim, claim.c.id == held.c.claim_id)
             .join(batch, batch.c.id == claim.c.batch_id)
             .where(~select(replacement.c.id)
                    .where(replacement.c.replaces_claim_id == claim.c.id).exists(),
                    claim.c.frequency_code != "8", *where)
             .order_by(claim.c.id))
    if patient_id:
        query = query.where(claim.c.patient_id == patient_id)
    out = []
    n = len(keys)
    for row in session.execute(query):
        (claim_id, batch_id, created_at, account, frequency, fmt, claim_file, batch_file,
         payer_id, payer_claim_number) = row[n:]
        out.append((tuple(row[:n]), ClaimedInfo(
            claim_id=claim_id, batch_id=batch_id, batch_created_at=created_at,
            account_number=account, frequency_code=frequency, format=fmt,
            file_name=claim_file or batch_file, payer_id=payer_id,
            payer_claim_number=payer_claim_number)))
    return out
