"""Every PerDiem call the benchmarks make, in one place: adapt here when an API changes.

Each function does what one screen or command does, through the public functions of models/
and reports/, and returns a short note (what it produced) for the report.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.billing import loading, month
from models.billing.packet_data import load_packet_data
from models.claims import batches, drafts
from models.db import unit_of_work
from models.records import reference
from models.records.tables import Claim
from reports.claims.claim_files import renderer
from reports.packet import render_packet

ACTOR = "benchmark"


def billable_days(session: Session, start: dt.date, end: dt.date) -> str:
    """The billable-days table of the whole pharmacy for a window."""
    return f"{len(loading.billable_days(session, start, end)):,} service days"


def month_view(session: Session, start: dt.date, end: dt.date) -> str:
    """What ui/billing/month_view.py loads for a month (models.billing.month.load_month): the
    days, patient and payer names, and the claimed days of that month."""
    shown = month.load_month(session, start)
    days = sum(len(row.results) for row in shown.rows)
    claimed = sum(row.claimed_count for row in shown.rows)
    on_file = session.execute(text("SELECT count(*) FROM claim_day")).scalar_one()
    return (f"{days:,} service days of {len(shown.rows)} patients, {len(shown.payers)} payers, "
            f"{claimed:,} claimed, {on_file:,} claimed days on file")


def patient_month(session: Session, patient_id: str, start: dt.date, end: dt.date) -> str:
    """What ui/billing/calendar_view.py loads for one patient's month."""
    days = loading.billable_days(session, start, end, patient_id)
    claimed = batches.claimed_days(session, patient_id, start=start, end=end)
    payers = {p.id: p.name for p in reference.list_payers(session)}
    return f"{len(days)} service days, {len(claimed)} claimed, {len(payers)} payers"


CLAIM_FILES = {"837p": "claims.837", "cms1500": "claims.pdf", "csv": "claims.csv"}


def export_claims(session: Session, start: dt.date, end: dt.date, fmt: str, folder: Path,
                  now: dt.datetime | None = None) -> str:
    """Draft, check, write and record a batch of claims for the window (rebill off)."""
    result = batches.export_claims(
        session, actor=ACTOR, start=start, end=end, fmt=fmt, out=folder / CLAIM_FILES[fmt],
        render=renderer(fmt), now=now or dt.datetime(2026, 11, 27, 9, 0))
    return f"{len(result.written)} claims, {len(result.refused)} refused"


def packet(session: Session, patient_id: str, start: dt.date, end: dt.date) -> str:
    """One patient's documentation packet for the window, as PDF bytes."""
    data = load_packet_data(session, patient_id=patient_id, start=start, end=end,
                            prepared_by=ACTOR, created_at=dt.datetime(2026, 11, 27, 9, 0))
    return f"{len(render_packet(data)) // 1024:,} KB, {len(data.mar)} MAR entries"


def record_claim_history(engine: Engine, months: list[tuple[dt.date, dt.date]]) -> int:
    """Record an 837P batch for each month in turn, as a pharmacy billing monthly does, so
    that later reads find years of claims on file. Returns the claims recorded.

    The batches are those `export_claims` records month after month (same drafts, same checks,
    one batch a month), but the billable days are evaluated once for all the months, as they
    do not depend on claims, and no file is written: exporting 58 months one by one took
    hours at 300 patients with the code of issue 8."""
    with unit_of_work(engine) as session:
        days = loading.billable_days(session, months[0][0], months[-1][1])
        data = loading.load_billing_data(session)
        prescribers = {p.id: p for p in reference.list_prescribers(session)}
        pharmacy = reference.get_pharmacy(session)
        used = set(session.exec(select(Claim.patient_account_number)).all())
    total = 0
    for first, last in months:
        # Earlier months' claims hold none of this month's days: nothing to leave out.
        made = drafts.draft_claims([d for d in days if first <= d.date <= last], data,
                                   prescribers, pharmacy, start=first, end=last, fmt="837p",
                                   used_accounts=used)
        good = [d for d in made if d.ok]
        if good:
            with unit_of_work(engine) as session:
                batches.record_batch(
                    session, actor=ACTOR, drafts=good, fmt="837p", start=first, end=last,
                    file_name=f"{first:%Y-%m}.837",
                    created_at=dt.datetime.combine(last + dt.timedelta(days=5), dt.time(9)))
        used |= {d.account_number for d in good}
        total += len(good)
        print(f"claims for {first:%Y-%m}: {len(good)}", file=sys.stderr, flush=True)
    return total
