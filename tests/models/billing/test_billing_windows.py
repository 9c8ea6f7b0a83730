"""Billing reads only what a period needs (issue 8), yet gives exactly what evaluating the whole
history gave: windowed billable days, R13 units, claim drafts and packets are compared with the
former full-history path (tests/support/billing_reference.py) on generated pharmacies made harder
(chained authorizations, short ones, voided records) and on the demo, over random windows:
single days, months, spans across authorization boundaries, open ends and the whole history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from models import clock
from models.billing import loading, rules
from models.billing.packet_data import load_packet_data
from models.billing.visit_data import load_visit_data
from models.billing.visits import evaluate_visits
from models.claims import batches as claim_batches
from models.claims.claim import month_end, month_of
from models.claims.drafts import draft_claims
from models.claims.visit_claims import VisitBilling
from models.db import open_database, unit_of_work
from models.records import reference
from models.records.tables import Payer
from models.vocab import INFUSION_DAYS
from tests.support.billing_reference import (
    full_billing_data,
    reference_authorization_usage,
    reference_evaluate,
    reference_packet_data,
)
from tests.support.databases import copy_database
from tests.support.generated_pharmacy import name_lots, write_generated

SEEDS = (1, 2, 3)
CREATED = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture(scope="module")
def pharmacies(tmp_path_factory, migrated_template, demo_template) -> Iterator[dict[str, object]]:
    """Three generated pharmacies (5 patients, 2 years) and the demo, each in its own file
    (copies of the suite's migrated database and demo pharmacy)."""
    folder = tmp_path_factory.mktemp("pharmacies")
    engines = {}
    for seed in SEEDS:
        path = folder / f"gen{seed}.sqlite"
        copy_database(migrated_template.path, path)
        engines[f"generated-{seed}"] = engine = open_database(f"sqlite:///{path}")
        write_generated(engine, patients=5, years=2, seed=seed)
    copy_database(demo_template.path, folder / "demo.sqlite")
    engines["demo"] = open_database(f"sqlite:///{folder / 'demo.sqlite'}")
    # the reference is the former, Part 1 code: the demo's access-days payer (R29) bills
    # infusion days here; tests/models/billing/test_r29_loading.py windows its access days
    with unit_of_work(engines["demo"]) as s:
        s.get(Payer, "ahp").per_diem_basis = INFUSION_DAYS
    yield engines
    for engine in engines.values():
        engine.dispose()


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    return month_of(day), month_end(day)


def windows(data: rules.BillingData, rng: random.Random, count: int
            ) -> list[tuple[dt.date | None, dt.date | None]]:
    """Random windows over the data's dates, with authorization boundaries inside them."""
    dates = sorted({e.date for e in data.infusions})
    first, last = dates[0] - dt.timedelta(days=3), dates[-1] + dt.timedelta(days=3)
    span = (last - first).days

    def day() -> dt.date:
        return first + dt.timedelta(days=rng.randrange(span))

    out: list[tuple[dt.date | None, dt.date | None]] = [(None, None), (None, day()),
                                                         (day(), None)]
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0:  # a single day
            d = day()
            out.append((d, d))
        elif kind == 1:  # a calendar month
            out.append(_month(day()))
        elif kind == 2 and data.authorizations:  # across an authorization's start or end
            a = rng.choice(data.authorizations)
            edge = rng.choice([a.start_date, a.end_date, a.end_date + dt.timedelta(days=1)])
            out.append((edge - dt.timedelta(days=rng.randrange(0, 20)),
                        edge + dt.timedelta(days=rng.randrange(0, 40))))
        else:  # any span, up to a year
            d = day()
            out.append((d, d + dt.timedelta(days=rng.randrange(0, 366))))
    return out


def test_windowed_billable_days_equal_the_full_history_evaluation(pharmacies):
    rng = random.Random(8)
    for name, engine in pharmacies.items():
        with Session(engine) as s:
            full = full_billing_data(s)
            patients = sorted(full.patients)
            # the former evaluation evaluated every day and then kept the window's, so one run
            # over the whole history is the reference for every window and patient
            history = reference_evaluate(full)
            assert rules.evaluate(full) == history, name
            for i, (start, end) in enumerate(windows(full, rng, 30)):
                patient = rng.choice([None, None, *patients])
                expected = [r for r in history if (start is None or r.date >= start)
                            and (end is None or r.date <= end)
                            and patient in (None, r.patient_id)]
                assert loading.billable_days(s, start, end, patient) == expected, (
                    name, start, end, patient)
                if i % 5 == 0:  # the rules as they are now, on the whole history, too
                    assert rules.evaluate(full, start, end, patient) == expected


def test_a_window_reads_no_service_day_outside_it_and_only_r13_days_before(pharmacies):
    """The windowed data holds the window's entries only; earlier days are R13 prior days of
    authorizations that reach into the window, and none of them is later than it starts."""
    engine = pharmacies["generated-1"]
    with Session(engine) as s:
        full = full_billing_data(s)
        start, end = _month(sorted(e.date for e in full.infusions)[len(full.infusions) // 2])
        data = loading.load_billing_data(s, None, start, end)
    assert {e.date for e in data.infusions} <= {e.date for e in full.infusions
                                                if start <= e.date <= end}
    assert all(d.date < start for d in data.prior_days)
    reach = min((a.start_date for a in data.authorizations), default=start)
    assert all(d.date >= reach for d in data.prior_days)
    assert len(data.infusions) < len(full.infusions) / 4


def test_authorization_usage_equals_the_full_history_count(pharmacies):
    for name, engine in pharmacies.items():
        with Session(engine) as s:
            full = full_billing_data(s)
            used = reference_authorization_usage(full)
            owner = {a.id: a.patient_id for a in full.authorizations}
            assert any(used.values()), name
            for patient in sorted(full.patients):
                expected = {k: n for k, n in used.items() if owner[k] == patient}
                assert loading.authorization_usage(s, patient) == expected, (name, patient)


def _every_visit(s, full, span) -> VisitBilling:
    """R34 over every nursing visit on file (the demo's), not the window's read."""
    every = load_visit_data(s, None, None)
    results = [r for r in evaluate_visits(every.visits, every.patients, every.payers,
                                          every.authorizations, start=span[0], end=span[1])
               if r.status == rules.BILLABLE and r.date <= clock.today()]
    return VisitBilling(results, {v.id: v for v in every.visits}, {},
                        {o.id: o for o in full.orders}, every.patients)


def test_claim_drafts_equal_those_made_from_the_full_history(pharmacies):
    rng = random.Random(9)
    for name, engine in pharmacies.items():
        with Session(engine) as s:
            full = full_billing_data(s)
            prescribers = {p.id: p for p in reference.list_prescribers(s)}
            pharmacy = reference.get_pharmacy(s)
            for start, end in windows(full, rng, 4)[3:]:
                start = start or dt.date(2024, 1, 1)
                end = max(end or start, start)
                span = month_of(start), month_end(end)
                expected = draft_claims(
                    reference_evaluate(full, *span), full, prescribers, pharmacy, start=start,
                    end=end, fmt="837p", visits=_every_visit(s, full, span))
                preview = claim_batches.prepare_claims(s, start, end, fmt="837p")
                assert preview.drafts == expected, (name, start, end)


def test_packets_equal_those_gathered_from_the_whole_history(pharmacies):
    rng = random.Random(10)
    for name, engine in pharmacies.items():
        with Session(engine) as s:
            full = full_billing_data(s)
            for _ in range(3):
                patient = rng.choice(sorted(full.patients))
                start, end = _month(rng.choice(full.infusions).date)
                kw = dict(patient_id=patient, start=start, end=end, prepared_by="Jia Lee",
                          created_at=CREATED)
                assert load_packet_data(s, **kw) == reference_packet_data(s, **kw), (
                    name, patient, start)


def test_r28_windowed_days_with_named_lots_equal_the_full_history_evaluation(
        tmp_path, migrated_template):
    """R28: entries naming their lot (covering notes, notes that do not cover the day, other
    orders' notes, notes not on file, beyond-use hours) give the same days windowed as over the
    whole history, and as the plain reference reading of R28; and the lots change results."""
    path = tmp_path / "lots.sqlite"
    copy_database(migrated_template.path, path)
    engine = open_database(f"sqlite:///{path}")
    try:
        write_generated(engine, patients=4, years=1, seed=28)
        assert name_lots(engine, seed=28) > 100
        rng = random.Random(28)
        with Session(engine) as s:
            full = full_billing_data(s)
            history = reference_evaluate(full)
            assert rules.evaluate(full) == history
            for start, end in windows(full, rng, 25):
                patient = rng.choice([None, None, *sorted(full.patients)])
                expected = [r for r in history if (start is None or r.date >= start)
                            and (end is None or r.date <= end)
                            and patient in (None, r.patient_id)]
                assert loading.billable_days(s, start, end, patient) == expected, (
                    start, end, patient)
        # the named lots decide some days: without them (Part 1) those days read otherwise
        unnamed = [e.model_copy(update={"prep_note": None}) for e in full.infusions]
        part1 = rules.evaluate(rules.BillingData(**{**vars(full), "infusions": unnamed}))
        assert sum(a.reasons != b.reasons for a, b in zip(history, part1, strict=True)) > 5
    finally:
        engine.dispose()
