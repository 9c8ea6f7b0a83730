"""Compound orders (issue 15 part 3) in the database and the interchange file: migration 0015
keeps a single-drug order one component with the same billing; interchange v1.1 carries
`components` (round trip), a version 1 file imports as before (its drug the one component);
a bad component is refused with its path and nothing is written; each version keeps its
formula; the packet's order page lists the components."""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from alembic import command
from sqlalchemy import create_engine, text

from models import db
from models.billing import loading
from models.billing.packet_data import load_packet_data
from models.claims import batches as claim_batches
from models.db import unit_of_work
from models.errors import ImportRejected, ValidationFailed
from models.interchange.read import import_document
from models.interchange.write import export_document
from models.records import clinical, registry
from models.records.checks import check_record
from models.records.components import Component, order_components
from models.records.history import history
from models.records.tables import OrderBase
from reports.packet import render_packet
from tests.support.databases import billing_ready

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
FORMULA = [
    {"kind": "nutrient", "name": "Amino acids 5% and dextrose 20%", "hcpcs": "B4197",
     "per": "bag", "quantity": 1, "unit_charge": "318.00"},
    {"kind": "nutrient", "name": "Lipids 20% 250 mL", "hcpcs": "B4185",
     "ndc": "00338051909", "per": "day", "quantity": 2.5, "unit_charge": "11.40",
     "ndc_unit": "ML", "ndc_quantity": 125},
]


def claims_and_days(engine):
    with unit_of_work(engine) as s:
        days = loading.billable_days(s, *OCTOBER)
        preview = claim_batches.prepare_claims(s, *OCTOBER, fmt="837p")
    return ([(d.order_id, d.date, d.status, d.reasons, d.modifiers) for d in days],
            [(c.account_number, c.lines, c.total_charge, c.problems) for c in preview.drafts])


def test_migration_0015_keeps_a_single_drug_order_one_component_billing_the_same(
        example_engine):
    engine = billing_ready(example_engine)
    before = claims_and_days(engine)
    assert any(ln.code == "J1569" for _, lines, _, _ in before[1] for ln in lines)
    plain = create_engine(engine.url)
    cfg = db.alembic_config(plain)
    command.downgrade(cfg, "0011")
    with plain.connect() as conn:
        assert "components" not in [r[1] for r in conn.exec_driver_sql(
            "PRAGMA table_info(orders)")]
    command.upgrade(cfg, "0015")
    with plain.connect() as conn:
        assert conn.execute(text("SELECT id, components FROM orders")).all() == [("o-1", "[]")]
    plain.dispose()
    with unit_of_work(engine) as s:
        (o,) = clinical.list_records(s, registry.ORDER)
    assert o.components == []
    (drug,) = order_components(o)
    assert (drug.hcpcs, drug.per, drug.unit_charge, drug.ndc) == (
        "J1569", "dose", o.drug_unit_charge, o.drug_ndc)
    assert claims_and_days(engine) == before


def v11(example_doc: dict) -> dict:
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["orders"][0]["components"] = copy.deepcopy(FORMULA)
    return doc


def test_interchange_v11_components_round_trip(engine, example_doc, empty_database):
    doc = v11(example_doc)
    with unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    with unit_of_work(engine) as s:
        (o,) = clinical.list_records(s, registry.ORDER)
        out = export_document(s)
    assert [c.hcpcs for c in order_components(o)] == ["J1569", "B4197", "B4185"]
    assert o.components[1] == Component(
        kind="nutrient", name="Lipids 20% 250 mL", hcpcs="B4185", ndc="00338051909",
        per="day", quantity=Decimal("2.5"), unit_charge=Decimal("11.40"), ndc_unit="ML",
        ndc_quantity=Decimal(125))
    assert out["version"] == 1.1
    assert out["orders"][0]["components"] == FORMULA
    other = empty_database("other.sqlite")
    with unit_of_work(other) as s:
        import_document(s, actor="t", doc=out)
    with unit_of_work(other) as s:
        assert export_document(s) == out


