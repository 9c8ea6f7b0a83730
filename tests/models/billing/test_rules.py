"""Table-driven tests of the billing rules R1-R18 (models.billing.rules.evaluate), no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing.rules import (
    BEFORE_SERVICE,
    BILLABLE,
    HOLD,
    NOT_BILLABLE,
    REASONS,
    BillingData,
    authorization_usage,
    billed_coverage,
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


def entry(id="mar-1", order="o-1", day=DAY, status="completed", setting="home", **kw):
    values = dict(start_time=dt.time(9, 0), end_time=dt.time(11, 0), dose_given=Decimal(100),
                  administered_by="K. Moss RN")
    values.update(kw)
    return InfusionRead(id=id, order_id=order, date=day, status=status, setting=setting, **values)


def order(id="o-1", rate="150.00", start="2026-10-01", code="S9338", **kw):
    values = dict(patient_id="p-1", prescriber_id="dr-1", per_diem_code=code, drug_name="IVIG",
                  diagnosis_codes=["D80.1"], start_date=D(start), signed_date=D("2026-09-28"),
                  per_diem_rate=Decimal(rate) if rate is not None else None)
    values.update(kw)
    return OrderRead(id=id, **values)


def evidence(order_id="o-1"):
    """Plan of care, prep note and delivery that back every October day of `order_id`."""
    return dict(
        plans_of_care=[PlanOfCareRead(id=f"poc-{order_id}", order_id=order_id,
                                      start_date=D("2026-10-01"), end_date=D("2026-12-31"))],
        prep_notes=[PrepNoteRead(id=f"rx-{order_id}", order_id=order_id, date=D("2026-10-01"),
                                 pharmacist="R. Patel", beyond_use_date=D("2026-10-31"))],
        deliveries=[DeliveryRead(id=f"d-{order_id}", order_id=order_id, date=D("2026-10-02"))],
    )


def base(**changes) -> BillingData:
    """One patient, one commercial payer requiring authorization, one fully documented order:
    the day 2026-10-07 is billable. Each test case changes one thing."""
    ev = evidence()
    data = dict(
        payers={
            "bcx": PayerRead(id="bcx", name="Blue", payer_id="BPP01", kind="commercial",
                             requires_prior_auth=True),
        },
        patients={
            "p-1": PatientRead(
                id="p-1", first_name="Maria", last_name="L", birth_date=D("1961-04-18"), sex="F",
                address_line1="1 Main", city="Peoria", state="IL", zip="61604",
                coverages=[CoverageRead(payer_id="bcx", member_id="X1",
                                        start_date=D("2026-01-01"))],
            )
        },
        orders=[order()],
        infusions=[entry()],
        authorizations=[AuthorizationRead(id="pa-1", patient_id="p-1", payer_id="bcx",
                                          number="PA1", code="S9338", start_date=D("2026-10-01"),
                                          end_date=D("2026-12-31"), units=10)],
        care_notes=[CareNoteRead(id="cn-1", patient_id="p-1", date=D("2026-10-02"), author="J",
                                 text="call")],
        **ev,
    )
    data.update(changes)
    return BillingData(**data)


def only(data: BillingData, day: dt.date = DAY, order_id: str = "o-1"):
    rows = [r for r in evaluate(data) if r.date == day and r.order_id == order_id]
    assert len(rows) == 1, rows
    return rows[0]


def patient_with(*coverages: CoverageRead) -> dict:
    p = base().patients["p-1"].model_copy(update={"coverages": list(coverages)})
    return {"p-1": p}


def cov(payer="bcx", start="2026-01-01", end=None, priority="primary"):
    return CoverageRead(payer_id=payer, member_id="X1", start_date=D(start),
                        end_date=D(end) if end else None, priority=priority)


MEDICARE = PayerRead(id="mcr", name="Medicare", payer_id="MCRB", kind="medicare")
MEDICAID = PayerRead(id="mcd", name="Medicaid", payer_id="MCD", kind="medicaid",
                     per_diem_modifiers=["U1"])
NO_AUTH = PayerRead(id="bcx", name="Blue", payer_id="BPP01", kind="commercial")

# (rule, change to the baseline, expected status, expected reasons)
CASES = [
    ("baseline", {}, BILLABLE, ()),
    ("R1 all held", dict(infusions=[entry(status="held", notes="fever")]), NOT_BILLABLE,
     ("no-infusion",)),
    ("R1 refused and missed", dict(infusions=[entry(status="refused"),
                                              entry(id="mar-2", status="missed")]),
     NOT_BILLABLE, ("no-infusion",)),
    ("R1 partial counts as given", dict(infusions=[entry(status="partial")]), BILLABLE, ()),
    ("R1 one held one completed", dict(infusions=[entry(status="held"), entry(id="mar-2")]),
     BILLABLE, ()),
    ("R2 before start", dict(orders=[order(start="2026-10-08")]), NOT_BILLABLE,
     ("no-active-order",)),
    ("R2 after end", dict(orders=[order(end_date=D("2026-10-06"))]), NOT_BILLABLE,
     ("no-active-order",)),
    ("R2 on the end date", dict(orders=[order(end_date=DAY)]), BILLABLE, ()),
    ("R2 after discontinued", dict(orders=[order(discontinued_date=D("2026-10-06"))]),
     NOT_BILLABLE, ("no-active-order",)),
    ("R2 on the discontinued date", dict(orders=[order(discontinued_date=DAY)]), BILLABLE, ()),
    ("R3 no coverage", dict(patients=patient_with()), NOT_BILLABLE, ("no-coverage",)),
    ("R3 coverage ended", dict(patients=patient_with(cov(end="2026-10-06"))), NOT_BILLABLE,
     ("no-coverage",)),
    ("R3 coverage starts later", dict(patients=patient_with(cov(start="2026-10-08"))),
     NOT_BILLABLE, ("no-coverage",)),
    ("R3 secondary only", dict(patients=patient_with(cov(priority="secondary"))), NOT_BILLABLE,
     ("no-coverage",)),
    ("R4 medicare S-code", dict(payers={"mcr": MEDICARE}, patients=patient_with(cov("mcr"))),
     NOT_BILLABLE, ("medicare-s-code",)),
    ("R1+R2+R4 listed together in table order",
     dict(payers={"mcr": MEDICARE}, patients=patient_with(cov("mcr")),
          orders=[order(start="2026-10-08", signed_date=None)],
          infusions=[entry(status="held")]),
     NOT_BILLABLE, ("no-infusion", "no-active-order", "medicare-s-code")),
    ("R5 no authorization", dict(authorizations=[]), HOLD, ("no-authorization",)),
    ("R5 authorization for another code",
     dict(authorizations=[base().authorizations[0].model_copy(update={"code": "S9500"})]),
     HOLD, ("no-authorization",)),
    ("R5 authorization ends before the day",
     dict(authorizations=[base().authorizations[0].model_copy(
         update={"end_date": D("2026-10-06")})]), HOLD, ("no-authorization",)),
    ("R5 payer without prior authorization", dict(payers={"bcx": NO_AUTH}, authorizations=[]),
     BILLABLE, ()),
    ("R7 unsigned order", dict(orders=[order(signed_date=None)]), HOLD, ("unsigned-order",)),
    # R27: the pharmacy's order_signature (before-claim, the default, is R7 as written)
    ("R27 default: signed after the day counts",
     dict(orders=[order(signed_date=D("2026-10-20"))]), BILLABLE, ()),
    ("R27 before-service: signed after the day",
     dict(orders=[order(signed_date=D("2026-10-08"))], order_signature=BEFORE_SERVICE), HOLD,
     ("order-signed-late",)),
    ("R27 before-service: signed on the day",
     dict(orders=[order(signed_date=DAY)], order_signature=BEFORE_SERVICE), BILLABLE, ()),
    ("R27 before-service: signed before the day",
     dict(orders=[order(signed_date=D("2026-10-06"))], order_signature=BEFORE_SERVICE),
     BILLABLE, ()),
    ("R27 before-service: unsigned is R7's, not R27's",
     dict(orders=[order(signed_date=None)], order_signature=BEFORE_SERVICE), HOLD,
     ("unsigned-order",)),
    ("R27 right after R7's place, before R8's",
     dict(orders=[order(signed_date=D("2026-10-08"))], order_signature=BEFORE_SERVICE,
          plans_of_care=[]), HOLD, ("order-signed-late", "missing-plan-of-care")),
    ("R27 a not-billable day stays not billable",
     dict(orders=[order(signed_date=D("2026-10-09"), start="2026-10-08")],
          order_signature=BEFORE_SERVICE), NOT_BILLABLE, ("no-active-order",)),
    ("R8 no plan of care", dict(plans_of_care=[]), HOLD, ("missing-plan-of-care",)),
    ("R8 plan ends the day before",
     dict(plans_of_care=[PlanOfCareRead(id="poc", order_id="o-1", start_date=D("2026-09-01"),
                                        end_date=D("2026-10-06"))]),
     HOLD, ("missing-plan-of-care",)),
    ("R8 plan of another order", dict(plans_of_care=evidence("o-9")["plans_of_care"]), HOLD,
     ("missing-plan-of-care",)),
    ("R9 no prep note", dict(prep_notes=[], deliveries=[]), HOLD,
     ("missing-prep-note", "missing-delivery")),
    ("R9 beyond-use date passed",
     dict(prep_notes=[PrepNoteRead(id="rx", order_id="o-1", date=D("2026-10-01"),
                                   pharmacist="R", beyond_use_date=D("2026-10-06"))]),
     HOLD, ("missing-prep-note",)),
    ("R9 prepared after the day",
     dict(prep_notes=[PrepNoteRead(id="rx", order_id="o-1", date=D("2026-10-08"),
                                   pharmacist="R", beyond_use_date=D("2026-10-20"))],
          deliveries=[]),
     HOLD, ("missing-prep-note", "missing-delivery")),
    ("R9 BUD on the day itself",
     dict(prep_notes=[PrepNoteRead(id="rx", order_id="o-1", date=D("2026-10-01"),
                                   pharmacist="R", beyond_use_date=DAY)]), BILLABLE, ()),
    ("R10 no delivery", dict(deliveries=[]), HOLD, ("missing-delivery",)),
    ("R10 delivery after the day",
     dict(deliveries=[DeliveryRead(id="d", order_id="o-1", date=D("2026-10-08"))]), HOLD,
     ("missing-delivery",)),
    ("R10 delivery before the latest covering prep note",
     dict(prep_notes=[*evidence()["prep_notes"],
                      PrepNoteRead(id="rx-2", order_id="o-1", date=D("2026-10-05"),
                                   pharmacist="R", beyond_use_date=D("2026-10-09"))]),
     HOLD, ("missing-delivery",)),
    ("R10 delivery on the service day after the latest prep",
     dict(prep_notes=[PrepNoteRead(id="rx-2", order_id="o-1", date=D("2026-10-05"),
                                   pharmacist="R", beyond_use_date=D("2026-10-09"))],
          deliveries=[DeliveryRead(id="d", order_id="o-1", date=DAY)]), BILLABLE, ()),
    ("R11 no end time", dict(infusions=[entry(end_time=None)]), HOLD, ("incomplete-mar",)),
    ("R11 no start time", dict(infusions=[entry(start_time=None)]), HOLD, ("incomplete-mar",)),
    ("R11 no dose", dict(infusions=[entry(dose_given=None)]), HOLD, ("incomplete-mar",)),
    ("R11 blank nurse", dict(infusions=[entry(administered_by="  ")]), HOLD,
     ("incomplete-mar",)),
    ("R11 incomplete held entry does not count",
     dict(infusions=[entry(), entry(id="mar-2", status="held", end_time=None, dose_given=None)]),
     BILLABLE, ()),
    ("R11 dose zero is recorded", dict(infusions=[entry(dose_given=Decimal(0))]), BILLABLE, ()),
    ("R12 no care note", dict(care_notes=[]), HOLD, ("missing-care-note",)),
    ("R12 note 30 days before is too old",
     dict(care_notes=[CareNoteRead(id="c", patient_id="p-1", date=D("2026-09-07"), author="J",
                                   text="t")]), HOLD, ("missing-care-note",)),
    ("R12 note 29 days before is in the window",
     dict(care_notes=[CareNoteRead(id="c", patient_id="p-1", date=D("2026-09-08"), author="J",
                                   text="t")]), BILLABLE, ()),
    ("R12 note after the day does not count",
     dict(care_notes=[CareNoteRead(id="c", patient_id="p-1", date=D("2026-10-08"), author="J",
                                   text="t")]), HOLD, ("missing-care-note",)),
    ("R5-R12 every hold reason in table order",
     dict(authorizations=[], orders=[order(signed_date=None)], plans_of_care=[], prep_notes=[],
          deliveries=[], infusions=[entry(end_time=None)], care_notes=[]),
     HOLD, ("no-authorization", "unsigned-order", "missing-plan-of-care", "missing-prep-note",
            "missing-delivery", "incomplete-mar", "missing-care-note")),
]


@pytest.mark.parametrize(("case", "changes", "status", "reasons"), CASES,
                         ids=[c[0] for c in CASES])
def test_status_and_reasons(case, changes, status, reasons):
    row = only(base(**changes))
    assert row.status == status
    assert row.reasons == reasons


def test_not_billable_rows_carry_no_modifiers_or_authorization():  # R18, R13
    row = only(base(infusions=[entry(status="held", setting="suite")]))
    assert row.status == NOT_BILLABLE
    assert row.modifiers == ()
    assert row.authorization_number is None


def test_every_reason_has_words_and_a_fix():
    # R27's hold right after R7's place (Part 2 of the rule book)
    assert [r.rule for r in REASONS.values()] == [
        *(f"R{i}" for i in range(1, 8)), "R27", *(f"R{i}" for i in range(8, 13))]
    for reason in REASONS.values():
        assert reason.sentence.endswith(".") and ":" in reason.sentence
    assert REASONS["missing-prep-note"].sentence == (
        "No preparation note covers this day: add one, correct its beyond-use date, or correct "
        "the lot the entry names (R28).")


def test_service_days_only_dates_with_entries():
    days = evaluate(base(infusions=[entry(), entry(id="m2", day=D("2026-10-09"))]))
    assert [r.date for r in days] == [DAY, D("2026-10-09")]


def test_r14_several_entries_one_day_one_row_one_unit():
    data = base(infusions=[entry(), entry(id="mar-2", start_time=dt.time(18, 0),
                                          end_time=dt.time(19, 0))],
                authorizations=[base().authorizations[0].model_copy(update={"units": 1})])
    rows = evaluate(data)
    assert len(rows) == 1 and rows[0].status == BILLABLE
    assert authorization_usage(data) == {"pa-1": 1}


def _days(n, start="2026-10-03", order_id="o-1"):
    first = D(start)
    return [entry(id=f"{order_id}-{i}", order=order_id, day=first + dt.timedelta(days=i))
            for i in range(n)]


def test_r13_units_used_in_date_order_then_r6():
    data = base(infusions=_days(4),
                authorizations=[base().authorizations[0].model_copy(update={"units": 2})])
    rows = evaluate(data)
    assert [r.status for r in rows] == [BILLABLE, BILLABLE, HOLD, HOLD]
    assert [r.reasons for r in rows[2:]] == [("authorization-exhausted",)] * 2
    assert [r.authorization_number for r in rows] == ["PA1", "PA1", None, None]


def test_r13_units_counted_from_authorization_start_whatever_range_is_asked():
    auth = AuthorizationRead(id="pa-1", patient_id="p-1", payer_id="bcx", number="PA1",
                             code="S9338", start_date=D("2026-09-20"),
                             end_date=D("2026-12-31"), units=3)
    data = base(infusions=_days(3, "2026-09-28") + _days(2, "2026-10-05", "o-1x"),
                orders=[order(start="2026-09-01"), order(id="o-1x", start="2026-09-01")],
                authorizations=[auth],
                plans_of_care=[PlanOfCareRead(id=f"poc{o}", order_id=o,
                                              start_date=D("2026-09-01"),
                                              end_date=D("2026-12-31")) for o in ("o-1", "o-1x")],
                prep_notes=[PrepNoteRead(id=f"rx{o}", order_id=o, date=D("2026-09-01"),
                                         pharmacist="R", beyond_use_date=D("2026-12-31"))
                            for o in ("o-1", "o-1x")],
                deliveries=[DeliveryRead(id=f"d{o}", order_id=o, date=D("2026-09-02"))
                            for o in ("o-1", "o-1x")],
                care_notes=[CareNoteRead(id="c", patient_id="p-1", date=D("2026-09-25"),
                                         author="J", text="t")])
    october = evaluate(data, D("2026-10-01"), D("2026-10-31"))
    # Sept 28-30 used all three units even though only October was asked for.
    assert [r.date for r in october] == [D("2026-10-05"), D("2026-10-06")]
    assert [r.reasons for r in october] == [("authorization-exhausted",)] * 2


def test_r13_hold_days_use_units_but_not_billable_days_do_not():
    data = base(infusions=[entry(day=D("2026-10-05"), status="held"),
                           entry(id="m2", day=D("2026-10-06"), end_time=None),
                           entry(id="m3", day=D("2026-10-07"))],
                authorizations=[base().authorizations[0].model_copy(update={"units": 1})])
    rows = evaluate(data)
    assert [(r.status, r.reasons) for r in rows] == [
        (NOT_BILLABLE, ("no-infusion",)),
        (HOLD, ("incomplete-mar",)),
        (HOLD, ("authorization-exhausted",)),
    ]
    assert rows[1].authorization_number == "PA1"


def test_r13_earliest_start_then_smallest_id_with_units_left():
    mk = lambda id, start, units: AuthorizationRead(  # noqa: E731
        id=id, patient_id="p-1", payer_id="bcx", number=id.upper(), code="S9338",
        start_date=D(start), end_date=D("2026-12-31"), units=units)
    data = base(infusions=_days(4),
                authorizations=[mk("pa-b", "2026-09-01", 1), mk("pa-a", "2026-09-01", 1),
                                mk("pa-0", "2026-09-15", 5)])
    assert [r.authorization_number for r in evaluate(data)] == ["PA-A", "PA-B", "PA-0", "PA-0"]


def test_r13_same_day_two_orders_take_units_by_order_id():
    data = base(orders=[order(id="o-2"), order(id="o-1")],
                infusions=[entry(order="o-2"), entry(id="m2", order="o-1")],
                authorizations=[base().authorizations[0].model_copy(update={"units": 1})],
                **{k: v + evidence("o-2")[k] for k, v in evidence().items()})
    rows = {r.order_id: r for r in evaluate(data)}
    assert rows["o-1"].authorization_number == "PA1"
    assert rows["o-2"].reasons == ("authorization-exhausted",)


def _concurrent(*orders_, **extra):
    ev = {k: [] for k in ("plans_of_care", "prep_notes", "deliveries")}
    for o in orders_:
        for k, v in evidence(o.id).items():
            ev[k] += v
    values = dict(orders=list(orders_), payers={"bcx": NO_AUTH}, authorizations=[],
                  infusions=[entry(id=f"m-{o.id}", order=o.id) for o in orders_], **ev)
    return base(**{**values, **extra})


# R15 ranking: (orders as (id, rate, start)), expected modifiers by order id
RANKS = [
    ("higher rate first", [("o-1", "100", "2026-10-01"), ("o-2", "200", "2026-10-01")],
     {"o-2": (), "o-1": ("SH",)}),
    ("rate tie: earlier start first", [("o-1", "100", "2026-10-03"), ("o-2", "100", "2026-10-01")],
     {"o-2": (), "o-1": ("SH",)}),
    ("rate and start tie: smaller id first (as text)",
     [("o-10", "100", "2026-10-01"), ("o-9", "100", "2026-10-01")],
     {"o-10": (), "o-9": ("SH",)}),
    ("no rate counts as zero", [("o-1", None, "2026-10-01"), ("o-2", "0.01", "2026-10-01")],
     {"o-2": (), "o-1": ("SH",)}),
    ("third and fourth get SJ",
     [("o-1", "300", "2026-10-01"), ("o-2", "200", "2026-10-01"), ("o-3", "100", "2026-10-01"),
      ("o-4", "50", "2026-10-01")],
     {"o-1": (), "o-2": ("SH",), "o-3": ("SJ",), "o-4": ("SJ",)}),
]


@pytest.mark.parametrize(("case", "specs", "expected"), RANKS, ids=[r[0] for r in RANKS])
def test_r15_concurrent_therapies(case, specs, expected):
    data = _concurrent(*(order(id=i, rate=r, start=s) for i, r, s in specs))
    assert {r.order_id: r.modifiers for r in evaluate(data)} == expected


def test_r15_not_billable_days_are_not_ranked_but_hold_days_are():
    data = _concurrent(order(id="o-1", rate="300"), order(id="o-2", rate="200"),
                       order(id="o-3", rate="100", signed_date=None))
    data.infusions[0] = entry(id="m-o-1", order="o-1", status="held")
    rows = {r.order_id: r for r in evaluate(data)}
    assert rows["o-1"].modifiers == ()  # not-billable: no modifiers and no rank
    assert rows["o-2"].modifiers == ()
    assert rows["o-3"].status == HOLD and rows["o-3"].modifiers == ("SH",)


def test_r15_other_patients_and_days_do_not_count():
    data = _concurrent(order(id="o-1"))
    data.infusions.append(entry(id="m-x", order="o-1", day=D("2026-10-08")))
    assert all(r.modifiers == () for r in evaluate(data))


MODS = [
    ("R16 suite gives SS", dict(infusions=[entry(setting="suite")]), ("SS",)),
    ("R16 held suite entry does not",
     dict(infusions=[entry(), entry(id="m2", setting="suite", status="held")]), ()),
    ("R17 payer modifiers", dict(payers={"mcd": MEDICAID}, patients=patient_with(cov("mcd")),
                                 authorizations=[]), ("U1",)),
    ("R18 order: SS then payer", dict(payers={"mcd": MEDICAID}, patients=patient_with(cov("mcd")),
                                      authorizations=[], infusions=[entry(setting="suite")]),
     ("SS", "U1")),
    ("R18 a payer modifier equal to SS is not repeated",
     dict(payers={"mcd": MEDICAID.model_copy(update={"per_diem_modifiers": ["SS", "U1"]})},
          patients=patient_with(cov("mcd")), authorizations=[],
          infusions=[entry(setting="suite")]), ("SS", "U1")),
    ("R16 hold days keep their modifiers", dict(infusions=[entry(setting="suite")],
                                                care_notes=[]), ("SS",)),
]


@pytest.mark.parametrize(("case", "changes", "modifiers"), MODS, ids=[m[0] for m in MODS])
def test_r16_r17_r18_modifiers(case, changes, modifiers):
    assert only(base(**changes)).modifiers == modifiers


def test_r18_concurrency_first_then_ss_then_payer():
    payer = MEDICAID.model_copy(update={"per_diem_modifiers": ["U1", "U2"]})
    data = _concurrent(order(id="o-1", rate="300"), order(id="o-2", rate="100"),
                       payers={"mcd": payer}, patients=patient_with(cov("mcd")))
    data.infusions[1] = entry(id="m-o-2", order="o-2", setting="suite")
    rows = {r.order_id: r.modifiers for r in evaluate(data)}
    assert rows == {"o-1": ("U1", "U2"), "o-2": ("SH", "SS", "U1", "U2")}


def test_billed_payer_is_primary_in_force_latest_start_wins():
    covs = [cov("a", "2026-01-01"), cov("b", "2026-06-01"), cov("c", "2026-01-01", None,
                                                                "secondary")]
    assert billed_coverage(covs, D("2026-05-31")).payer_id == "a"
    assert billed_coverage(covs, D("2026-10-07")).payer_id == "b"
    assert billed_coverage([covs[2]], D("2026-10-07")) is None


def test_payer_changes_mid_month_use_the_payer_of_each_day():
    payers = {"bcx": NO_AUTH, "mcd": MEDICAID}
    data = base(payers=payers, authorizations=[],
                patients=patient_with(cov("bcx", end="2026-10-07"), cov("mcd", "2026-10-08")),
                infusions=[entry(), entry(id="m2", day=D("2026-10-08"))])
    rows = evaluate(data)
    assert [(r.payer_id, r.modifiers) for r in rows] == [("bcx", ()), ("mcd", ("U1",))]


def test_range_and_patient_filters_and_sorting():
    data = base(infusions=_days(5))
    rows = evaluate(data, D("2026-10-04"), D("2026-10-05"))
    assert [r.date for r in rows] == [D("2026-10-04"), D("2026-10-05")]
    assert evaluate(data, patient_id="nobody") == []


def test_r12_window_at_the_first_date_python_knows():
    """A service day dated in the first days of year 1 (a typing slip) must not crash the
    rules for every patient: R12 still looks back up to 29 days."""
    first = dt.date.min
    data = base(orders=[order(start="0001-01-01")],
                patients=patient_with(cov(start="0001-01-01")),
                infusions=[entry(day=first)], authorizations=[],
                payers={"bcx": NO_AUTH},
                care_notes=[CareNoteRead(id="c", patient_id="p-1", date=first, author="J",
                                         text="t")])
    assert only(data, day=first).reasons == ("missing-plan-of-care", "missing-prep-note",
                                             "missing-delivery")


def test_r18_at_most_four_modifiers():
    payer = MEDICAID.model_copy(update={"per_diem_modifiers": ["U1", "U2", "U3"]})
    data = _concurrent(order(id="o-1", rate="300"), order(id="o-2", rate="100"),
                       payers={"mcd": payer}, patients=patient_with(cov("mcd")))
    data.infusions[1] = entry(id="m-o-2", order="o-2", setting="suite")
    rows = {r.order_id: r.modifiers for r in evaluate(data)}
    assert rows == {"o-1": ("U1", "U2", "U3"), "o-2": ("SH", "SS", "U1", "U2")}
