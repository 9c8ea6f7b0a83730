"""Edges of the billing rules R1-R18 that a mutation run of models/rules.py found untested:
the first and last day a record counts, ties, several records of one kind, and the prior days
a windowed read hands to R13. Each case changes one thing in a billable baseline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing.rules import (
    BILLABLE,
    HOLD,
    NOT_BILLABLE,
    BillingData,
    PriorDay,
    authorization_units,
    authorization_usage,
    billed_coverage,
    care_notes_from,
    evaluate,
)
from models.records.tables import (
    AuthorizationRead,
    CareNoteRead,
    CoverageRead,
    DeliveryRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PlanOfCareRead,
    PrepNoteRead,
)

D = dt.date.fromisoformat
DAY = D("2026-10-07")


def entry(id="m1", order="o1", day=DAY, status="completed", **kw) -> InfusionRead:
    values = dict(start_time=dt.time(9), end_time=dt.time(11), dose_given=Decimal(100),
                  administered_by="K. Moss RN", setting="home")
    values.update(kw)
    return InfusionRead(id=id, order_id=order, date=day, status=status, **values)


def order(id="o1", patient="p1", **kw) -> OrderRead:
    values = dict(prescriber_id="dr", per_diem_code="S9338", drug_name="IVIG",
                  diagnosis_codes=["D80.1"], start_date=D("2026-09-01"),
                  signed_date=D("2026-09-01"), per_diem_rate=Decimal("150.00"))
    values.update(kw)
    return OrderRead(id=id, patient_id=patient, **values)


def cov(payer="bcx", start="2026-01-01", end=None, priority="primary", member="X1"):
    return CoverageRead(payer_id=payer, member_id=member, start_date=D(start),
                        end_date=D(end) if end else None, priority=priority)


def patient(id="p1", *coverages: CoverageRead) -> PatientRead:
    return PatientRead(id=id, first_name="Maria", last_name="L", birth_date=D("1961-04-18"),
                       sex="F", address_line1="1 Main", city="Peoria", state="IL", zip="61604",
                       coverages=list(coverages) or [cov()])


def auth(id="pa1", start="2026-10-01", end="2026-12-31", units=10, patient="p1", **kw):
    return AuthorizationRead(id=id, patient_id=patient, payer_id="bcx", number=id.upper(),
                             code="S9338", start_date=D(start), end_date=D(end), units=units,
                             **kw)


def plan(start="2026-09-01", end="2026-12-31", order="o1", id="poc1"):
    return PlanOfCareRead(id=id, order_id=order, start_date=D(start), end_date=D(end))


def prep(date="2026-09-01", bud="2026-12-31", order="o1", id="rx1"):
    return PrepNoteRead(id=id, order_id=order, date=D(date), pharmacist="R",
                        beyond_use_date=D(bud))


def delivery(date="2026-09-02", order="o1", id="d1"):
    return DeliveryRead(id=id, order_id=order, date=D(date))


def note(date="2026-10-01", patient="p1", id="cn1"):
    return CareNoteRead(id=id, patient_id=patient, date=D(date), author="J", text="call")


def base(**changes) -> BillingData:
    """Patient p1, payer bcx requiring authorization, order o1 documented from September to
    December: 2026-10-07 is billable."""
    values = dict(
        payers={"bcx": PayerRead(id="bcx", name="Blue", payer_id="BPP01", kind="commercial",
                                 requires_prior_auth=True)},
        patients={"p1": patient()}, orders=[order()], infusions=[entry()],
        plans_of_care=[plan()], prep_notes=[prep()], deliveries=[delivery()],
        care_notes=[note()], authorizations=[auth()])
    values.update(changes)
    return BillingData(**values)


def row(data: BillingData, day: dt.date = DAY, order_id: str = "o1"):
    (found,) = [r for r in evaluate(data) if (r.order_id, r.date) == (order_id, day)]
    return found


# (rule, change to the baseline, status, reasons): each pins one boundary or one tie
EDGES = [
    ("R11 nobody recorded as giving the dose", dict(infusions=[entry(administered_by=None)]),
     HOLD, ("incomplete-mar",)),
    ("R5 authorization ending on the service day covers it",
     dict(authorizations=[auth(end="2026-10-07")]), BILLABLE, ()),
    ("R5 authorization starting on the service day covers it",
     dict(authorizations=[auth(start="2026-10-07")]), BILLABLE, ()),
    ("R5 authorization starting the day after does not",
     dict(authorizations=[auth(start="2026-10-08")]), HOLD, ("no-authorization",)),
    ("R6 an authorization with no units covering the day",
     dict(authorizations=[auth(units=0)]), HOLD, ("authorization-exhausted",)),
    ("R8 plan of care starting on the service day", dict(plans_of_care=[plan(start="2026-10-07")]),
     BILLABLE, ()),
    ("R8 plan of care ending on the service day", dict(plans_of_care=[plan(end="2026-10-07")]),
     BILLABLE, ()),
    ("R8 plan of care starting the day after",
     dict(plans_of_care=[plan(start="2026-10-08")]), HOLD, ("missing-plan-of-care",)),
    ("R9 preparation note made on the service day",
     dict(prep_notes=[prep(date="2026-10-07")], deliveries=[delivery("2026-10-07")]),
     BILLABLE, ()),
    ("R9/R10 the latest note has expired, an earlier one still covers the day",
     dict(prep_notes=[prep(), prep("2026-10-03", "2026-10-06", id="rx2")]), BILLABLE, ()),
    ("R9/R10 two expired notes after the covering one",
     dict(prep_notes=[prep(), prep("2026-10-03", "2026-10-05", id="rx2"),
                      prep("2026-10-04", "2026-10-06", id="rx3")]), BILLABLE, ()),
    ("R9/R10 every note has expired", dict(prep_notes=[prep(bud="2026-10-06"),
                                                       prep("2026-10-03", "2026-10-05", id="rx2")]),
     HOLD, ("missing-prep-note",)),
    ("R10 delivery on the day of the covering preparation note",
     dict(prep_notes=[prep("2026-10-04")], deliveries=[delivery("2026-10-04")]), BILLABLE, ()),
    ("R10 delivery the day before the covering preparation note",
     dict(prep_notes=[prep("2026-10-04")], deliveries=[delivery("2026-10-03")]), HOLD,
     ("missing-delivery",)),
    ("R10 the latest delivery before the day counts, not an older one",
     dict(prep_notes=[prep("2026-10-04")],
          deliveries=[delivery("2026-09-02"), delivery("2026-10-05", id="d2")]), BILLABLE, ()),
    ("R12 the latest note counts, an older one too old beside it",
     dict(care_notes=[note("2026-08-01"), note("2026-10-05", id="cn2")]), BILLABLE, ()),
    ("R12 note on the service day itself", dict(care_notes=[note("2026-10-07")]), BILLABLE, ()),
    ("R12 another patient's note does not count", dict(care_notes=[note(patient="p2")]),
     HOLD, ("missing-care-note",)),
    ("R7 an order signed after it started still counts",
     dict(orders=[order(signed_date=D("2026-10-20"))]), BILLABLE, ()),
    ("R3 a coverage ending on the service day covers it",
     dict(patients={"p1": patient("p1", cov(end="2026-10-07"))}), BILLABLE, ()),
    ("R4 Medicare with a code that is no S-code is billed",
     dict(payers={"bcx": PayerRead(id="bcx", name="Medicare", payer_id="MCR", kind="medicare")},
          orders=[order(per_diem_code="G0069")]), BILLABLE, ()),
    ("R1 a day of a missed dose only", dict(infusions=[entry(status="missed")]), NOT_BILLABLE,
     ("no-infusion",)),
]


@pytest.mark.parametrize(("case", "changes", "status", "reasons"), EDGES,
                         ids=[c[0] for c in EDGES])
def test_edges(case, changes, status, reasons):
    r = row(base(**changes))
    assert (r.status, r.reasons) == (status, reasons)


def test_r3_overlapping_primary_coverages_same_start_the_one_entered_last_wins():
    """Two primary coverages starting the same day: the one entered last is the one the
    patient presented last (BILLING_RULES R3's tie-break)."""
    first, second = cov("bcx", "2026-06-01", member="A"), cov("mcd", "2026-06-01", member="B")
    assert billed_coverage([first, second], DAY) is second
    assert billed_coverage([second, first], DAY) is first
    later = cov("bcx", "2026-06-02", member="C")
    assert billed_coverage([later, first, second], DAY) is later  # a later start still wins
    assert billed_coverage([first, cov("mcd", "2026-07-01", priority="secondary")], DAY) is first
    assert billed_coverage([first, cov("mcd", "2026-10-08")], DAY) is first  # not yet in force
    assert billed_coverage([], DAY) is None


def test_r3_the_billed_payer_of_a_tie_is_the_one_entered_last():
    mcd = PayerRead(id="mcd", name="Medicaid", payer_id="MCD", kind="medicaid")
    data = base(payers={**base().payers, "mcd": mcd},
                patients={"p1": patient("p1", cov("bcx", "2026-06-01"), cov("mcd", "2026-06-01"))})
    assert (row(data).payer_id, row(data).status) == ("mcd", BILLABLE)


def test_r12_window_start_is_29_days_back_and_never_before_year_one():
    assert care_notes_from(DAY) == D("2026-09-08")
    first = dt.date.min
    assert care_notes_from(first) == first
    assert care_notes_from(first + dt.timedelta(days=30)) == first + dt.timedelta(days=1)


def _prior(order_id="o1", day="2026-10-02", administered=True) -> PriorDay:
    return PriorDay(order_id=order_id, date=D(day), administered=administered)


def test_r13_prior_days_use_units_before_the_period():
    """A windowed read hands R13 the earlier service days as prior_days: their units are gone
    before the period's first day, whatever is asked."""
    one_unit = [auth(units=1)]
    data = base(authorizations=one_unit, prior_days=[_prior()])
    assert row(data).reasons == ("authorization-exhausted",)
    assert authorization_units(data) == {"pa1": 1}
    # a prior day that gave no dose (R1) uses no unit
    data = base(authorizations=one_unit, prior_days=[_prior(administered=False)])
    assert row(data).status == BILLABLE
    # one administered entry makes the day a service day, whatever the day's other entries
    for entries in ([True, False], [False, True]):
        data = base(authorizations=one_unit,
                    prior_days=[_prior(administered=a) for a in entries])
        assert row(data).reasons == ("authorization-exhausted",), entries
    # prior days of another patient's order use that patient's units only
    data = base(authorizations=one_unit, orders=[order(), order("o9", patient="p2")],
                patients={"p1": patient(), "p2": patient("p2")},
                prior_days=[_prior("o9")])
    assert evaluate(data, patient_id="p1")[0].status == BILLABLE
    # a prior day of an order that is not loaded is ignored
    data = base(authorizations=one_unit, prior_days=[_prior("o-gone")])
    assert row(data).status == BILLABLE


def test_r13_infusions_before_the_period_use_units_and_are_not_returned():
    data = base(authorizations=[auth(units=2)],
                infusions=[entry("m0", day=D("2026-10-02")), entry("m0b", day=D("2026-10-02"),
                                                                   status="held"),
                           entry("m1", day=D("2026-10-05")), entry()])
    rows = evaluate(data, D("2026-10-06"), D("2026-10-31"))
    assert [(r.date, r.reasons) for r in rows] == [(DAY, ("authorization-exhausted",))]
    # a held-only day before the period uses no unit
    data.infusions[0] = entry("m0", day=D("2026-10-02"), status="held")
    assert evaluate(data, D("2026-10-06"), D("2026-10-31"))[0].status == BILLABLE


def test_r13_usage_counts_every_unit_of_an_authorization():
    data = base(infusions=[entry(f"m{i}", day=DAY + dt.timedelta(days=i)) for i in range(3)])
    assert authorization_usage(data) == {"pa1": 3} == authorization_units(data)
    data = base(authorizations=[auth(units=2)], infusions=data.infusions)
    assert authorization_usage(data) == {"pa1": 2} == authorization_units(data)
    assert authorization_units(base(infusions=[entry(status="held")])) == {}


def test_r13_a_day_not_billable_before_the_period_uses_no_unit():
    """Only R1-R4 decide whether an earlier day used a unit: a day outside its order uses
    none, a day missing evidence (R7-R12) does."""
    one_unit = [auth(units=1)]
    early = entry("m0", day=D("2026-10-02"))
    inactive = base(authorizations=one_unit, infusions=[early, entry()],
                    orders=[order(start_date=D("2026-10-03"))])
    assert evaluate(inactive, DAY, DAY)[0].status == BILLABLE
    unsigned = base(authorizations=one_unit, infusions=[early, entry()], care_notes=[],
                    plans_of_care=[], prep_notes=[], deliveries=[])
    assert evaluate(unsigned, DAY, DAY)[0].reasons[0] == "authorization-exhausted"


def test_r13_a_payer_without_prior_authorization_takes_no_unit_before_the_period():
    free = PayerRead(id="free", name="Free", payer_id="FREE", kind="commercial")
    data = base(payers={**base().payers, "free": free},
                patients={"p1": patient("p1", cov("free", end="2026-10-02"),
                                        cov("bcx", "2026-10-03"))},
                authorizations=[auth(units=1), auth("pa2", units=1, start="2026-10-01")
                                .model_copy(update={"payer_id": "free"})],
                infusions=[entry("m0", day=D("2026-10-02")), entry()])
    assert evaluate(data, DAY, DAY)[0].authorization_id == "pa1"
    assert authorization_units(data) == {"pa1": 1}


def test_r13_prior_days_take_units_in_date_order_across_orders():
    """o2's earlier day takes the short authorization's unit, so o1's later day takes the long
    one's: the period's day then finds every unit used (R6). Taking o1's day first would
    leave the long authorization a unit."""
    short, long = auth("pa-a", "2026-10-01", "2026-10-02", 1), auth("pa-b", "2026-10-02",
                                                                   "2026-12-31", 1)
    data = base(orders=[order(), order("o2")], authorizations=[short, long],
                prior_days=[_prior("o1", "2026-10-02"), _prior("o2", "2026-10-01")])
    assert row(data).reasons == ("authorization-exhausted",)
    assert authorization_units(data) == {"pa-a": 1, "pa-b": 1}


def test_not_billable_rows_keep_their_code_and_payer():
    held = row(base(infusions=[entry(status="held")]))
    assert (held.status, held.code, held.payer_id) == (NOT_BILLABLE, "S9338", "bcx")
    uncovered = row(base(patients={"p1": patient("p1", cov(end="2026-10-01"))}))
    assert (uncovered.reasons, uncovered.payer_id) == (("no-coverage",), None)


def test_entries_outside_the_period_or_patient_do_not_hide_the_ones_after_them():
    data = base(orders=[order(), order("o9", patient="p2")],
                patients={"p1": patient(), "p2": patient("p2")},
                infusions=[entry("late", day=D("2026-10-20")), entry("other", order="o9"),
                           entry()])
    assert [(r.order_id, r.date) for r in evaluate(data, end=DAY, patient_id="p1")] == [
        ("o1", DAY)]


def test_r13_units_merge_a_prior_day_with_that_days_entries():
    """authorization_units reads prior days and MAR entries alike: a day is a service day when
    either says a dose was given."""
    data = base(authorizations=[auth(units=5)], prior_days=[_prior("o1", "2026-10-07")],
                infusions=[entry(status="held")])
    assert authorization_units(data) == {"pa1": 1}
    data = base(authorizations=[auth(units=5)],
                prior_days=[_prior("o1", "2026-10-07", administered=False)])
    assert authorization_units(data) == {"pa1": 1}
