"""The importer runs the one record validation (models/records/checks.py) on every record of
a file, clinical ones too, with the file's paths; the entry forms' own demands stay theirs."""

from __future__ import annotations

import copy

import pytest

from models.db import unit_of_work
from models.errors import ImportRejected, ValidationFailed
from models.interchange import read, validate
from models.interchange.convert import CONVERTERS
from models.records import checks, registry
from tests.support.interchange_docs import dump


def refused(engine, doc) -> list[str]:
    """The problems an import of `doc` is refused with; nothing of it stays written, and they
    are what validate_document finds without importing."""
    before = dump(engine)
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as session:
        read.import_document(session, actor="test", doc=doc)
    assert dump(engine) == before
    with unit_of_work(engine) as session:
        assert validate.validate_document(session, doc) == info.value.errors
    return info.value.errors


@pytest.mark.parametrize("collection, field, path", [
    ("prep_notes", "pharmacist", "prep_notes[0].pharmacist"),
    ("care_notes", "author", "care_notes[0].author"),
    ("care_notes", "text", "care_notes[0].text"),
])
def test_a_clinical_name_of_blanks_is_refused_as_the_forms_refuse_it(
        engine, example_doc, collection, field, path):
    doc = copy.deepcopy(example_doc)
    doc[collection][0][field] = "   "  # passes the schema's minLength
    assert refused(engine, doc) == [f"{path}: is required"]
    kind = registry.of_collection(collection)
    with pytest.raises(ValidationFailed) as form:  # what a form or a service says of it
        checks.check_record(kind, CONVERTERS[kind](doc[collection][0]))
    assert [(e.field, e.problem) for e in form.value.errors] == [(field, "is required")]


def test_a_problem_is_named_where_the_file_keeps_the_field(engine, example_doc):
    """The order's drug is a block of its own in the file: drug_name is drug.name."""
    doc = copy.deepcopy(example_doc)
    doc["orders"][0]["drug"]["name"] = " "
    assert refused(engine, doc) == ["orders[0].drug.name: is required"]


def test_every_record_is_checked_though_the_first_problem_stops_the_writing(engine,
                                                                            example_doc):
    doc = copy.deepcopy(example_doc)
    doc["pharmacy"]["name"] = " "  # it becomes this database's pharmacy: checked first
    doc["prescribers"][0]["last_name"] = " "
    doc["care_notes"][-1]["text"] = "  "
    last = len(doc["care_notes"]) - 1
    assert refused(engine, doc) == ["pharmacy.name: is required",
                                    "prescribers[0].last_name: is required",
                                    f"care_notes[{last}].text: is required"]


def test_a_held_dose_without_a_note_is_the_forms_demand_not_the_files(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    entry = doc["infusions"][0]
    entry.update(status="held")
    entry.pop("notes", None)
    with unit_of_work(engine) as session:
        assert validate.validate_document(session, doc) == []
    with pytest.raises(ValidationFailed) as form:
        checks.check_record(registry.INFUSION, CONVERTERS[registry.INFUSION](entry))
    assert [e.problem for e in form.value.errors] == ["say why the dose was held"]


def test_the_per_diem_code_check_is_one_for_file_and_form():
    assert checks.per_diem_problem("S9338") is None
    assert checks.per_diem_problem("J1569") == "J1569 is not a home infusion per diem code"
    assert checks.per_diem_problem("S5035") == (
        "S5035 (Hit routine device maint) is not a home infusion per diem code")
    assert checks.per_diem_problem("9338").startswith('"9338" is not a HCPCS code')
