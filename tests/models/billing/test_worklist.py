"""Today's work list (issue 16 item 1) on the demo pharmacy, checked against the rules' own
output: every hold of the rules (R5-R12) is on it once per order and reason, every R7 order,
every unclaimed billable day, R13's units left; and `main.py worklist` prints the same list."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

import main
from models.billing import loading, rules, worklist
from models.claims.batches import claimed_days
from models.db import snapshot, unit_of_work
from models.records import clinical, registry
from models.records.reference import list_authorizations
from models.records.rows import new_id
from models.records.tables import InfusionBase
from tests.support.databases import DEMO_TODAY, db_arg
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

TODAY = DEMO_TODAY


def _work(engine) -> worklist.WorkList:
    with snapshot(engine) as s:
        return worklist.build_worklist(s, TODAY)


def test_holds_are_the_rules_holds_one_line_per_order_and_reason(demo_engine):
    """R5-R12: the hold section is exactly the rules' hold days of the last month."""
    work = _work(demo_engine)
    with snapshot(demo_engine) as s:
        days = loading.billable_days(s, TODAY - dt.timedelta(days=worklist.HOLD_DAYS), TODAY)
    expected = {(reason, d.order_id) for d in days if d.status == rules.HOLD
                for reason in d.reasons}
    shown = [(i.reason, i.order_id) for i in work.section(worklist.HOLDS)]
    assert expected, "the demo pharmacy has holds"
    assert sorted(shown) == sorted(expected) and len(shown) == len(set(shown))
    for item in work.section(worklist.HOLDS):  # each opens the form of the reason's kind
        assert item.kind == rules.REASONS[item.reason].fixed_in
        first = min(d.date for d in days if d.order_id == item.order_id
                    and item.reason in d.reasons)
        assert item.day == first


def test_unsigned_orders_are_r7s(demo_engine):
    work = _work(demo_engine)
    with snapshot(demo_engine) as s:
        orders = clinical.list_records(s, registry.ORDER)
    expected = {o.id for o in orders if o.active_on(TODAY) and o.signed_date is None}
    assert expected
    assert {i.record_id for i in work.section(worklist.UNSIGNED)} == expected


def test_claims_ready_count_every_unclaimed_billable_day(demo_engine):
    work = _work(demo_engine)
    start = TODAY - dt.timedelta(days=worklist.HOLD_DAYS)
    with snapshot(demo_engine) as s:
        days = loading.billable_days(s, start, TODAY)
        claimed = claimed_days(s, start=start, end=TODAY)
    per_patient = Counter(d.patient_id for d in days if d.status == rules.BILLABLE
                          and (d.order_id, d.date) not in claimed)
    shown = {i.patient_id: int(i.text.split()[0]) for i in work.section(worklist.CLAIMS)}
    assert shown == dict(per_patient)


def test_authorizations_show_r13_units_left(demo_engine):
    work = _work(demo_engine)
    items = work.section(worklist.AUTHORIZATIONS)
    assert items
    with snapshot(demo_engine) as s:
        auths = {a.id: a for a in list_authorizations(s)}
        for item in items:
            a = auths[item.record_id]
            left = a.units - loading.authorization_usage(s, a.patient_id).get(a.id, 0)
            assert f"{worklist.plural(left, 'unit')} left" in item.text
            assert a.covers(TODAY)
            assert (a.end_date - TODAY).days <= worklist.AUTH_ENDING_DAYS or (
                left <= worklist.FEW_UNITS)


def test_logging_an_entry_takes_it_off_the_list(demo_engine):
    """An order due today leaves the list once today's entry is saved (R1's day is logged)."""
    before = [i for i in _work(demo_engine).section(worklist.UNLOGGED) if i.day == TODAY]
    assert before
    item = before[0]
    for i in before:
        with snapshot(demo_engine) as s:
            order = clinical.get_record(s, registry.ORDER, i.order_id)
            assert order.active_on(TODAY)
            assert not [e for e in clinical.list_records(s, registry.INFUSION,
                                                         order_id=i.order_id) if e.date == TODAY]
    with today_is(TODAY), unit_of_work(demo_engine) as s:  # logged on the day (R26)
        clinical.create_record(s, actor="test", kind=registry.INFUSION, data=InfusionBase(
            id=new_id(s, registry.INFUSION), order_id=item.order_id, date=TODAY, status="held",
            setting="home", notes="patient asked to wait"))
    after = {(i.order_id, i.day) for i in _work(demo_engine).section(worklist.UNLOGGED)}
    assert (item.order_id, TODAY) not in after


def test_the_command_prints_the_list(demo_engine, capsys):
    work = _work(demo_engine)
    db = db_arg(demo_engine)
    demo_engine.dispose()
    assert main.main(["--db", str(db), "worklist", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Work list for 11/27/2026")
    for key, title in worklist.SECTIONS.items():
        assert f"{title} ({len(work.section(key))})" in out
    assert out == worklist.to_text(work)


def test_units_left_come_from_the_periods_own_data_as_r13_counts_them(demo_engine):
    """R13 (issue 8): the work list reads the units used off its own period's data (the
    authorization chains reaching today and their earlier service days), not a second count
    over every patient's history; for every authorization in force today both agree."""
    with snapshot(demo_engine) as s:
        in_force = [a for a in list_authorizations(s) if a.covers(TODAY)]
        data, _days = loading.billing_period(s, TODAY - dt.timedelta(days=worklist.HOLD_DAYS),
                                             TODAY)
        from_period = rules.authorization_units(data)
        assert in_force and any(from_period.get(a.id) for a in in_force)
        for a in in_force:
            assert from_period.get(a.id, 0) == loading.authorization_usage(
                s, a.patient_id).get(a.id, 0), a.id
