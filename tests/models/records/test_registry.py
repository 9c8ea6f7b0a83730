"""The registry of record kinds describes each kind completely and consistently with the
tables, the file format, the rules, the checks and the converters that read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Integer
from sqlmodel import SQLModel

from models.billing.rules import REASONS
from models.db import unit_of_work
from models.interchange import convert, write
from models.interchange.format import COLLECTIONS, schema
from models.records import checks, clinical, registry
from models.records.registry import ClinicalKind
from models.records.tables import InfusionBase, InfusionRead, OrderRead
from tests.support.recorded import today_is

KINDS = registry.KINDS


def test_the_collections_are_the_files():
    top = set(schema()["properties"]) - {"format", "version", "pharmacy"}
    assert set(COLLECTIONS) == top
    assert all(k.key in schema()["$defs"] for k in KINDS)  # the record's $defs name


def test_keys_prefixes_and_collections_are_unique():
    for attribute in ("key", "id_prefix", "collection", "table"):
        values = [getattr(k, attribute) for k in KINDS]
        assert len(set(values)) == len(values), attribute


def test_every_table_with_a_string_id_is_a_kind():
    tables = {t for t in SQLModel.metadata.tables.values()
              if "id" in t.c.keys() and not isinstance(t.c.id.type, Integer)}
    assert tables == {k.table.__table__ for k in KINDS}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_kind_is_consistent(kind):
    fields = kind.base.model_fields
    for ref in kind.refs:
        assert f"{ref.key}_id" in fields
        assert KINDS.index(ref) < KINDS.index(kind)  # a file names only what came before
    for pair in kind.date_pairs:
        assert {pair.start, pair.end} <= set(fields)
    if kind.listing_date:
        assert kind.listing_date in fields
    assert issubclass(kind.read, kind.base) or kind is registry.PATIENT
    assert issubclass(kind.table, kind.base)
    assert kind.versioned == isinstance(kind, ClinicalKind) == ("version" in kind.read.model_fields)
    assert kind in convert.CONVERTERS
    assert kind in checks.CHECKS or kind is registry.PATIENT
    assert kind in write.OUT or kind is registry.PATIENT


def test_every_reason_is_fixed_in_a_kind():
    fixed = {code for k in KINDS for code in k.fixes}
    assert fixed == set(REASONS)
    assert registry.PATIENT.fixes == ("no-coverage", "medicare-s-code")  # R3, R4: coverages


def test_owners_are_the_patient_or_an_order():
    owners = {k.key: k.owner.key if k.owner else None for k in KINDS}
    assert owners == {
        "payer": None, "prescriber": None, "patient": None, "order": "patient",
        "plan_of_care": "order", "authorization": "patient", "prep_note": "order",
        "delivery": "order", "infusion": "order", "care_note": "patient",
        "nursing_visit": "patient"}
    assert [k.key for k in registry.ATTACHABLE] == ["patient", "order", "plan_of_care",
                                                    "delivery"]


def test_lookups_by_key_and_collection():
    assert registry.kind("order") is registry.ORDER
    assert registry.clinical("infusion") is registry.INFUSION
    assert registry.of_collection("prep_notes") is registry.PREP_NOTE
    with pytest.raises(KeyError):
        registry.clinical("payer")  # not versioned
    with pytest.raises(KeyError):
        registry.kind("claim")


def test_a_kind_types_what_the_services_give_back(example_engine):
    """create_record(kind=INFUSION, data=InfusionBase) gives an InfusionRead; get_record and
    list_records of ORDER give OrderRead: the kind carries the types from form to table."""
    with unit_of_work(example_engine) as s, today_is(dt.date(2026, 10, 30)):  # R26: on time
        made = clinical.create_record(s, actor="test", kind=registry.INFUSION, data=InfusionBase(
            id="", order_id="o-1", date=dt.date(2026, 10, 30), status="completed",
            start_time=dt.time(9), end_time=dt.time(11), dose_given=Decimal(30),
            administered_by="RN Okafor"))
        assert type(made) is InfusionRead and made.id.startswith("mar-") and made.version == 1
        assert type(clinical.get_record(s, registry.ORDER, "o-1")) is OrderRead
        assert {type(o) for o in clinical.list_records(s, registry.ORDER)} == {OrderRead}
