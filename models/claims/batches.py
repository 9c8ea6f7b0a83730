"""Claim batch services: which days are claimed, drafting a period's claims, recording exports.

A day is never billed twice: every export records its claims and the (order, date) days each
covers, and later drafts leave those days out unless the user asks to rebill, which makes
replacement claims (frequency 7) naming the claim they replace.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

from models import clock
from models.billing import rules
from models.billing.loading import billing_period
from models.claims import batch_files, held_days
from models.claims.batch_files import Transactions
from models.claims.claim import (
    FORMATS,
    BatchContext,
    ClaimDraft,
    ClaimedInfo,
    month_end,
    month_of,
)
from models.claims.clearing import file_issues
from models.claims.drafts import draft_claims
from models.claims.snapshots import snapshot
from models.claims.visit_claims import claimed_visits, visit_billing
from models.claims.x12 import interchanges
from models.errors import Conflict, DomainError, FieldError
from models.records.changes import CLAIM, note_change
from models.records.history import log_version
from models.records.reference import get_pharmacy, list_prescribers
from models.records.tables import Claim, ClaimBatch, ClaimDay, ClaimVisit, Pharmacy
from models.security import audit
from models.security.permissions import CLAIMS, authorize

MAX_CONTROL_NUMBER = 999_999_999  # ISA13 is nine digits
# A payer's claim number (ICN/DCN) as REF*F8 can carry it: letters, digits and dashes.
PAYER_CLAIM_NUMBER_RE = re.compile(r"[A-Z0-9-]{1,50}")

Renderer = Callable[[list[ClaimDraft], BatchContext], bytes]


@dataclass
class ClaimPreview:
    """Drafts for a period before anything is written, with what was left out and why."""

    fmt: str
    start: dt.date
    end: dt.date
    drafts: list[ClaimDraft]
    hold_days: int = 0  # days of the period waiting for a fix (status hold)
    claimed_days: int = 0  # billable days of the period already in a batch, left out

    @property
    def good(self) -> list[ClaimDraft]:
        return [d for d in self.drafts if d.ok]

    @property
    def refused(self) -> list[ClaimDraft]:
        return [d for d in self.drafts if not d.ok]


@dataclass
class ExportResult:
    preview: ClaimPreview
    batch_id: int | None = None
    paths: list[Path] = field(default_factory=list)
    written: list[ClaimDraft] = field(default_factory=list)

    @property
    def path(self) -> Path | None:
        """The file written (the first, when an 837P went out as one file per payer)."""
        return self.paths[0] if self.paths else None

    @property
    def where(self) -> str:
        return ", ".join(str(p) for p in self.paths)

    @property
    def refused(self) -> list[ClaimDraft]:
        return self.preview.refused

    @property
    def total_charge(self) -> Decimal:
        return sum((d.total_charge for d in self.written), Decimal("0.00"))


def claimed_days(session: Session, patient_id: str | None = None, *,
                 start: dt.date | None = None, end: dt.date | None = None
                 ) -> dict[tuple[str, dt.date], ClaimedInfo]:
    """The claimed service days dated in [start, end] (every one when both are None):
    (order id, date) -> the claim and batch that bill it. One query of plain rows.

    A claim that a replacement names is no longer in force, so its days count only when the
    replacement holds them too; a void (frequency 8) holds none: its days are billable again
    (models/claims/sent.py)."""
    day = ClaimDay.__table__
    window = [*([day.c.date >= start] if start is not None else []),
              *([day.c.date <= end] if end is not None else [])]
    return dict(held_days.held_in_force(session, day, (day.c.order_id, day.c.date),
                                        patient_id, *window))


def _check_request(start: dt.date, end: dt.date, fmt: str) -> None:
    if fmt not in FORMATS:
        raise FieldError("format", f'"{fmt}" is not one of {", ".join(FORMATS)}')
    if end < start:
        raise FieldError("to", "is before the start of the period")


def prepare_claims(session: Session, start: dt.date, end: dt.date, *, fmt: str,
                   patient_id: str | None = None, rebill: bool = False) -> ClaimPreview:
    """The claim drafts for [start, end], checked for `fmt`; nothing is recorded."""
    _check_request(start, end, fmt)
    span_start, span_end = month_of(start), month_end(end)
    data, days = billing_period(session, span_start, span_end, patient_id)
    days = [d for d in days if d.date <= clock.today()]  # R24: no claim line after today
    claimed = claimed_days(session, patient_id, start=span_start, end=span_end)
    prescribers = {p.id: p for p in list_prescribers(session)}
    # a claim's account number starts with its month (drafts.account_number), so only the
    # claims of the span's months can hold one a new claim would take
    used = set(session.exec(select(Claim.patient_account_number).where(
        Claim.month >= span_start, Claim.month <= span_end)).all())
    visits = visit_billing(session, span_start, span_end, clock.today(), patient_id)  # R34
    drafts = draft_claims(
        days, data, prescribers, get_pharmacy(session), start=start, end=end,
        fmt=fmt, claimed=claimed, rebill=rebill, used_accounts=used, visits=visits,
    )
    in_period = [d for d in days if start <= d.date <= end]
    return ClaimPreview(
        fmt=fmt, start=start, end=end, drafts=drafts,
        hold_days=sum(1 for d in in_period if d.status == rules.HOLD),
        claimed_days=0 if rebill else sum(
            1 for d in in_period if d.status == rules.BILLABLE and (d.order_id, d.date) in claimed
        ),
    )


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def set_payer_claim_number(session: Session, *, actor: str, account_number: str,
                           number: str) -> Claim:
    """Record the payer's own number (ICN/DCN, from the remittance or the portal) for a claim,
    so its replacement names it in REF*F8 / box 22. The claim is the newest one holding
    `account_number`: a replacement keeps its original's account number, and the payer gives
    the replacement a number of its own. Who and when go to the history (kind "claim")."""
    authorize(session, actor, CLAIMS)
    acct = (account_number or "").strip().upper()
    value = (number or "").strip().upper()
    if not value:
        raise FieldError("number", "is empty: give the payer's claim number (ICN/DCN)")
    if len(value) > 50:
        raise FieldError("number", f"has {len(value)} characters; at most 50")
    if not PAYER_CLAIM_NUMBER_RE.fullmatch(value):
        bad = "".join(sorted({ch for ch in value if not re.fullmatch(r"[A-Z0-9-]", ch)}))
        raise FieldError("number", f'"{number}" holds {bad!r}: only letters, digits and '
                         "dashes can go into REF*F8")
    claim = session.exec(select(Claim).where(Claim.patient_account_number == acct)
                         .order_by(col(Claim.id).desc())).first()
    if claim is None:
        raise FieldError("claim", f'no claim with the account number "{account_number}"')
    claim.payer_claim_number = value
    session.add(claim)
    session.flush()
    log_version(session, CLAIM, str(claim.id), {
        "account_number": claim.patient_account_number, "batch_id": claim.batch_id,
        "frequency_code": claim.frequency_code, "payer_claim_number": value,
    }, actor, None)
    note_change(session, CLAIM, claim.patient_id)
    return claim


def take_control_numbers(session: Session, count: int) -> tuple[int, ...]:
    """The next `count` interchange control numbers; the last one is stored on the pharmacy."""
    row = session.get(Pharmacy, 1)
    if row is None:
        raise DomainError("The pharmacy's settings are missing: fill them in before exporting.")
    numbers = []
    last = row.last_control_number or 0
    for _ in range(count):
        last = last + 1 if last < MAX_CONTROL_NUMBER else 1
        numbers.append(last)
    row.last_control_number = last
    session.add(row)
    session.flush()
    return tuple(numbers)


def record_batch(session: Session, *, actor: str, drafts: list[ClaimDraft], fmt: str,
                 start: dt.date, end: dt.date, file_name: str, created_at: dt.datetime,
                 control_number: int | None = None,
                 claim_files: dict[str, str] | None = None,
                 snapshots: dict[str, dict] | None = None,
                 status: str = batch_files.COMPLETED, files: str | None = None) -> int:
    """Record a batch, its claims and their days; returns the batch id.
    `claim_files` names the file of each claim (by account number) when a batch is several
    files (an 837P per payer); otherwise every claim is in `file_name`. `snapshots` holds
    what each claim was sent as (models/claims/sent.py), by account number. An export records
    its batch `pending` with its `files` (batch_files.files_json) before writing them.

    Refuses (Conflict) a day that another claim already bills, e.g. one exported meanwhile
    from another workstation, unless the draft replaces that very claim."""
    authorize(session, actor, CLAIMS)
    dates = [day for d in drafts for _, day in d.days]
    claimed = claimed_days(session, start=min(dates), end=max(dates)) if dates else {}
    held = claimed_visits(session) if any(d.visits for d in drafts) else {}
    for d in drafts:
        for visit_id in d.visits:  # R34: a visit is billed on one claim at a time
            holder = held.get(visit_id)
            if holder is not None and holder.claim_id != d.replaces_claim_id:
                raise Conflict(f"Nursing visit {visit_id} is already {holder.label} "
                               f"(claim {holder.account_number}).")
        for key in d.days:
            holder = claimed.get(key)
            if holder is not None and holder.claim_id != d.replaces_claim_id:
                raise held_days.billed_meanwhile(
                    f"Order {key[0]} on {key[1]:%Y-%m-%d} is already {holder.label} "
                    f"(claim {holder.account_number}).")
    batch = ClaimBatch(created_at=created_at, created_by=actor, format=fmt,
                       period_start=start, period_end=end, file_name=file_name[:260],
                       control_number=control_number, status=status, files=files)
    audit.record(session, actor, audit.CLAIM_BATCH, detail=(
        f"{fmt}, {start:%Y-%m-%d} to {end:%Y-%m-%d}, {len(drafts)} claim"
        f"{'s' if len(drafts) != 1 else ''}, {Path(file_name).name}"))
    session.add(batch)
    session.flush()
    # three statements whatever the number of claims: the claims, their ids, their days
    if drafts:
        session.execute(insert(Claim), [dict(
            batch_id=batch.id, patient_account_number=d.account_number, patient_id=d.patient.id,
            payer_id=d.payer.id, month=d.month, frequency_code=d.frequency_code,
            original_reference=d.original_reference, replaces_claim_id=d.replaces_claim_id,
            total_charge=d.total_charge,
            file_name=(claim_files or {}).get(d.account_number, file_name)[:260],
            snapshot=(snapshots or {}).get(d.account_number),
        ) for d in drafts])
        ids = dict(session.execute(select(Claim.patient_account_number, Claim.id)
                                   .where(Claim.batch_id == batch.id)).all())
        # the claims replaced (or voided) release their days before these hold them
        held_days.recheck(session, (d.replaces_claim_id for d in drafts))
        days = [dict(claim_id=ids[d.account_number], order_id=o, date=day,
                     in_force=d.frequency_code != held_days.VOID)
                for d in drafts for o, day in d.days]
        if days:  # a batch of claims of nursing visits alone (R34) holds no day
            held_days.insert_days(session, days)
        visits = [dict(claim_id=ids[d.account_number], visit_id=v)
                  for d in drafts for v in d.visits]
        if visits:
            session.execute(insert(ClaimVisit), visits)
    session.flush()
    note_change(session, CLAIM)
    for d in drafts:
        note_change(session, CLAIM, d.patient.id)
    return batch.id


def export_claims(work: Transactions, *, actor: str, start: dt.date, end: dt.date, fmt: str,
                  out: Path, render: Renderer, patient_id: str | None = None,
                  rebill: bool = False, now: dt.datetime | None = None) -> ExportResult:
    """Draft, check, write and record one batch, in the three durable steps of
    models/claims/batch_files.py: the batch recorded `pending` (one transaction of `work`,
    a unit_of_work factory), its files written and flushed to disk, the batch `completed`
    (a second transaction). Claims with problems are left out (and listed); when no claim is
    good, no file is written and nothing is recorded.

    An 837P for several receivers (no clearinghouse set, so each payer is one) becomes one
    file per receiver, `out` named `<stem>-<receiver id><suffix>`: a file goes to one
    receiver, who must neither reject it for the others' envelopes nor see their patients.

    A failure while writing removes the files already written and the pending batch; a crash
    leaves a pending batch that the next open of the database settles."""
    if out.is_dir():
        raise FieldError("out", f"{out} is a folder: give a file name, e.g. {out / 'claims'}")
    if not out.parent.is_dir():
        raise FieldError("out", f"{out.parent}: no such folder")
    with work() as session:
        result, files = _record_pending(session, actor=actor, start=start, end=end, fmt=fmt,
                                        out=out, render=render, patient_id=patient_id,
                                        rebill=rebill, now=now)
    if result.batch_id is None:
        return result
    try:
        for path, content in files:
            batch_files.write_durably(path, content)
    except BaseException:
        batch_files.roll_back(work, result.batch_id)
        raise
    with work() as session:
        completed = batch_files.complete(session, result.batch_id)
    if not completed:
        raise Conflict(f"Claim batch {result.batch_id} was rolled back while its files were "
                       "being written (PerDiem was opened on this database meanwhile and took "
                       "it for interrupted). Its days are not claimed: export them again.")
    result.paths = [path for path, _ in files]
    result.written = result.preview.good
    return result


def _record_pending(session: Session, *, actor: str, start: dt.date, end: dt.date, fmt: str,
                    out: Path, render: Renderer, patient_id: str | None, rebill: bool,
                    now: dt.datetime | None) -> tuple[ExportResult, list[tuple[Path, bytes]]]:
    """Step 1 of an export: the drafts rendered and the batch recorded pending with the
    files it is about to write (path, content)."""
    authorize(session, actor, CLAIMS)
    preview = prepare_claims(session, start, end, fmt=fmt, patient_id=patient_id, rebill=rebill)
    result = ExportResult(preview=preview)
    good = preview.good
    if not good:
        return result, []
    pharmacy = get_pharmacy(session)
    assert pharmacy is not None  # a claim without pharmacy settings has a problem
    created = now or dt.datetime.now().astimezone().replace(microsecond=0)
    numbers: tuple[int, ...] = ()
    if fmt == "837p":
        numbers = take_control_numbers(session, len(interchanges(good, pharmacy)))
        pharmacy = get_pharmacy(session)
        assert pharmacy is not None
    groups = [(out, good, numbers)]
    if fmt == "837p" and len(numbers) > 1:
        groups = [(out.with_name(f"{out.stem}-{_file_safe(rec[1])}{out.suffix}"), group, (n,))
                  for (rec, group), n in zip(interchanges(good, pharmacy), numbers,
                                             strict=True)]
    contexts = [BatchContext(pharmacy=pharmacy, created_at=created, control_numbers=nums)
                for _, _, nums in groups]
    files = [(path, render(group, c)) for (path, group, _), c in zip(groups, contexts,
                                                                     strict=True)]
    if fmt == "837p":  # PerDiem's own checks, on what is about to be sent (issue 11)
        found = [str(i) for _, content in files for i in file_issues(content.decode("ascii"))]
        if found:
            raise DomainError("The 837P would be refused; nothing was written:\n"
                              + "\n".join(found))
    result.batch_id = record_batch(
        session, actor=actor, drafts=good, fmt=fmt, start=start, end=end,
        file_name=str(groups[0][0]) + "".join(f"; {path.name}" for path, _, _ in groups[1:]),
        created_at=created, control_number=numbers[0] if numbers else None,
        claim_files={d.account_number: str(path) for path, group, _ in groups for d in group},
        snapshots={d.account_number: snapshot(d, c)
                   for (_, group, _), c in zip(groups, contexts, strict=True) for d in group},
        status=batch_files.PENDING, files=batch_files.files_json(files),
    )
    return result, files


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created_at: dt.datetime
    created_by: str
    format: str
    period_start: dt.date
    period_end: dt.date
    file_name: str
    claims: int
    total_charge: Decimal


def list_batches(session: Session) -> list[BatchSummary]:
    """Every recorded batch, newest first."""
    batches = session.exec(select(ClaimBatch).order_by(col(ClaimBatch.id).desc())).all()
    rows = session.exec(select(Claim.batch_id, Claim.total_charge)).all()
    count: dict[int, int] = {}
    total: dict[int, Decimal] = {}
    for batch_id, charge in rows:
        count[batch_id] = count.get(batch_id, 0) + 1
        total[batch_id] = total.get(batch_id, Decimal(0)) + charge
    return [BatchSummary(b.id, b.created_at, b.created_by, b.format, b.period_start,
                         b.period_end, b.file_name, count.get(b.id, 0),
                         total.get(b.id, Decimal("0.00"))) for b in batches]
