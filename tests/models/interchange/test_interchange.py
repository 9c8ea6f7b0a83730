"""Interchange import and export: every error with its path, all or nothing, exact round trips."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.billing import loading
from models.db import unit_of_work
from models.errors import DomainError, ImportRejected, ValidationFailed
from models.interchange import read, validate, write
from models.records import clinical, reference, registry
from models.records.history import history
from models.records.tables import PayerBase
from models.validation import npi_with_check_digit
from tests.support.interchange_docs import (
    EXAMPLE_PATHS,
    JSON_VALUES,
    drop,
    dump,
    every,
    header,
    put,
)

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def import_doc(engine, doc) -> dict[str, int]:
    with unit_of_work(engine) as session:
        return read.import_document(session, actor="test", doc=doc)


def export_doc(engine) -> dict:
    with unit_of_work(engine) as session:
        return write.export_document(session)


def rejected(engine, doc) -> list[str]:
    before = dump(engine)
    with pytest.raises(ImportRejected) as info:
        import_doc(engine, doc)
    assert dump(engine) == before, "a refused import must not change the database"
    return info.value.errors


@pytest.fixture
def other_engine(empty_database):
    return empty_database("other.sqlite")


# --- the example file ------------------------------------------------------------------------


def test_example_imports_and_exports_exactly(example_engine, example_doc):
    exported = export_doc(example_engine)
    assert exported == example_doc
    # the same fields in the same (schema) order, not only equal as dictionaries
    assert json.dumps(exported) == json.dumps(example_doc)


def test_import_counts_each_collection(engine, example_doc):
    counts = import_doc(engine, example_doc)
    assert counts == {"pharmacy": 1, "payers": 3, "prescribers": 1, "patients": 1, "orders": 1,
                      "plans_of_care": 1, "authorizations": 1, "prep_notes": 2, "deliveries": 2,
                      "infusions": 3, "care_notes": 2, "nursing_visits": 0}


def test_imported_example_gives_the_expected_billable_days(example_engine):
    with unit_of_work(example_engine) as session:
        days = loading.billable_days(session, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    got = [(d.date.isoformat(), d.status, ":".join(d.modifiers), ";".join(d.reasons),
            d.authorization_number or "") for d in days]
    assert got == [  # R1 for the held dose, R16 SS for the suite, R13 units from pa-1
        ("2026-10-07", "billable", "", "", "PA20261001"),
        ("2026-10-28", "not-billable", "", "no-infusion", ""),
        ("2026-10-29", "billable", "SS", "", "PA20261001"),
    ]


def test_export_round_trip_through_an_empty_database(example_engine, other_engine):
    first = export_doc(example_engine)
    import_doc(other_engine, first)
    assert json.dumps(export_doc(other_engine)) == json.dumps(first)


def test_import_records_history_by_the_actor(example_engine):
    with unit_of_work(example_engine) as session:
        versions = history(session, "infusion", "mar-2")
    assert [(v.version, v.action, v.recorded_by) for v in versions] == [(1, "created", "test")]


# --- refused files: every error, with its path, nothing written ------------------------------

BAD_FILES = [
    ("unknown prescriber", put("orders", 0, "prescriber", "md-9"),
     ['orders[0].prescriber: no prescriber with id "md-9"']),
    ("unknown order", put("infusions", 2, "order", "o-7"),
     ['infusions[2].order: no order with id "o-7"']),
    ("unknown coverage payer", put("patients", 0, "coverages", 0, "payer", "aetna"),
     ['patients[0].coverages[0].payer: no payer with id "aetna"']),
    ("unknown patient and payer",
     every(put("authorizations", 0, "payer", "x1"), put("authorizations", 0, "patient", "p-9")),
     ['authorizations[0].patient: no patient with id "p-9"',
      'authorizations[0].payer: no payer with id "x1"']),
    ("prescriber NPI check digit", put("prescribers", 0, "npi", "1558412388"),
     ['prescribers[0].npi: "1558412388" is not a valid NPI: the check digit is wrong '
      "(the last digit should be 7)"]),
    ("pharmacy NPI check digit", put("pharmacy", "npi", "1234567890"),
     ['pharmacy.npi: "1234567890" is not a valid NPI: the check digit is wrong '
      "(the last digit should be 3)"]),
    ("NPI too short", put("prescribers", 0, "npi", "12345"),
     ['prescribers[0].npi: "12345" is not 10 digits']),
    ("impossible date", put("orders", 0, "start_date", "2026-02-30"),
     ['orders[0].start_date: "2026-02-30" is not a real calendar date']),
    ("date in another form", put("infusions", 0, "date", "10/07/2026"),
     ['infusions[0].date: "10/07/2026" is not a date in the form YYYY-MM-DD']),
    ("missing field", drop("orders", 0, "drug", "name"),
     ["orders[0].drug.name: is required"]),
    ("missing pharmacy", drop("pharmacy"), ["pharmacy: is required"]),
    ("unknown field", put("payers", 0, "colour", "blue"),
     ["payers[0].colour: is not a field of the interchange format"]),
    ("not in the list", put("infusions", 0, "status", "done"),
     ['infusions[0].status: "done" is not one of: completed, partial, held, refused, missed']),
    ("wrong type", put("authorizations", 0, "units", "6"),
     ['authorizations[0].units: "6" is not a whole number']),
    ("too few units", put("authorizations", 0, "units", 0),
     ["authorizations[0].units: 0 is less than 1"]),
    ("money with three decimals", put("orders", 0, "per_diem_rate", "150.005"),
     ['orders[0].per_diem_rate: "150.005" is not an amount like 150.00 (at most 2 decimals)']),
    ("time out of range", put("infusions", 0, "end_time", "24:10"),
     ['infusions[0].end_time: "24:10" is not a time in the form HH:MM (00:00 to 23:59)']),
    ("other format", put("format", "other"),
     ['format: is "other", not "infusion-interchange"']),
    ("dependant without subscriber", put("patients", 0, "coverages", 0, "relationship", "child"),
     ['patients[0].coverages[0].subscriber: is required when the relationship is "child", '
      "not self"]),
    ("device code as per diem", put("orders", 0, "per_diem_code", "S5035"),
     ["orders[0].per_diem_code: S5035 (Hit routine device maint) is not a home infusion per diem "
      "code"]),
    ("drug code as per diem", put("orders", 0, "per_diem_code", "J1569"),
     ["orders[0].per_diem_code: J1569 is not a home infusion per diem code"]),
    ("order ends before it starts", put("orders", 0, "end_date", "2026-09-30"),
     ["orders[0].end_date: 2026-09-30 is before the start date (2026-10-01)"]),
    ("order discontinued before it starts", put("orders", 0, "discontinued_date", "2026-09-01"),
     ["orders[0].discontinued_date: 2026-09-01 is before the start date (2026-10-01)"]),
    ("plan of care ends before it starts", put("plans_of_care", 0, "end_date", "2026-09-30"),
     ["plans_of_care[0].end_date: 2026-09-30 is before the start date (2026-10-01)"]),
    ("authorization ends before it starts", put("authorizations", 0, "end_date", "2025-12-31"),
     ["authorizations[0].end_date: 2025-12-31 is before the start date (2026-10-01)"]),
    ("coverage ends before it starts", put("patients", 0, "coverages", 0, "end_date", "2025-06-30"),
     ["patients[0].coverages[0].end_date: 2025-06-30 is before the start date (2026-01-01)"]),
    ("beyond-use date before preparation", put("prep_notes", 1, "beyond_use_date", "2026-10-25"),
     ["prep_notes[1].beyond_use_date: 2026-10-25 is before the preparation date (2026-10-26)"]),
    ("id used twice", put("infusions", 1, "id", "mar-1"),
     ['infusions[1].id: "mar-1" is used twice (also infusions[0])']),
    ("many problems at once", every(
        put("care_notes", 1, "patient", "p-2"),
        put("orders", 0, "prescriber", "md-9"),
        put("prescribers", 0, "npi", "1558412388"),
        put("pharmacy", "address", "state", "Illinois"),
        put("version", 2),
        put("patients", 0, "birth_date", "1961-02-29"),
        put("patients", 0, "coverages", 0, "relationship", "spouse"),
        put("orders", 0, "per_diem_code", "S5035"),
        put("plans_of_care", 0, "end_date", "2026-01-01"),
        put("infusions", 2, "id", "mar-1"),
     ), [
        "version: 2 is not one of: 1, 1.1",
        'pharmacy.address.state: "Illinois" is not a state as two capital letters (e.g. IL)',
        'prescribers[0].npi: "1558412388" is not a valid NPI: the check digit is wrong '
        "(the last digit should be 7)",
        'patients[0].birth_date: "1961-02-29" is not a real calendar date',
        'patients[0].coverages[0].subscriber: is required when the relationship is "spouse", '
        "not self",
        'orders[0].prescriber: no prescriber with id "md-9"',
        "orders[0].per_diem_code: S5035 (Hit routine device maint) is not a home infusion per "
        "diem code",
        "plans_of_care[0].end_date: 2026-01-01 is before the start date (2026-10-01)",
        'infusions[2].id: "mar-1" is used twice (also infusions[0])',
        'care_notes[1].patient: no patient with id "p-2"',
     ]),
]


@pytest.mark.parametrize("change, expected", [c[1:] for c in BAD_FILES],
                         ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_whole_with_every_error(engine, example_doc, change, expected):
    doc = copy.deepcopy(example_doc)
    change(doc)
    assert rejected(engine, doc) == expected
    assert all(not rows for rows in dump(engine).values())


@pytest.mark.parametrize("text, shown", [("NaN", "NaN"), ("1e400", "Infinity")])
def test_nan_and_infinity_are_refused_with_their_path(engine, example_doc, text, shown):
    """json.loads reads NaN and 1e400 (infinity), and the schema's `number` lets them pass:
    the importer must name the field instead of crashing in the middle of writing."""
    raw = json.dumps(example_doc).replace('"dose_given": 30000', f'"dose_given": {text}', 1)
    assert rejected(engine, json.loads(raw)) == [
        f"infusions[0].dose_given: {shown} is not a number (a file holds no NaN or Infinity)"]


def test_the_refusal_message_lists_every_problem(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["orders"][0]["prescriber"] = "md-9"
    doc["patients"][0]["sex"] = "X"
    with pytest.raises(ImportRejected) as info:
        import_doc(engine, doc)
    assert str(info.value).splitlines() == [
        "The file was not imported (2 problems):",
        'patients[0].sex: "X" is not one of: F, M, U',
        'orders[0].prescriber: no prescriber with id "md-9"',
    ]


def test_a_document_that_is_not_an_object_is_refused(engine):
    with unit_of_work(engine) as session:
        assert validate.validate_document(session, []) == ["(file): [] is not an object"]


def test_importing_the_same_file_twice_names_every_existing_id(example_engine, example_doc):
    errors = rejected(example_engine, example_doc)
    assert len(errors) == 17  # every record of the example, and nothing else
    assert 'payers[2].id: a payer with id "mcr" already exists in the database' in errors
    assert 'patients[0].id: a patient with id "p-1001" already exists in the database' in errors
    assert 'infusions[1].id: an infusion entry with id "mar-2" already exists in the database' \
        in errors
    assert errors[-1] == \
        'care_notes[1].id: a care coordination note with id "cn-2" already exists in the database'


def test_one_existing_id_among_new_records_is_refused(example_engine, example_doc):
    doc = header(example_doc)
    doc["payers"] = [{"id": "aetna", "name": "Aetna", "payer_id": "60054", "kind": "commercial"},
                     example_doc["payers"][0]]
    assert rejected(example_engine, doc) == [
        'payers[1].id: a payer with id "bcx" already exists in the database']


def test_a_file_of_another_pharmacy_is_refused_naming_the_fields(example_engine, example_doc):
    doc = header(example_doc)
    doc["pharmacy"]["name"] = "Lakeside Infusion"
    doc["pharmacy"]["npi"] = npi_with_check_digit("155841238")
    doc["pharmacy"]["address"]["zip"] = "61603"
    del doc["pharmacy"]["phone"]
    assert rejected(example_engine, doc) == [
        'pharmacy.name: "Lakeside Infusion" differs from this database\'s pharmacy '
        '("Riverbend Home Infusion"): the file belongs to another pharmacy',
        "pharmacy.npi: \"1558412387\" differs from this database's pharmacy (\"1234567893\"): "
        "the file belongs to another pharmacy",
        "pharmacy.address.zip: \"61603\" differs from this database's pharmacy (\"61602\"): "
        "the file belongs to another pharmacy",
        "pharmacy.phone: is not given, but this database's pharmacy has \"3095550142\": "
        "the file belongs to another pharmacy",
    ]


def test_a_file_of_the_same_pharmacy_adds_to_the_database(example_engine, example_doc):
    """The file may name records already in the database; its own records must be new."""
    doc = header(example_doc)
    doc["infusions"] = [
        # a missed dose with no note and an infusion running past midnight: the entry form
        # would ask for more, the file format does not
        {"id": "mar-4", "order": "o-1", "date": "2026-11-18", "status": "missed"},
        {"id": "mar-5", "order": "o-1", "date": "2026-11-19", "start_time": "22:00",
         "end_time": "01:30", "status": "completed", "dose_given": 30000,
         "administered_by": "Kate Moss RN"},
    ]
    counts = import_doc(example_engine, doc)
    assert counts["pharmacy"] == 0 and counts["infusions"] == 2
    with unit_of_work(example_engine) as session:
        days = loading.billable_days(session, dt.date(2026, 11, 18), dt.date(2026, 11, 18))
    assert [(d.status, list(d.reasons)) for d in days] == [("not-billable", ["no-infusion"])]  # R1
    exported = export_doc(example_engine)
    assert [e["id"] for e in exported["infusions"]] == ["mar-1", "mar-2", "mar-3", "mar-4",
                                                        "mar-5"]
    assert exported["infusions"][4]["end_time"] == "01:30"


# --- export choices ---------------------------------------------------------------------------


def test_numbers_and_money_keep_their_form(engine, example_doc, other_engine):
    doc = copy.deepcopy(example_doc)
    doc["orders"][0]["drug"]["unit_charge"] = "92.4"
    doc["orders"][0]["drug"]["hcpcs_unit_amount"] = 0.5
    doc["orders"][0]["per_diem_rate"] = "150"
    doc["infusions"][0]["dose_given"] = 30000.0
    doc["infusions"][2]["dose_given"] = 20000.25
    import_doc(engine, doc)
    out = export_doc(engine)
    assert out["orders"][0]["drug"]["unit_charge"] == "92.4"  # money keeps its stored scale
    assert out["orders"][0]["per_diem_rate"] == "150"
    assert out["orders"][0]["drug"]["hcpcs_unit_amount"] == 0.5
    assert isinstance(out["infusions"][0]["dose_given"], int)  # integral -> JSON integer
    assert out["infusions"][0]["dose_given"] == 30000
    assert out["infusions"][2]["dose_given"] == 20000.25
    import_doc(other_engine, out)
    assert json.dumps(export_doc(other_engine)) == json.dumps(out)


def test_defaults_and_empty_fields_are_left_out(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["payers"][2].update({"requires_prior_auth": False, "per_diem_modifiers": []})
    doc["patients"][0]["coverages"][0]["relationship"] = "self"
    doc["deliveries"][0]["received_by"] = ""
    import_doc(engine, doc)
    out = export_doc(engine)
    assert out["payers"][2] == example_doc["payers"][2]
    assert out["patients"][0]["coverages"][0] == example_doc["patients"][0]["coverages"][0]
    assert "received_by" not in out["deliveries"][0]
    assert out["infusions"][0]["setting"] == "home"  # the setting decides R16, so it is written


def test_a_dependant_coverage_exports_its_subscriber(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    cov = doc["patients"][0]["coverages"][0]
    cov["relationship"] = "spouse"
    cov["subscriber"] = {"first_name": "Erik", "last_name": "Lindqvist",
                         "birth_date": "1959-08-02", "sex": "M"}
    import_doc(engine, doc)
    assert export_doc(engine)["patients"][0]["coverages"][0] == cov


def test_collections_are_sorted_by_id(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["infusions"].reverse()
    doc["payers"].reverse()
    import_doc(engine, doc)
    out = export_doc(engine)
    assert [p["id"] for p in out["payers"]] == ["bcx", "ilmcd", "mcr"]
    assert [e["id"] for e in out["infusions"]] == ["mar-1", "mar-2", "mar-3"]


def test_a_payer_with_part_of_an_address_is_refused(example_engine):
    """The file's address needs street, city, state and ZIP; a payer saved with a city alone
    would lose it silently on export, so the service asks for the rest."""
    with pytest.raises(ValidationFailed) as err, unit_of_work(example_engine) as session:
        reference.save_payer(session, actor="test", data=PayerBase(
            id="aetna", name="Aetna", payer_id="60054", kind="commercial", city="Hartford"))
    assert [(e.field, e.problem) for e in err.value.errors] == [
        ("address_line1", "is required"), ("state", "is required"), ("zip", "is required")]


def test_a_group_number_the_file_cannot_carry_is_refused(example_engine):
    """"G 7710" saved from a form would make an export that no import accepts."""
    with pytest.raises(ValidationFailed) as err, unit_of_work(example_engine) as session:
        patient = reference.get_patient(session, "p-1001")
        reference.save_patient(session, actor="test", data=patient, coverages=[
            patient.coverages[0].model_copy(update={"group_number": "G 7710"})])
    assert [(e.field, e.problem) for e in err.value.errors] == [
        ("coverages[0].group_number", "uses letters, digits and dashes only (up to 50)")]


def test_a_coverage_the_file_cannot_carry_is_refused(example_engine):
    """Every value a coverage is saved with must export and import again."""
    with pytest.raises(ValidationFailed) as err, unit_of_work(example_engine) as session:
        patient = reference.get_patient(session, "p-1001")
        reference.save_patient(session, actor="test", data=patient, coverages=[
            patient.coverages[0].model_copy(update={
                "priority": "tertiary", "relationship": "spouse",
                "subscriber_first_name": "Erik", "subscriber_last_name": "Lindqvist",
                "subscriber_birth_date": dt.date(1959, 8, 2)})])  # no subscriber sex
    assert [e.field for e in err.value.errors] == [
        "coverages[0].priority", "coverages[0].subscriber"]


def test_voided_records_are_not_exported(example_engine):
    with unit_of_work(example_engine) as session:
        clinical.void_record(session, actor="test", kind=registry.INFUSION, record_id="mar-2",
                             reason="entered for the wrong day")
    assert [e["id"] for e in export_doc(example_engine)["infusions"]] == ["mar-1", "mar-3"]


def test_a_voided_order_takes_its_records_out_of_the_export(example_engine, other_engine):
    with unit_of_work(example_engine) as session:
        clinical.void_record(session, actor="test", kind=registry.ORDER, record_id="o-1",
                             reason="duplicate order")
    out = export_doc(example_engine)
    for name in ("orders", "plans_of_care", "prep_notes", "deliveries", "infusions"):
        assert name not in out
    assert [n["id"] for n in out["care_notes"]] == ["cn-1", "cn-2"]
    assert [a["id"] for a in out["authorizations"]] == ["pa-1"]
    import_doc(other_engine, out)  # still a file whose every reference resolves
    assert export_doc(other_engine) == out


def test_records_may_not_name_a_voided_order(example_engine, example_doc):
    with unit_of_work(example_engine) as session:
        clinical.void_record(session, actor="test", kind=registry.ORDER, record_id="o-1",
                             reason="duplicate order")
    doc = header(example_doc)
    doc["deliveries"] = [{"id": "d-9", "order": "o-1", "date": "2026-11-02"}]
    assert rejected(example_engine, doc) == ['deliveries[0].order: the order "o-1" is void']


def test_an_export_validates_against_the_schema(example_engine, other_engine):
    with unit_of_work(other_engine) as session:
        assert validate.validate_document(session, export_doc(example_engine)) == []


def test_an_empty_database_has_nothing_to_export(engine):
    with pytest.raises(DomainError, match="pharmacy settings are not set"):
        export_doc(engine)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(EXAMPLE_PATHS), JSON_VALUES), max_size=3))
def test_any_damaged_file_is_reported_not_crashed_on(engine, example_doc, changes):
    doc = copy.deepcopy(example_doc)
    for path, value in changes:
        try:
            put(*path, value)(doc)
        except (KeyError, IndexError, TypeError):  # an earlier change removed the path
            pass
    with unit_of_work(engine) as session:
        errors = validate.validate_document(session, doc)
        session.rollback()
    assert all(isinstance(e, str) and ": " in e for e in errors)
    if not errors:  # what passes the checks must import, then leave nothing behind here
        with unit_of_work(engine) as session:
            read.import_document(session, actor="test", doc=doc)
            session.rollback()
