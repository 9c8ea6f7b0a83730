"""The bulk import: the same rows as the services write one record at a time, all or nothing,
progress, and the fast schema check wording errors exactly as Python jsonschema does."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from benchmarks.generate import generate
from models import clock
from models.db import sqlite_path, unit_of_work
from models.errors import ImportRejected
from models.interchange import convert, read, validate, write
from models.interchange.format import COLLECTIONS
from models.records import clinical, reference, registry
from models.records.changes import changes_of
from models.records.tables import RecordVersion
from tests.support.interchange_docs import EXAMPLE_PATHS, JSON_VALUES, dump, header, put

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

GENERATED = generate(4, 2, seed=7)  # ~1,400 records of every kind, concurrent therapies


def import_through_services(engine, doc: dict, actor: str = "test") -> None:
    """The import as it was before the bulk writer: one service call per record (what the
    forms do), in the file's order, in one transaction."""
    with unit_of_work(engine) as session:
        if reference.get_pharmacy(session) is None:
            reference.save_pharmacy(session, actor=actor,
                                    data=convert.pharmacy_in(doc["pharmacy"]))
        for coll, kind in COLLECTIONS.items():
            for item in doc.get(coll, []):
                data = convert.CONVERTERS[kind](item)
                if kind is registry.PAYER:
                    reference.save_payer(session, actor=actor, data=data)
                elif kind is registry.PRESCRIBER:
                    reference.save_prescriber(session, actor=actor, data=data)
                elif kind is registry.PATIENT:
                    reference.save_patient(session, actor=actor, data=data,
                                           coverages=convert.coverages_in(item))
                elif kind is registry.AUTHORIZATION:
                    reference.save_authorization(session, actor=actor, data=data)
                else:
                    at, by = convert.recorded_in(item)
                    clinical.create_record(session, actor=actor, kind=kind, data=data,
                                           form_checks=False, imported=clinical.Imported(
                                               at, by, None, clock.now()))


def import_doc(engine, doc: dict, **kwargs) -> dict[str, int]:
    with unit_of_work(engine) as session:
        return read.import_document(session, actor="test", doc=doc, **kwargs)


def stored(engine, since: dt.datetime) -> dict[str, list[tuple]]:
    """Every table's rows as SQLite stores them (text, numbers, NULLs), in insertion order.
    A `recorded_at` of the import (the moment it ran) shows as "<import>"."""
    conn = sqlite3.connect(sqlite_path(str(engine.url)))
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('alembic_version', 'audit_event') ORDER BY name")]
        # the audit trail differs by design (issue 12): the services add a row a record, an
        # import one row naming what it wrote (tests/models/security/test_audit_trail.py)
        out = {}
        for name in names:
            cur = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')
            columns = [c[0] for c in cur.description]
            rows = []
            for row in cur.fetchall():
                values = dict(zip(columns, row, strict=True))
                for column in ("recorded_at", "imported_at"):
                    at = values.get(column)
                    if at is not None and dt.datetime.fromisoformat(at) >= since:
                        values[column] = "<import>"
                rows.append(tuple(values.items()))
            out[name] = rows
        return out
    finally:
        conn.close()


@pytest.fixture
def engines(empty_database):
    return [empty_database(name) for name in ("bulk.sqlite", "services.sqlite")]


def addition(example_doc: dict) -> dict:
    """A file of the example's pharmacy that adds to it: a new patient and payer, records of
    the existing order o-1 and patient p-1001, an order of the new patient."""
    doc = header(example_doc)
    doc["payers"] = [{"id": "aetna", "name": "Aetna", "payer_id": "60054", "kind": "commercial",
                      "per_diem_modifiers": ["U1"]}]
    new = copy.deepcopy(example_doc["patients"][0])
    new.update(id="p-2002", first_name="Ruth")
    new["coverages"].append({"payer": "aetna", "member_id": "W1", "start_date": "2026-11-01",
                             "priority": "secondary", "relationship": "spouse",
                             "subscriber": {"first_name": "Al", "last_name": "Lind",
                                            "birth_date": "1950-01-02", "sex": "M"}})
    doc["patients"] = [new]
    order = copy.deepcopy(example_doc["orders"][0])
    order.update(id="o-2", patient="p-2002")
    doc["orders"] = [order]
    doc["authorizations"] = [{**example_doc["authorizations"][0], "id": "pa-2",
                              "patient": "p-2002", "number": "PA2"}]
    doc["infusions"] = [
        {"id": "mar-4", "order": "o-1", "date": "2026-11-18", "status": "missed"},
        {"id": "mar-5", "order": "o-2", "date": "2026-11-19", "start_time": "22:00",
         "end_time": "01:30", "status": "completed", "dose_given": 30000.5},
    ]
    doc["care_notes"] = [{**example_doc["care_notes"][0], "id": "cn-9"}]
    return doc


