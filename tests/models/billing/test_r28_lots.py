"""R28 the lot given: table of cases for R9/R10 when an administered entry of the day names its
preparation note (`prep_note`), and the beyond-use hour. The baseline is test_rules.py's:
note rx-o-1 prepared 10/01, beyond use 10/31; delivery 10/02; the service day 10/07, started
09:00. No database: models.billing.rules.evaluate."""

from __future__ import annotations

import datetime as dt

import pytest

from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.records.tables import DeliveryRead, PrepNoteRead
from tests.models.billing.test_rules import DAY, D, base, entry, evidence, only

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def note(id, date, bud, hour=None, order_id="o-1"):
    return PrepNoteRead(id=id, order_id=order_id, date=D(date), pharmacist="R. Patel",
                        beyond_use_date=D(bud), beyond_use_time=hour)


RX = evidence()["prep_notes"][0]  # rx-o-1, 10/01 - 10/31
OLD = note("rx-old", "2026-09-20", "2026-10-06")  # expired the day before
LATE = note("rx-late", "2026-10-08", "2026-10-20")  # prepared the day after
NEW = note("rx-2", "2026-10-05", "2026-10-09")  # covers, prepared after the delivery
OTHER = note("rx-o-9", "2026-10-01", "2026-10-31", order_id="o-9")
H = dt.time

# (case, change to the baseline, expected status, expected reasons)
CASES = [
    ("R28 named covering note", dict(infusions=[entry(prep_note="rx-o-1")]), BILLABLE, ()),
    ("R28 named note expired, though another covers the day",
     dict(prep_notes=[RX, OLD], infusions=[entry(prep_note="rx-old")]), HOLD,
     ("missing-prep-note",)),
    ("R28 named note prepared after the day: R9, and no delivery since it (R10)",
     dict(prep_notes=[RX, LATE], infusions=[entry(prep_note="rx-late")]), HOLD,
     ("missing-prep-note", "missing-delivery")),
    ("R28 R10 from the named note's date, not the latest covering note's",
     dict(prep_notes=[RX, NEW], infusions=[entry(prep_note="rx-o-1")]), BILLABLE, ()),
    ("R28 named latest note prepared after the only delivery",
     dict(prep_notes=[RX, NEW], infusions=[entry(prep_note="rx-2")]), HOLD,
     ("missing-delivery",)),
    ("R28 delivery on the named note's date counts",
     dict(prep_notes=[RX, NEW], infusions=[entry(prep_note="rx-2")],
          deliveries=[DeliveryRead(id="d", order_id="o-1", date=D("2026-10-05"))]),
     BILLABLE, ()),
    ("R28 delivery after the day does not count",
     dict(infusions=[entry(prep_note="rx-o-1")],
          deliveries=[DeliveryRead(id="d", order_id="o-1", date=D("2026-10-08"))]), HOLD,
     ("missing-delivery",)),
    ("R28 named note of another order",
     dict(prep_notes=[RX, OTHER], infusions=[entry(prep_note="rx-o-9")]), HOLD,
     ("missing-prep-note",)),
    ("R28 named note not on file (void)",
     dict(infusions=[entry(prep_note="rx-void")]), HOLD, ("missing-prep-note",)),
    ("R28 BUD hour after the start",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-07", H(10, 0))],
          infusions=[entry(prep_note="rx")]), BILLABLE, ()),
    ("R28 started at the BUD hour is covered",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-07", H(9, 0))],
          infusions=[entry(prep_note="rx")]), BILLABLE, ()),
    ("R28 started after the BUD hour",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-07", H(8, 59))],
          infusions=[entry(prep_note="rx")]), HOLD, ("missing-prep-note",)),
    ("R28 BUD hour of a later date does not matter",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-08", H(6, 0))],
          infusions=[entry(prep_note="rx")]), BILLABLE, ()),
    ("R28 no start time on the BUD date: R11, not R9",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-07", H(6, 0))],
          infusions=[entry(prep_note="rx", start_time=None)]), HOLD, ("incomplete-mar",)),
    ("R28 no entry names a lot: Part 1 reads the BUD date only",
     dict(prep_notes=[note("rx", "2026-10-01", "2026-10-07", H(6, 0))]), BILLABLE, ()),
    ("R28 two entries, one lot expired",
     dict(prep_notes=[RX, OLD], infusions=[entry(prep_note="rx-o-1"),
                                           entry(id="mar-2", prep_note="rx-old")]), HOLD,
     ("missing-prep-note",)),
    ("R28 named and unnamed entries: only the named lot is judged",
     dict(prep_notes=[RX, NEW], infusions=[entry(prep_note="rx-o-1"), entry(id="mar-2")]),
     BILLABLE, ()),
    ("R28 a held entry's lot is not judged (Part 1 for the given one)",
     dict(prep_notes=[RX, OLD], infusions=[entry(id="mar-0", status="held", prep_note="rx-old",
                                                 notes="fever"), entry()]), BILLABLE, ()),
    ("R28 not-billable days stay R1-R4 only",
     dict(infusions=[entry(status="missed", prep_note="rx-void", notes="away")]),
     NOT_BILLABLE, ("no-infusion",)),
]


@pytest.mark.parametrize(("case", "changes", "status", "reasons"), CASES,
                         ids=[c[0] for c in CASES])
def test_r28_status_and_reasons(case, changes, status, reasons):
    row = only(base(**changes))
    assert (row.status, row.reasons) == (status, reasons)
    assert row.date == DAY
