"""The example's October billed through claim export, and the payer's claim number (ICN/DCN)
recorded on a claim: the start of the claim number tests of the service, the command line and
the calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models.claims import batches as claim_batches
from models.db import transactions, unit_of_work
from reports.claims import x12_837p

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
D7 = dt.date(2026, 10, 7)
NOW = dt.datetime(2026, 11, 27, 9, 30)
ICN = "ICN-20261105-77"
UNKNOWN = "is not recorded"  # the warning while the payer's number is unknown


def export(engine, out: Path, fmt: str = "837p", render=x12_837p.render, rebill=False):
    return claim_batches.export_claims(transactions(engine), actor="test", start=OCT[0],
                                       end=OCT[1], fmt=fmt, out=out, render=render,
                                       rebill=rebill, now=NOW)


def set_number(engine, number: str, account: str, actor: str = "biller"):
    with unit_of_work(engine) as session:
        claim = claim_batches.set_payer_claim_number(session, actor=actor,
                                                     account_number=account, number=number)
        return claim.id, claim.payer_claim_number
