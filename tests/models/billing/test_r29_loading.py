"""R29-R32 on a real database (the demo pharmacy, whose Access Health Plan pays access days):
a period reads what its access days need (issue 8: only what can affect it, 7 days either
side when a payer bills access days), and a payer left at the defaults bills exactly what
Part 1 bills (its days and its claims do not move when another payer's contract changes)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlmodel import Session, select

from models.billing import loading
from models.claims import batches
from models.db import unit_of_work
from models.records.tables import Payer
from models.vocab import ACCESS_DAYS, INFUSION_DAYS
from tests.support.databases import DEMO_TODAY, billing_ready
from tests.support.recorded import today_is

ACCESS_PAYER = "ahp"


def _set_basis(engine, basis: str) -> None:
    with unit_of_work(engine) as session:
        session.get(Payer, ACCESS_PAYER).per_diem_basis = basis


@pytest.mark.parametrize(("start", "end"), [
    (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
    (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    (dt.date(2026, 10, 18), dt.date(2026, 10, 18)),  # one day: between two doses
    (dt.date(2026, 10, 10), dt.date(2026, 10, 23)),
])
def test_r29_a_period_gives_what_the_whole_history_gives_for_it(demo_engine, start, end):
    with today_is(DEMO_TODAY), Session(demo_engine) as session:
        whole = loading.billable_days(session)
        period = loading.billable_days(session, start, end)
    assert period == [r for r in whole if start <= r.date <= end]
    assert any(r.basis == ACCESS_DAYS for r in whole)


def test_r29_random_windows_and_one_patient_give_what_the_whole_history_gives(demo_engine):
    rng = random.Random(29)
    with today_is(DEMO_TODAY), Session(demo_engine) as session:
        whole = loading.billable_days(session)
        patient = next(r.patient_id for r in whole if r.basis == ACCESS_DAYS)
        for _ in range(25):
            start = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(90))
            end = start + dt.timedelta(days=rng.choice([0, 1, 2, 6, 13, 40]))
            who = rng.choice([None, patient])
            expected = [r for r in whole if start <= r.date <= end
                        and who in (None, r.patient_id)]
            assert loading.billable_days(session, start, end, who) == expected, (start, end)


def test_r29_the_demo_access_patient_bills_the_days_between_doses(demo_engine):
    with today_is(DEMO_TODAY), Session(demo_engine) as session:
        days = [r for r in loading.billable_days(session) if r.payer_id == ACCESS_PAYER]
    given = [r for r in days if r.basis == INFUSION_DAYS]
    between = [r for r in days if r.basis == ACCESS_DAYS]
    assert not given  # every day of this q48h order is an access day
    dates = [r.date for r in between]
    assert dates == [dates[0] + dt.timedelta(days=i) for i in range(len(dates))]  # no gap
    assert len(dates) >= 30 and dates[-1] <= DEMO_TODAY


def test_r29_r32_payers_at_the_defaults_keep_their_days_and_claims(demo_engine):
    """The access payer's contract moves only its own patient's days and claims: every other
    payer's billable days and claim drafts (lines, charges, account numbers) are the same as
    with that payer back at the defaults, that is, as Part 1 bills them."""
    billing_ready(demo_engine)

    def state():
        with today_is(DEMO_TODAY), Session(demo_engine) as session:
            days = [r for r in loading.billable_days(session) if r.payer_id != ACCESS_PAYER]
            drafts = batches.prepare_claims(session, dt.date(2026, 9, 1),
                                            dt.date(2026, 11, 30), fmt="837p").drafts
            claims = [(d.account_number, d.total_charge, d.lines) for d in drafts
                      if d.payer.id != ACCESS_PAYER]
            access = [d for d in drafts if d.payer.id == ACCESS_PAYER]
        return days, claims, access

    days, claims, access = state()
    _set_basis(demo_engine, INFUSION_DAYS)
    days_default, claims_default, access_default = state()
    assert days == days_default and claims == claims_default
    assert len(claims) > 20
    # and the access payer's own claims bill more per diem units on access days
    assert sum(d.per_diem_units for d in access) > sum(d.per_diem_units
                                                       for d in access_default)


def test_r29_r13_a_dose_before_an_authorization_chain_opens_access_days_in_it(demo_engine):
    """The access patient's first dose (day d, q48h) makes d+1 an access day; an
    authorization starting on d+1 gives it a unit (R13). A chain A1 (d+1..d+30, 19 units) then
    A2 (d+20..d+60, 5 units): A1 runs out on d+19, so A2's 5 units go to d+20..d+24 and d+25
    is exhausted. A later period reads that chain back to its start and the dose before it:
    the same days as the whole history, and the authorizations tab counts the same units."""
    from models.records.tables import Authorization, Infusion, Order

    with unit_of_work(demo_engine) as session:
        session.get(Payer, ACCESS_PAYER).requires_prior_auth = True
        order = session.exec(select(Order).where(Order.dosing_interval_days == 2)).one()
        d = min(e.date for e in session.exec(select(Infusion).where(
            Infusion.order_id == order.id, Infusion.voided == False)))  # noqa: E712
        for aid, lo, hi, units in (("pa-a1", 1, 30, 19), ("pa-a2", 20, 60, 5)):
            session.add(Authorization(
                id=aid, patient_id=order.patient_id, payer_id=ACCESS_PAYER, number=aid.upper(),
                code=order.per_diem_code, start_date=d + dt.timedelta(days=lo),
                end_date=d + dt.timedelta(days=hi), units=units))
        patient = order.patient_id

    def status(rows, n):
        (r,) = [r for r in rows if r.date == d + dt.timedelta(days=n) and r.patient_id == patient]
        return r.authorization_id, "authorization-exhausted" in r.reasons

    with today_is(DEMO_TODAY), Session(demo_engine) as session:
        whole = loading.billable_days(session)
        assert [status(whole, n) for n in (1, 19, 20, 24, 25)] == [
            ("pa-a1", False), ("pa-a1", False), ("pa-a2", False), ("pa-a2", False),
            (None, True)]
        start, end = d + dt.timedelta(days=22), d + dt.timedelta(days=40)
        period = loading.billable_days(session, start, end)
        assert period == [r for r in whole if start <= r.date <= end]
        assert loading.authorization_usage(session, patient) == {"pa-a1": 19, "pa-a2": 5}


def test_r29_r30_the_packet_says_which_days_are_access_days(demo_engine):
    """The checklist row of each access day says so, read back from the PDF."""
    import io

    from pypdf import PdfReader

    from models.billing.packet_data import load_packet_data
    from reports.packet import render_packet

    with today_is(DEMO_TODAY), Session(demo_engine) as session:
        days = [r for r in loading.billable_days(session, dt.date(2026, 10, 1),
                                                 dt.date(2026, 10, 31))
                if r.payer_id == ACCESS_PAYER]
        data = load_packet_data(session, patient_id=days[0].patient_id,
                                start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                                prepared_by="t", created_at=dt.datetime(2026, 11, 27, 9))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages)
    text = " ".join(text.split())  # a narrow column wraps the words
    assert text.count("Access day (R29): on service between doses") == len(days) > 10
