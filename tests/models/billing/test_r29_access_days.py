"""R29 per diem basis: table of cases for a payer billing access days (the NHIA definition).
The baseline is test_rules.py's fully documented October order o-1 (plan of care, preparation
note 10/01-10/31, delivery 10/02, care note 10/02), billed to an access-days payer without
authorization; each case sets the order's dosing interval and its entries. No database:
models.billing.rules.evaluate (and models.billing.access_days for the window itself)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.billing.access_days import order_access_days
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, evaluate
from models.records.tables import AuthorizationRead, PayerRead
from models.vocab import ACCESS_DAYS
from tests.models.billing.test_rules import NO_AUTH, base, cov, entry, order, patient_with

ACCESS = PayerRead(id="acc", name="Access Health", payer_id="ACC01", kind="commercial",
                   per_diem_basis=ACCESS_DAYS)
A, I = "A", "I"  # noqa: E741 - the basis that made the day a service day (access, infusion)


def oct_(n: int) -> dt.date:
    return dt.date(2026, 10, n)


def data(interval, given=(), held=(), coverages=None, **kw):
    """Order o-1 dosed every `interval` days, given on the October days `given` (held on
    `held`), billed to the access-days payer unless `coverages` say otherwise."""
    entries = [entry(id=f"m{n}", day=oct_(n)) for n in given]
    entries += [entry(id=f"h{n}", day=oct_(n), status="held", notes="fever") for n in held]
    changes = dict(payers={"acc": ACCESS, "bcx": NO_AUTH},
                   patients=patient_with(*(coverages or [cov("acc")])),
                   orders=[order(dosing_interval_days=interval, **kw.pop("order", {}))],
                   infusions=entries, authorizations=[])
    changes.update(kw)
    return base(**changes)


def rows(d):
    """(day of October, basis, status, reasons) of every service day."""
    return [(r.date.day, A if r.basis == ACCESS_DAYS else I, r.status, r.reasons)
            for r in evaluate(d)]


def billable(*days, basis=A):
    return [(n, basis, BILLABLE, ()) for n in days]


# (case, data, expected rows)
CASES = [
    ("R29 q24h: every day from the first dose through the last", data(1, given=(3, 4, 6)),
     billable(3, 4, 5, 6)),
    ("R29 q48h: the day after the last dose is on service", data(2, given=(3, 5, 7)),
     billable(3, 4, 5, 6, 7, 8)),
    ("R29 q72h: two days after the last dose", data(3, given=(3, 6)),
     billable(3, 4, 5, 6, 7, 8)),
    ("R29 weekly (dosed less often than every 72 hours) keeps infusion days",
     data(7, given=(3, 10, 17)), billable(3, 10, 17, basis=I)),
    ("R29 no dosing interval keeps infusion days", data(None, given=(3, 5)),
     billable(3, 5, basis=I)),
    ("R29 a gap of more than 7 days suspends therapy: only the interval after the dose",
     data(2, given=(3, 14)), billable(3, 4, 14, 15)),
    ("R29 a gap of exactly 7 days stays on service", data(1, given=(3, 10)),
     billable(*range(3, 11))),
    ("R29 the window ends on the order's end date", data(3, given=(3,), order=dict(
        end_date=oct_(4))), billable(3, 4)),
    ("R29 the window ends on the discontinued date",
     data(1, given=(3, 5), order=dict(discontinued_date=oct_(4))),
     billable(3, 4) + [(5, I, NOT_BILLABLE, ("no-active-order",))]),
    ("R29 no access day after today (a day not yet lived)", data(3, given=(3,), today=oct_(4)),
     billable(3, 4)),
    ("R29 R1 does not apply on an access day with a held entry", data(1, given=(3, 5), held=(4,)),
     billable(3, 4, 5)),
    ("R29 a held entry after the window is judged by infusion days (R1)",
     data(1, given=(3,), held=(6,)), billable(3) + [(6, I, NOT_BILLABLE, ("no-infusion",))]),
    ("R29 before the first administered entry there is no access day",
     data(1, given=(5,), held=(3,)), [(3, I, NOT_BILLABLE, ("no-infusion",))] + billable(5)),
    ("R29 the basis is the billed payer's on each date",
     data(1, given=(3, 5, 8), coverages=[cov("acc", end="2026-10-05"),
                                         cov("bcx", start="2026-10-06")]),
     billable(3, 4, 5) + billable(8, basis=I)),
    ("R29 R11 judges only the entries that exist",
     data(1, given=(3, 5), infusions=[entry(id="m3", day=oct_(3)),
                                      entry(id="m5", day=oct_(5), end_time=None)]),
     billable(3, 4) + [(5, A, HOLD, ("incomplete-mar",))]),
    ("R29 R9 looks for a note covering the access day itself",
     data(1, given=(3, 5), prep_notes=[base().prep_notes[0].model_copy(
         update={"beyond_use_date": oct_(4)})]),
     billable(3, 4) + [(5, A, HOLD, ("missing-prep-note",))]),
    ("R29 R13 access days use authorization units",
     data(1, given=(3, 6), payers={"acc": ACCESS.model_copy(
         update={"requires_prior_auth": True})}, authorizations=[AuthorizationRead(
             id="pa", patient_id="p-1", payer_id="acc", number="PA9", code="S9338",
             start_date=oct_(1), end_date=oct_(31), units=3)]),
     billable(3, 4, 5) + [(6, A, HOLD, ("authorization-exhausted",))]),
]


@pytest.mark.parametrize(("case", "d", "expected"), CASES, ids=[c[0] for c in CASES])
def test_r29_access_days(case, d, expected):
    assert rows(d) == expected


def test_r29_r16_suite_only_from_an_entry_given_in_the_suite():
    d = data(1, infusions=[entry(id="m3", day=oct_(3), setting="suite"),
                           entry(id="m5", day=oct_(5))])
    assert [(r.date.day, r.modifiers) for r in evaluate(d)] == [
        (3, ("SS",)), (4, ()), (5, ())]


def test_r29_an_infusion_days_payer_is_part_1_as_written():
    """The default basis: the same entries give only their own days, whatever the interval."""
    d = data(1, given=(3, 5), coverages=[cov("bcx")])
    assert rows(d) == billable(3, 5, basis=I)


def test_r29_a_gap_ending_after_the_period_still_counts_when_the_next_dose_is_known():
    """Days of a gap of up to 7 days are service days: the period's end does not cut the gap
    short when the next dose is among the data (loading reads 7 days past the period)."""
    d = data(1, given=(3, 9))
    got = [(r.date.day, r.basis) for r in evaluate(d, oct_(1), oct_(6))]
    assert got == [(n, ACCESS_DAYS) for n in range(3, 7)]


@pytest.mark.parametrize(("interval", "given", "expected"), [
    (1, [3], [3]), (2, [3], [3, 4]), (3, [3], [3, 4, 5]), (4, [3], []), (None, [3], []),
    (3, [3, 11], [3, 4, 5, 11, 12, 13]),  # 8 days apart: suspended
    (3, [3, 10], list(range(3, 13))),  # 7 days apart: on service
])
def test_r29_the_window_of_an_order(interval, given, expected):
    o = order(dosing_interval_days=interval)
    assert [d.day for d in order_access_days(o, [oct_(n) for n in given])] == expected