def test_a_version_1_file_imports_its_drug_as_the_one_component_and_exports_as_v1(
        example_engine, example_doc):
    with unit_of_work(example_engine) as s:
        (o,) = clinical.list_records(s, registry.ORDER)
        assert export_document(s) == example_doc
    assert o.components == [] and "components" not in example_doc["orders"][0]
    assert [(c.kind, c.hcpcs, c.per) for c in order_components(o)] == [
        ("drug", "J1569", "dose")]


@pytest.mark.parametrize(("change", "error"), [
    ({"hcpcs": "S9366"}, "orders[0].components[0].hcpcs: S9366 is a per diem code"),
    ({"ndc_unit": None}, "orders[0].components[1].ndc_unit: is required with an NDC"),
    ({"per": "week"}, 'orders[0].components[0].per: "week" is not one of'),
    ({"quantity": 0}, "orders[0].components[0].quantity: 0 is not more than 0"),
    ({"name": "  "}, "orders[0].components[0].name: is required"),
])
def test_a_bad_component_is_refused_with_its_path_and_nothing_is_written(
        engine, example_doc, change, error):
    doc = v11(example_doc)
    index = 1 if "ndc_unit" in change else 0
    for key, value in change.items():
        if value is None:
            del doc["orders"][0]["components"][index][key]
        else:
            doc["orders"][0]["components"][index][key] = value
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        import_document(s, actor="t", doc=doc)
    assert any(e.startswith(error) for e in info.value.errors), info.value.errors
    with unit_of_work(engine) as s:
        assert clinical.list_records(s, registry.ORDER) == []


def test_the_check_names_each_bad_component_field(example_engine):
    with unit_of_work(example_engine) as s:
        (o,) = clinical.list_records(s, registry.ORDER)
    bad = OrderBase.model_validate(o).model_copy(update={"components": [
        Component(kind="powder", name="x", hcpcs="B41", per="day", quantity=Decimal(1)),
        Component(name="y", hcpcs="B4185", quantity=None, unit_charge=Decimal("1.005"),
                  ndc_quantity=Decimal(3))]})
    with pytest.raises(ValidationFailed) as info:
        check_record(registry.ORDER, bad)
    assert [(e.field, e.problem) for e in info.value.errors] == [
        ("components[0].kind", "is drug or nutrient"),
        ("components[0].hcpcs",
         '"B41" is not a HCPCS code (a capital letter and four digits, e.g. S9338)'),
        ("components[1].quantity", "is required"),
        ("components[1].unit_charge", "is dollars and cents, e.g. 12.50 (at most 9999999.99)"),
        ("components[1].ndc", "is required with an NDC unit or quantity"),
    ]


def test_each_version_keeps_its_formula_and_the_packet_lists_the_components(example_engine):
    with unit_of_work(example_engine) as s:
        (o,) = clinical.list_records(s, registry.ORDER)
        data = OrderBase.model_validate(o).model_copy(
            update={"components": [Component.model_validate(
                {**FORMULA[1], "quantity": Decimal("2.5"), "ndc_quantity": Decimal(125),
                 "unit_charge": Decimal("11.40")})]})
        clinical.edit_record(s, actor="t", kind=registry.ORDER, record_id=o.id, data=data,
                             reason="lipids added", today=dt.date(2026, 11, 27))
    with unit_of_work(example_engine) as s:
        versions = history(s, "order", o.id)
        packet = load_packet_data(s, patient_id=o.patient_id, start=OCTOBER[0],
                                  end=OCTOBER[1], prepared_by="t",
                                  created_at=dt.datetime(2026, 11, 27, 9, 30))
    assert [v.data["components"] for v in versions] == [[], [{
        "kind": "nutrient", "name": "Lipids 20% 250 mL", "hcpcs": "B4185",
        "ndc": "00338051909", "per": "day", "quantity": "2.5", "unit_charge": "11.40",
        "ndc_unit": "ML", "ndc_quantity": "125"}]]
    text_ = " ".join(" ".join(p.extract_text().split()) for p in
                     pypdf.PdfReader(io.BytesIO(render_packet(packet))).pages)
    assert "J1569 Gammagard Liquid 10% (drug): by the dose given (R21), $92.40 a unit" in text_
    assert ("B4185 Lipids 20% 250 mL (nutrient): 2.5 a day, $11.40 a unit, NDC 00338051909 "
            "125 ML a day") in text_
