"""R34 nursing visit lines, table-driven: 99601 for the first two hours, 99602 for each
further hour once more than 150 minutes passed ((minutes - 120 + 29) // 60), overnight visits,
and the statuses and reasons in the rule book's order (no-coverage, medicare-visit,
no-authorization, authorization-exhausted in date then visit-id order, incomplete-visit)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing.visits import (
    evaluate_visits,
    extra_hours,
    table_rows,
    to_csv,
    visit_price,
)
from models.records.tables import (
    AuthorizationRead,
    CoverageRead,
    NursingVisitRead,
    PatientRead,
    PayerRead,
)
from models.records.visits import visit_minutes
from tests.support.claim_data import PHARMACY

D = dt.date(2026, 10, 7)
PAYERS = {
    "bcx": PayerRead(id="bcx", name="Blue Prairie PPO", payer_id="BPP01", kind="commercial",
                     requires_prior_auth=True),
    "open": PayerRead(id="open", name="Open Plan", payer_id="OPEN1", kind="commercial"),
    "mcr": PayerRead(id="mcr", name="Medicare Part B", payer_id="MCRB", kind="medicare"),
}


def _patient(payer: str | None, pid: str = "p-1") -> PatientRead:
    coverages = [] if payer is None else [CoverageRead(
        payer_id=payer, member_id="M1", start_date=dt.date(2026, 1, 1))]
    return PatientRead(id=pid, first_name="Ann", last_name="Lee", birth_date=dt.date(1960, 1, 1),
                       sex="F", address_line1="1 Main St", city="Peoria", state="IL",
                       zip="61602", coverages=coverages)


def _visit(vid: str = "nv-1", start: str | None = "09:20", end: str | None = "13:20",
           day: dt.date = D, nurse: str | None = "Kate Moss RN",
           note: str | None = "IVIG infusion monitored", pid: str = "p-1") -> NursingVisitRead:
    return NursingVisitRead(
        id=vid, patient_id=pid, order_id="o-1", date=day,
        start_time=dt.time.fromisoformat(start) if start else None,
        end_time=dt.time.fromisoformat(end) if end else None, nurse=nurse, note=note)


def _auth(units: int, aid: str = "pa-v", code: str = "99601", start=dt.date(2026, 10, 1),
          end=dt.date(2026, 12, 31)) -> AuthorizationRead:
    return AuthorizationRead(id=aid, patient_id="p-1", payer_id="bcx", number=f"N-{aid}",
                             code=code, start_date=start, end_date=end, units=units)


@pytest.mark.parametrize(("start", "end", "minutes", "extra"), [
    ("09:00", "10:00", 60, 0),
    ("09:00", "11:00", 120, 0),
    ("09:00", "11:30", 150, 0),  # R34: 150 minutes is 99601 alone
    ("09:00", "11:31", 151, 1),  # 151 minutes: one 99602
    ("09:00", "12:29", 209, 1),
    ("09:00", "12:31", 211, 2),  # the second additional hour once 30 of its minutes passed
    ("09:20", "13:20", 240, 2),  # the demo's IVIG visit: 99601 + 2 x 99602
    ("22:00", "01:00", 180, 1),  # overnight: ends the next morning
    ("23:30", "03:45", 255, 2),
])
def test_r34_units_by_length_including_overnight_visits(start, end, minutes, extra):
    s, e = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    assert visit_minutes(s, e) == minutes
    assert extra_hours(minutes) == extra
    [r] = evaluate_visits([_visit(start=start, end=end)], {"p-1": _patient("open")}, PAYERS, [])
    assert r.status == "billable" and r.reasons == ()
    assert r.lines == (("99601", 1),) + ((("99602", extra),) if extra else ())


@pytest.mark.parametrize(("payer", "visit", "auths", "status", "reasons"), [
    (None, {}, [], "not-billable", ("no-coverage",)),  # R3
    ("mcr", {}, [], "not-billable", ("medicare-visit",)),
    ("mcr", {"nurse": None}, [], "not-billable", ("medicare-visit",)),  # R1-R4-like: alone
    ("bcx", {}, [], "hold", ("no-authorization",)),  # R5 with the visit code
    ("bcx", {}, [_auth(3, code="S9338")], "hold", ("no-authorization",)),  # per diem's: no
    ("bcx", {}, [_auth(0)], "hold", ("authorization-exhausted",)),  # R6
    ("bcx", {}, [_auth(1)], "billable", ()),
    ("bcx", {"note": " "}, [_auth(1)], "hold", ("incomplete-visit",)),
    ("bcx", {"start": None}, [], "hold", ("no-authorization", "incomplete-visit")),
    ("open", {"end": None}, [], "hold", ("incomplete-visit",)),
    ("open", {"nurse": ""}, [], "hold", ("incomplete-visit",)),
    ("open", {}, [], "billable", ()),  # no authorization needed
])
def test_r34_status_and_reasons_in_the_books_order(payer, visit, auths, status, reasons):
    [r] = evaluate_visits([_visit(**visit)], {"p-1": _patient(payer)}, PAYERS, auths)
    assert (r.status, r.reasons) == (status, reasons)
    if status == "not-billable":
        assert r.lines == (("99601", 0),)  # one row, units 0
    else:
        assert r.lines[0] == ("99601", 1)


def test_r34_authorization_units_per_visit_in_date_then_id_order_from_its_start():
    """R13 for visits: one unit a visit, in date then visit-id order; visits before the period
    asked for still use their units; a not-billable visit uses none."""
    visits = [_visit("nv-b", day=dt.date(2026, 10, 7)), _visit("nv-a", day=dt.date(2026, 10, 7)),
              _visit("nv-0", day=dt.date(2026, 10, 2)), _visit("nv-c", day=dt.date(2026, 10, 9))]
    patients = {"p-1": _patient("bcx")}
    results = evaluate_visits(visits, patients, PAYERS, [_auth(3)])
    assert [(r.visit_id, r.status, r.reasons, r.authorization_number) for r in results] == [
        ("nv-0", "billable", (), "N-pa-v"),
        ("nv-a", "billable", (), "N-pa-v"),
        ("nv-b", "billable", (), "N-pa-v"),
        ("nv-c", "hold", ("authorization-exhausted",), None)]
    october_7_on = evaluate_visits(visits, patients, PAYERS, [_auth(3)],
                                   start=dt.date(2026, 10, 7), end=dt.date(2026, 10, 31))
    assert [(r.visit_id, r.status) for r in october_7_on] == [
        ("nv-a", "billable"), ("nv-b", "billable"), ("nv-c", "hold")]


def test_r34_a_visit_does_not_depend_on_the_per_diem_days_status():
    """No per diem day, no infusion at all: the visit is judged on its own."""
    [r] = evaluate_visits([_visit(day=dt.date(2026, 11, 3))], {"p-1": _patient("open")},
                          PAYERS, [])
    assert r.status == "billable"


def test_the_billable_visits_table_columns_and_sort():
    """R34: CSV columns patient,visit,date,code,units,status,reasons,authorization; one row per
    visit and code, sorted by patient, date, visit, code; a not-billable visit has one row with
    99601 and units 0."""
    visits = [_visit("nv-2", day=dt.date(2026, 10, 9), pid="p-2"),
              _visit("nv-9", day=dt.date(2026, 10, 7)),
              _visit("nv-1", day=dt.date(2026, 10, 8), start="09:00", end="10:00")]
    patients = {"p-1": _patient("open"), "p-2": _patient(None, "p-2")}
    results = evaluate_visits(visits, patients, PAYERS, [])
    assert to_csv(results) == (
        "patient,visit,date,code,units,status,reasons,authorization\n"
        "p-1,nv-9,2026-10-07,99601,1,billable,,\n"
        "p-1,nv-9,2026-10-07,99602,2,billable,,\n"
        "p-1,nv-1,2026-10-08,99601,1,billable,,\n"
        "p-2,nv-2,2026-10-09,99601,0,not-billable,no-coverage,\n")
    assert [r["code"] for r in table_rows(results)] == ["99601", "99602", "99601", "99601"]


def test_the_visit_price_is_the_payers_rate_then_the_pharmacys_then_none():
    """R32/R34: one function decides a visit line's price: the payer's rate for the code,
    else the pharmacy's price list, else no price (the claim check refuses a zero charge)."""
    payer = PAYERS["bcx"].model_copy(update={"rates": [
        {"code": "99601", "rate": "180.00", "expected": "170.00"}]})
    pharmacy = PHARMACY.model_copy(update={"prices": [
        {"code": "99601", "charge": "150.00"}, {"code": "99602", "charge": "75.50"}]})
    assert visit_price("99601", payer, pharmacy).charge == Decimal("180.00")
    assert visit_price("99601", payer, pharmacy).expected == Decimal("170.00")
    assert visit_price("99602", payer, pharmacy).charge == Decimal("75.50")
    assert visit_price("99602", PAYERS["bcx"], None).charge is None
