"""Expected revenue in the month view (issue 15) on the demo pharmacy: a month's billable
nursing visit lines (R34) and compound order component lines (R21) count too, priced by R32
with the claims' own price functions, so a patient's expected revenue is what their claims'
lines (at the payer's expected amount, else the charge; JW waste lines left out) add up to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from models.billing import month
from models.claims import batches
from models.claims.claim import COMPONENT, VISIT
from models.db import snapshot
from tests.support.databases import DEMO_TODAY
from tests.support.recorded import today_is

SEPTEMBER, NOVEMBER = dt.date(2026, 9, 1), dt.date(2026, 11, 1)  # the IVIG visits' months


def _claimed_worth(engine, first: dt.date) -> tuple[dict[str, Decimal], dict[str, set[str]]]:
    """Per patient: the month's claim lines as every claim would bill them now (rebill: the
    claims already sent included), at the expected amount else the charge; and line kinds."""
    last = month.Month(first, [], []).dates[-1]
    with today_is(DEMO_TODAY), snapshot(engine) as s:
        preview = batches.prepare_claims(s, first, last, fmt="csv", rebill=True)
    worth: dict[str, Decimal] = defaultdict(Decimal)
    kinds: dict[str, set[str]] = defaultdict(set)
    for draft in preview.drafts:
        for ln in draft.lines:
            if "JW" in ln.modifiers:  # waste: billed, not expected to be paid
                continue
            worth[draft.patient.id] += ln.expected if ln.expected is not None else ln.charge
            kinds[draft.patient.id].add(ln.kind)
    return worth, kinds


@pytest.mark.parametrize("first", [SEPTEMBER, NOVEMBER])
def test_r32_r34_expected_revenue_is_what_the_claims_lines_bring(demo_engine, first):
    worth, kinds = _claimed_worth(demo_engine, first)
    with today_is(DEMO_TODAY), snapshot(demo_engine) as s:
        rows = {r.patient_id: r.expected for r in month.load_month(s, first).rows}
    visits = [p for p, k in kinds.items() if VISIT in k]
    compounds = [p for p, k in kinds.items() if COMPONENT in k]
    assert visits and compounds, "the demo has an IVIG visits patient and a TPN patient"
    assert {p: rows[p] for p in worth} == dict(worth)  # every patient, to the cent
    assert all(rows[p] == Decimal("0.00") for p in set(rows) - set(worth))
