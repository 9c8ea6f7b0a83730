"""R34 in the documentation packet, read back with pypdf: the checklist's nursing visits line
and the Nursing visits section with each visit's times, nurse, MAR entries, codes and status."""

from __future__ import annotations

import datetime as dt

from models.db import unit_of_work
from models.records import reference, registry
from models.records.tables import AuthorizationBase, NursingVisitBase
from tests.reports.test_packet import flat, packet, page_titled
from tests.support.recorded import create_on_its_day


def add_visit(engine, vid: str, day: dt.date, **kw) -> None:
    values = dict(id=vid, patient_id="p-1001", order_id="o-1", date=day,
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  visit_type="initial", note="First home IVIG, teaching on reactions.")
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.NURSING_VISIT,
                          data=NursingVisitBase(**{**values, **kw}))


def test_the_packet_shows_the_periods_visits_and_counts_them_in_the_checklist(example_engine):
    with unit_of_work(example_engine) as s:
        reference.save_authorization(s, actor="test", data=AuthorizationBase(
            id="pa-v", patient_id="p-1001", payer_id="bcx", number="PAV1", code="99601",
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31), units=1))
    add_visit(example_engine, "nv-1", dt.date(2026, 10, 7), infusions=["mar-1"])
    add_visit(example_engine, "nv-2", dt.date(2026, 10, 29), start_time=dt.time(23, 0),
              end_time=dt.time(1, 45), visit_type="routine", infusions=["mar-3"])
    _pdf, pages = packet(example_engine)
    checklist = flat(page_titled(pages, "Evidence checklist by service day"))
    assert ("Nursing visits (R34): 2 visits: 1 billable, 1 on hold, 0 not billable"
            in checklist)
    section = flat(page_titled(pages, "Each nurse's visit of the period (R34)"))
    for expected in ("10/07/2026 nv-1 09:10-13:05 Kate Moss RN initial mar-1",
                     "99601 + 2 x 99602 Billable auth PAV1",
                     "10/29/2026 nv-2 23:00-01:45 Kate Moss RN routine mar-3",
                     "99601 + 99602 Hold",  # 165 minutes across midnight: one 99602
                     "R6 Every authorization for 99601 covering this visit has used all its"):
        assert expected in section, expected


def test_a_period_without_visits_says_so(example_engine):
    _pdf, pages = packet(example_engine)
    assert "Nursing visits (R34): none in this period." in flat(
        page_titled(pages, "Evidence checklist by service day"))
    assert "No nursing visit on file for this period." in flat("\n".join(pages))
