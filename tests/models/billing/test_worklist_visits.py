"""R34 on the work list (issue 15): nursing visits on hold in the last HOLD_DAYS are work items,
one per visit and reason, each naming the record that settles it (the visit when incomplete,
a new 99601 authorization when none covers it, the 99601 authorization that ran out), on the
Today page (tests/ui/billing/test_today_visits.py) and in `main.py worklist`."""

from __future__ import annotations

import datetime as dt

import pytest

import main
from models.billing import worklist
from models.db import snapshot, sqlite_path, unit_of_work
from models.records import reference, registry
from models.records.tables import AuthorizationBase, NursingVisitBase
from tests.support.recorded import create_on_its_day

TODAY = dt.date(2026, 10, 30)


def _visit(engine, vid: str, day: dt.date, **kw) -> None:
    values = dict(id=vid, patient_id="p-1001", order_id="o-1", date=day,
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  visit_type="routine", note="IVIG at home")
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.NURSING_VISIT,
                          data=NursingVisitBase(**{**values, **kw}))


def _authorize(engine, units: int) -> None:
    with unit_of_work(engine) as s:
        reference.save_authorization(s, actor="t", data=AuthorizationBase(
            id="pa-v", patient_id="p-1001", payer_id="bcx", number="PAV1", code="99601",
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31), units=units))


def held_visits(engine):
    """nv-1 (10/07) with no 99601 authorization; nv-2 (10/20) without its nurse and note;
    nv-0 (08/12) before the last HOLD_DAYS, not listed."""
    _visit(engine, "nv-0", dt.date(2026, 8, 12), nurse=None, note=None)
    _visit(engine, "nv-1", dt.date(2026, 10, 7))
    _visit(engine, "nv-2", dt.date(2026, 10, 20), nurse=None, note=None)
    return engine


def _items(engine) -> list[worklist.WorkItem]:
    with snapshot(engine) as s:
        return worklist.build_worklist(s, TODAY).section(worklist.VISITS)


@pytest.fixture
def held(example_engine):
    return held_visits(example_engine)


def test_r34_visits_on_hold_are_work_items_with_the_record_that_settles_them(held):
    items = [(i.reason, i.text, i.kind, i.record_id, i.order_id, i.day, i.code)
             for i in _items(held)]
    new_auth = (registry.AUTHORIZATION.key, None, "o-1")
    assert items == [
        ("no-authorization", "visit nv-1 (o-1), 10/07/2026: The payer requires prior "
         "authorization and none for 99601 covers this visit (R5)", *new_auth,
         dt.date(2026, 10, 7), "99601"),
        ("no-authorization", "visit nv-2 (o-1), 10/20/2026: The payer requires prior "
         "authorization and none for 99601 covers this visit (R5)", *new_auth,
         dt.date(2026, 10, 20), "99601"),
        ("incomplete-visit", "visit nv-2 (o-1), 10/20/2026: The visit record is incomplete "
         "(R34)", registry.NURSING_VISIT.key, "nv-2", "o-1", dt.date(2026, 10, 20), None),
    ]


def test_r34_an_exhausted_authorization_is_the_one_to_extend(held):
    """With one visit authorized, nv-2 has used none left: its line opens PAV1 (R6)."""
    _authorize(held, units=1)
    items = [(i.reason, i.record_id, i.code) for i in _items(held)]
    assert items == [("authorization-exhausted", "pa-v", "99601"),
                     ("incomplete-visit", "nv-2", None)]
    _authorize(held, units=2)
    assert [(i.reason, i.record_id) for i in _items(held)] == [("incomplete-visit", "nv-2")]


def test_r34_the_command_prints_the_visits_on_hold(held, capsys):
    db = sqlite_path(str(held.url))
    held.dispose()
    assert main.main(["--db", str(db), "worklist", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Nursing visits on hold (3)" in out
    assert "visit nv-2 (o-1), 10/20/2026: The visit record is incomplete (R34)" in out