# --- the same rows as the services ------------------------------------------------------------


@pytest.mark.sqlite_only  # reads what the SQLite file stores, value by value
@pytest.mark.parametrize("name", ["example", "generated"])
def test_bulk_import_stores_exactly_what_the_services_store(engines, example_doc, name):
    doc = example_doc if name == "example" else GENERATED
    bulk, one_by_one = engines
    since = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # stored in UTC
    import_doc(bulk, doc)
    import_through_services(one_by_one, doc)
    got, expected = stored(bulk, since), stored(one_by_one, since)
    assert got.keys() == expected.keys()
    for table in expected:  # table by table, row by row: the history rows included
        assert got[table] == expected[table], table
    assert len(got["record_version"]) == sum(len(v) for k, v in doc.items()
                                             if k in COLLECTIONS)


@pytest.mark.sqlite_only  # reads what the SQLite file stores, value by value
def test_bulk_import_into_a_database_with_data_stores_what_the_services_store(
        engines, example_doc):
    bulk, one_by_one = engines
    since = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # stored in UTC
    for eng in engines:
        import_through_services(eng, example_doc)
    counts = import_doc(bulk, addition(example_doc))
    import_through_services(one_by_one, addition(example_doc))
    assert counts["pharmacy"] == 0 and counts["infusions"] == 2
    assert stored(bulk, since) == stored(one_by_one, since)


def test_generated_pharmacy_round_trips_byte_for_byte(engines):
    first, second = engines
    import_doc(first, GENERATED)
    with unit_of_work(first) as session:
        text = write.to_json(write.export_document(session))
    import_doc(second, json.loads(text))
    with unit_of_work(second) as session:
        assert write.to_json(write.export_document(session)) == text


@pytest.mark.parametrize("paramstyle", ["qmark", "named"])
def test_rows_are_stored_as_a_core_insert_stores_them(tmp_path, paramstyle):
    """_insert_rows converts values with the columns' own types, for a driver taking
    positional parameters (SQLite's default) or named ones (as PostgreSQL's drivers do)."""
    rows = [{"kind": "infusion", "record_id": f"mar-{n}", "version": 1, "action": "created",
             "data": {"dose_given": "30000.5", "n": n}, "recorded_by": "Kate Moss RN",
             "recorded_at": dt.datetime(2026, 11, 27, 9, 5), "reason": None} for n in range(3)]
    stored_by = {}
    for how in ("core", "driver"):
        eng = create_engine(f"sqlite:///{tmp_path / how}.sqlite", paramstyle=paramstyle)
        SQLModel.metadata.create_all(eng, tables=[RecordVersion.__table__])
        with Session(eng) as session:
            if how == "core":
                session.execute(insert(RecordVersion.__table__), rows)
            else:
                read._insert_rows(session, RecordVersion.__table__, rows)
            session.commit()
        with eng.connect() as conn:
            stored_by[how] = conn.exec_driver_sql("SELECT * FROM record_version").all()
        eng.dispose()
    assert stored_by["driver"] == stored_by["core"]
    assert stored_by["core"][2][5] == '{"dose_given": "30000.5", "n": 2}'
    assert stored_by["core"][2][7] == "2026-11-27 09:05:00.000000"


def test_write_file_writes_the_text_of_to_json(example_engine, tmp_path):
    with unit_of_work(example_engine) as session:
        doc = write.export_document(session)
    write.write_file(tmp_path / "out.json", doc)
    assert (tmp_path / "out.json").read_bytes() == write.to_json(doc).encode("utf-8")
    assert [f.name for f in tmp_path.iterdir() if f.suffix == ".part"] == []


def test_the_import_leaves_a_change_notice_of_every_kind_and_patient(engine, example_doc):
    import_doc(engine, example_doc)
    with unit_of_work(engine) as session:
        read.import_document(session, actor="test", doc=addition(example_doc))
        changes = changes_of(session)
    assert changes.kinds == {"payer", "patient", "order", "authorization", "infusion",
                             "care_note"}
    assert changes.patient_ids == {"p-1001", "p-2002"}  # mar-4 is of p-1001's order o-1


# --- all or nothing ---------------------------------------------------------------------------


