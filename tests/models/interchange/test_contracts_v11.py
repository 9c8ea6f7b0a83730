"""Interchange v1.1, R29-R32: a payer's contract (per diem basis, suite place of service, line
layout, rates), an order's dosing interval and the pharmacy's price list go in and out of a
file; bad values are refused with their path; a file without them reads as Part 1."""

from __future__ import annotations

import copy

import pytest
from sqlmodel import Session

from models.billing import loading
from models.db import unit_of_work
from models.errors import ImportRejected
from models.interchange.read import import_document
from models.interchange.write import export_document
from models.vocab import ACCESS_DAYS

CONTRACT = {"per_diem_basis": "access-days", "suite_place_of_service": "49",
            "line_layout": "month",
            "rates": [{"code": "S9338", "rate": "210.00", "expected": "180.50"},
                      {"code": "J1569", "rate": "80.00"}]}
PRICES = [{"code": "S9338", "charge": "250.00"}, {"code": "99601", "charge": "180.00"}]


def contracts(example_doc: dict) -> dict:
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["pharmacy"]["prices"] = PRICES
    doc["payers"][0].update(CONTRACT)
    for o in doc["orders"]:
        o["dosing_interval_days"] = 1
    return doc


def test_r29_r32_a_v11_file_round_trips_the_contract(engine, example_doc, empty_database):
    doc = contracts(example_doc)
    with unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    with unit_of_work(engine) as s:
        out = export_document(s)
    assert out["version"] == 1.1
    payer = next(p for p in out["payers"] if p["id"] == doc["payers"][0]["id"])
    assert {k: payer[k] for k in CONTRACT} == CONTRACT
    assert [o["dosing_interval_days"] for o in out["orders"]] == [1] * len(out["orders"])
    assert out["pharmacy"]["prices"] == PRICES
    other = empty_database("other.sqlite")
    with unit_of_work(other) as s:
        import_document(s, actor="t", doc=out)
    with unit_of_work(other) as s:
        assert export_document(s) == out


def test_r29_an_imported_access_days_payer_bills_access_days(engine, example_doc):
    doc = contracts(example_doc)
    with unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    with Session(engine) as s:
        days = loading.billable_days(s)
    assert any(r.basis == ACCESS_DAYS for r in days)


def test_the_example_without_contracts_exports_no_contract_field(example_engine, example_doc):
    with unit_of_work(example_engine) as s:
        out = export_document(s)
    assert out == example_doc  # version 1, nothing added
    assert not {"per_diem_basis", "rates"} & set(out["payers"][0])


@pytest.mark.parametrize(("where", "value", "error"), [
    (("payers", 0, "per_diem_basis"), "calendar-days",
     'payers[0].per_diem_basis: "calendar-days" is not one of'),
    (("payers", 0, "suite_place_of_service"), "11",
     'payers[0].suite_place_of_service: "11" is not one of'),
    (("payers", 0, "line_layout"), "week", 'payers[0].line_layout: "week" is not one of'),
    (("payers", 0, "rates"), [{"code": "S9338", "rate": "1,50"}], "payers[0].rates[0].rate:"),
    (("payers", 0, "rates"), [{"code": "S9338", "rate": "1"}, {"code": "S9338", "rate": "2"}],
     "payers[0].rates: row 2: code S9338 is listed twice"),
    (("orders", 0, "dosing_interval_days"), 0, "orders[0].dosing_interval_days:"),
    (("pharmacy", "prices"), [{"code": "s9338", "charge": "1"}], "pharmacy.prices[0].code:"),
])
def test_r29_r32_bad_contract_values_are_refused_with_their_path(engine, example_doc, where,
                                                                 value, error):
    doc = contracts(example_doc)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    assert any(e.startswith(error) for e in info.value.errors), info.value.errors
