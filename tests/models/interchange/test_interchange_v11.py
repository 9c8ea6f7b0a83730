"""Interchange v1.1 (issue 11): the optional claim fields go in and out of a file; a version 1
file, the example included, reads exactly as before and exports as version 1 again."""

from __future__ import annotations

import copy

import pytest

from models.db import unit_of_work
from models.errors import ImportRejected
from models.interchange.read import import_document
from models.interchange.write import export_document

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def v11(example_doc: dict) -> dict:
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["payers"].append({"id": "glc", "name": "Great Lakes Casualty", "payer_id": "GLCWC",
                          "kind": "workers-comp"})
    doc["payers"].append({"id": "tri", "name": "TRICARE East", "payer_id": "TRIEAST",
                          "kind": "other", "claim_filing_indicator": "CH"})
    doc["patients"][0]["coverages"].append({
        "payer": "glc", "member_id": "WC-88", "priority": "secondary",
        "start_date": "2026-09-14", "employer_claim_number": "WC-2291",
        "injury_date": "2026-09-14"})
    doc["orders"][0]["drug"].update({"billing_unit": "ML", "package_quantity": 100,
                                     "single_dose": True})
    doc["infusions"][0]["wasted"] = 500
    return doc


def test_a_v11_file_round_trips_every_new_field(engine, example_doc, empty_database):
    doc = v11(example_doc)
    with unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    with unit_of_work(engine) as s:
        out = export_document(s)
    assert out["version"] == 1.1
    assert out["payers"] == sorted(doc["payers"], key=lambda p: p["id"])
    assert out["patients"][0]["coverages"][1] == doc["patients"][0]["coverages"][1]
    assert out["orders"][0]["drug"] == doc["orders"][0]["drug"]
    assert out["infusions"][0]["wasted"] == 500
    other = empty_database("other.sqlite")
    with unit_of_work(other) as s:
        import_document(s, actor="t", doc=out)
    with unit_of_work(other) as s:
        assert export_document(s) == out


def test_the_example_v1_file_still_exports_as_version_1(example_engine, example_doc):
    with unit_of_work(example_engine) as s:
        assert export_document(s) == example_doc


@pytest.mark.parametrize(("where", "value", "error"), [
    (("payers", 0, "claim_filing_indicator"), "XX",
     "payers[0].claim_filing_indicator: \"XX\" is not one of"),
    (("orders", 0, "drug", "billing_unit"), "mEq",
     "orders[0].drug.billing_unit: \"mEq\" is not one of"),
    (("infusions", 0, "wasted"), -1, "infusions[0].wasted:"),
])
def test_bad_v11_values_are_refused_with_their_path(engine, example_doc, where, value, error):
    doc = v11(example_doc)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    assert any(e.startswith(error) for e in info.value.errors), info.value.errors


def test_a_billing_unit_without_its_package_quantity_is_refused(engine, example_doc):
    doc = v11(example_doc)
    del doc["orders"][0]["drug"]["package_quantity"]
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    assert any("orders[0].drug.package_quantity: goes with the NDC billing unit" in e
               for e in info.value.errors), info.value.errors