def test_a_record_the_forms_refuse_is_reported_with_its_path(engine, example_doc):
    """A name of blanks passes the schema (it is not empty) but is no name: the services'
    checks run before anything is written, over every reference record."""
    doc = copy.deepcopy(example_doc)
    doc["pharmacy"]["name"] = "  "  # checked as it becomes this database's pharmacy
    doc["payers"][1]["name"] = "   "
    doc["patients"][0]["last_name"] = " "
    before = dump(engine)
    with pytest.raises(ImportRejected) as info:
        import_doc(engine, doc)
    assert info.value.errors == ["pharmacy.name: is required",
                                 "payers[1].name: is required",
                                 "patients[0].last_name: is required"]
    assert dump(engine) == before
    with unit_of_work(engine) as session:
        assert validate.validate_document(session, doc) == info.value.errors


def test_a_database_error_while_writing_rolls_back_everything(engine, example_doc):
    """A failure half-way through the writing (here SQLite refusing the second infusion
    entry, as a full disk would) leaves nothing of the file behind."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.id = 'mar-2' THEN RAISE EXCEPTION 'no room' USING ERRCODE = '23000'; "
                "END IF; RETURN NEW; END $$")
            conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON infusion "
                                 "FOR EACH ROW EXECUTE FUNCTION refuse()")
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON infusion "
                "WHEN NEW.id = 'mar-2' BEGIN SELECT RAISE(ABORT, 'no room'); END")
    before = dump(engine)
    with pytest.raises(IntegrityError, match="no room"):
        import_doc(engine, example_doc)
    assert dump(engine) == before


# --- progress ---------------------------------------------------------------------------------


def test_progress_goes_through_checking_then_writing_to_the_last_record(engine):
    seen: list[read.Progress] = []
    import_doc(engine, GENERATED, progress=seen.append)
    total = sum(len(v) for k, v in GENERATED.items() if k in COLLECTIONS)
    assert seen[:3] == [read.Progress("checking", 0, total),
                        read.Progress("checking", total, total),
                        read.Progress("writing", 0, total)]
    writing = [p.done for p in seen[3:]]
    assert all(p.phase == "writing" and p.total == total for p in seen[3:])
    assert writing == sorted(writing) and writing[-1] == total
    assert len(writing) >= total // read.BATCH  # more than one step: a moving bar


def test_an_exception_from_progress_stops_the_import_and_writes_nothing(engine):
    """How the GUI's Cancel stops an import half-way: its progress callback raises."""

    class Stop(Exception):
        pass

    def stop_half_way(p: read.Progress) -> None:
        if p.phase == "writing" and p.done > p.total // 2:
            raise Stop

    before = dump(engine)
    with pytest.raises(Stop):
        import_doc(engine, GENERATED, progress=stop_half_way)
    assert dump(engine) == before


def test_reading_reports_the_file_size(tmp_path, example_doc):
    path = tmp_path / "example.json"
    path.write_text(json.dumps(example_doc), encoding="utf-8")
    seen: list[read.Progress] = []
    assert read.read_file(path, progress=seen.append) == example_doc
    size = path.stat().st_size
    assert seen == [read.Progress("reading", 0, size),
                    read.Progress("reading", size, size)]


# --- the fast schema check words errors as Python jsonschema does ------------------------------


def in_file_order(errors: list) -> list:
    """As validate_document lists them (a stable sort: errors on one field keep their order)."""
    return sorted(errors, key=validate._sort_key)



@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(EXAMPLE_PATHS), JSON_VALUES), max_size=4))
def test_fast_schema_check_finds_what_python_jsonschema_finds(example_doc, changes):
    doc = copy.deepcopy(example_doc)
    for path, value in changes:
        try:
            put(*path, value)(doc)
        except (KeyError, IndexError, TypeError):  # an earlier change removed the path
            pass
    assert in_file_order(validate._schema_errors(doc)) == \
        in_file_order(validate._python_schema_errors(doc))


def test_fast_schema_check_on_a_large_file_with_scattered_errors():
    doc = copy.deepcopy(GENERATED)
    doc["infusions"][5]["date"] = "2026-02-30"
    doc["infusions"][700]["status"] = "given"
    doc["infusions"][701]["start_time"] = "25:00"
    del doc["orders"][3]["drug"]["name"]
    doc["patients"][2]["coverages"][0]["relationship"] = "cousin"
    doc["care_notes"][9] = "not a note"
    doc["prep_notes"] = {"not": "a list"}
    doc["pharmacy"]["npi"] = "123"
    doc["colour"] = "blue"
    errors = in_file_order(validate._schema_errors(doc))
    assert errors == in_file_order(validate._python_schema_errors(doc))
    assert len(errors) == 9
