"""R28 lots in the database: the services refuse a lot that cannot be the one given (field
`prep_note`), the MAR's lot choices (clinical.lots_for), the beyond-use hour, the interchange
(v1.1: `prep_note` on infusions, `beyond_use_date` with an hour; v1 files unchanged) and
migration 0011. The example: rx-1 prepared 10/05, beyond use 10/09; rx-2 10/26 - 10/30."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from models import db
from models.billing.loading import billable_days
from models.db import unit_of_work
from models.errors import ImportRejected, ValidationFailed
from models.interchange import read, write
from models.records import clinical, registry
from models.records.tables import InfusionBase
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

DAY = dt.date(2026, 10, 8)


def entry(**kw) -> InfusionBase:
    values = dict(id="", order_id="o-1", date=DAY, status="completed", start_time=dt.time(9),
                  end_time=dt.time(12), dose_given=Decimal(30000), administered_by="RN Okafor")
    return InfusionBase(**{**values, **kw})


def save(engine, data, today=DAY):
    with unit_of_work(engine) as s, today_is(today):
        return clinical.create_record(s, actor="Jia Lee", kind=registry.INFUSION, data=data)


def refusal(engine, data) -> str:
    with pytest.raises(ValidationFailed) as info:
        save(engine, data)
    [error] = info.value.errors
    assert error.field == "prep_note"
    return error.problem


def test_r28_an_entry_names_a_covering_note_of_its_order(example_engine):
    saved = save(example_engine, entry(prep_note="rx-1"))
    assert saved.prep_note == "rx-1"
    with unit_of_work(example_engine) as s:
        assert clinical.get_record(s, registry.INFUSION, saved.id).prep_note == "rx-1"
        [day] = [r for r in billable_days(s, DAY, DAY)]
    assert (day.status, day.reasons) == ("billable", ())  # delivered 10/06, after rx-1's 10/05


def test_r28_the_services_refuse_a_lot_that_cannot_be_the_one_given(example_engine):
    assert refusal(example_engine, entry(prep_note="rx-9")) == 'no preparation note with id "rx-9"'
    assert refusal(example_engine, entry(prep_note="rx-2")) == (
        'the preparation note "rx-2" (prepared 2026-10-26, beyond use 2026-10-30) does not '
        "cover the entry's date 2026-10-08")
    with unit_of_work(example_engine) as s, today_is(DAY):
        order = clinical.get_record(s, registry.ORDER, "o-1")
        clinical.create_record(s, actor="t", kind=registry.ORDER, data=registry.ORDER.base
                               .model_validate(order).model_copy(update={
                                   "id": "o-2", "late_entry_reason": "second order typed in"}))
        note = clinical.get_record(s, registry.PREP_NOTE, "rx-1")
        clinical.create_record(s, actor="t", kind=registry.PREP_NOTE, data=registry.PREP_NOTE
                               .base.model_validate(note).model_copy(update={
                                   "id": "rx-o2", "order_id": "o-2",
                                   "late_entry_reason": "typed in"}))
    assert refusal(example_engine, entry(prep_note="rx-o2")) == (
        'the preparation note "rx-o2" is of order "o-2", not of this entry\'s order "o-1"')
    with unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="t", kind=registry.PREP_NOTE, record_id="rx-1",
                             reason="wrong lot")
    assert refusal(example_engine, entry(prep_note="rx-1")) == (
        'the preparation note "rx-1" is void')
    with unit_of_work(example_engine) as s:  # nothing half-written
        assert not [e for e in clinical.list_records(s, registry.INFUSION) if e.date == DAY]


def test_r28_lot_choices_are_the_orders_notes_covering_the_day(example_engine):
    with unit_of_work(example_engine) as s:
        assert [n.id for n in clinical.lots_for(s, "o-1", DAY)] == ["rx-1"]
        assert [n.id for n in clinical.lots_for(s, "o-1", dt.date(2026, 10, 27))] == ["rx-2"]
        assert clinical.lots_for(s, "o-1", dt.date(2026, 10, 20)) == []
        # an old entry's lot stays shown
        assert [n.id for n in clinical.lots_for(s, "o-1", dt.date(2026, 10, 20), "rx-1")] == [
            "rx-1"]


def test_r28_started_after_the_bud_hour_is_saved_as_it_happened_and_held_by_r9(
        example_engine):
    """USP 797 date and hour: rx-1 beyond use 10/08 at 08:00, the infusion started 09:00 is
    recorded (it happened) but the note does not cover it; started 07:30 it does."""
    with unit_of_work(example_engine) as s:
        note = clinical.get_record(s, registry.PREP_NOTE, "rx-1")
        clinical.edit_record(s, actor="Ravi Patel", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=registry.PREP_NOTE.base.model_validate(note).model_copy(
                                 update={"beyond_use_date": DAY,
                                         "beyond_use_time": dt.time(8, 0)}),
                             reason="BUD 24 h at room temperature")
    saved = save(example_engine, entry(prep_note="rx-1"))
    with unit_of_work(example_engine) as s:
        [late] = billable_days(s, DAY, DAY)
        assert "missing-prep-note" in late.reasons
        clinical.edit_record(s, actor="t", kind=registry.INFUSION, record_id=saved.id,
                             data=entry(start_time=dt.time(7, 30), prep_note="rx-1"),
                             reason="start time from the pump log")
    with unit_of_work(example_engine) as s:
        [early] = billable_days(s, DAY, DAY)
    assert "missing-prep-note" not in early.reasons


def _v11(example_doc) -> dict:
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["prep_notes"][0]["beyond_use_date"] = "2026-10-09T14:00"
    doc["infusions"][0]["prep_note"] = "rx-1"
    return doc


def test_r28_interchange_v1_1_carries_the_lot_and_the_bud_hour(engine, example_doc):
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=_v11(example_doc))
    with unit_of_work(engine) as s:
        note = clinical.get_record(s, registry.PREP_NOTE, "rx-1")
        assert (note.beyond_use_date, note.beyond_use_time) == (
            dt.date(2026, 10, 9), dt.time(14, 0))
        assert clinical.get_record(s, registry.INFUSION, "mar-1").prep_note == "rx-1"
        out = write.export_document(s)
    assert out["version"] == 1.1
    assert out["prep_notes"][0]["beyond_use_date"] == "2026-10-09T14:00"
    assert out["prep_notes"][1]["beyond_use_date"] == "2026-10-30"
    assert out["infusions"][0]["prep_note"] == "rx-1"
    assert "prep_note" not in out["infusions"][1]


def test_r28_import_names_a_bad_lot_and_a_bad_bud_hour_with_their_paths(engine, example_doc):
    doc = _v11(example_doc)
    doc["infusions"][0]["prep_note"] = "rx-2"
    doc["prep_notes"][1]["beyond_use_date"] = "2026-10-30T25:00"
    with unit_of_work(engine) as s, pytest.raises(ImportRejected) as info:
        read.import_document(s, actor="t", doc=doc)
    text_ = str(info.value)
    assert ('prep_notes[1].beyond_use_date: "2026-10-30T25:00" is not a date YYYY-MM-DD nor '
            "a date and hour YYYY-MM-DDTHH:MM") in text_
    doc["prep_notes"][1]["beyond_use_date"] = "2026-10-30"
    with unit_of_work(engine) as s, pytest.raises(ImportRejected) as info:
        read.import_document(s, actor="t", doc=doc)
    assert ('infusions[0].prep_note: the preparation note "rx-2" (prepared 2026-10-26, beyond '
            "use 2026-10-30) does not cover the entry's date 2026-10-07") in str(info.value)
    with unit_of_work(engine) as s:
        assert clinical.list_records(s, registry.INFUSION) == []


@pytest.mark.sqlite_only  # downgrades a SQLite file and reads its columns with PRAGMA
def test_r28_migration_0011_adds_the_lot_and_the_hour_empty_on_existing_rows(example_engine):
    plain = create_engine(example_engine.url)
    cfg = db.alembic_config(plain)
    command.downgrade(cfg, "0010")
    with plain.connect() as conn:
        assert "prep_note" not in [r[1] for r in conn.exec_driver_sql(
            "PRAGMA table_info(infusion)")]
    command.upgrade(cfg, "0011")
    with plain.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(prep_note) FROM infusion")).one() == (
            3, 0)
        assert conn.execute(text(
            "SELECT count(*), count(beyond_use_time) FROM prep_note")).one() == (2, 0)
    plain.dispose()


@pytest.mark.parametrize(("collection", "field"), [("prep_notes", "beyond_use_date"),
                                                   ("infusions", "recorded_at")])
def test_r28_a_date_and_hour_that_does_not_exist_is_refused_in_words(
        engine, example_doc, collection, field):
    """The schema checks the form YYYY-MM-DDTHH:MM only: 02/30 is named, not a crash (R28's
    beyond-use hour, R26's recorded_at)."""
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc[collection][0][field] = "2026-02-30T10:00"
    with unit_of_work(engine) as s, pytest.raises(ImportRejected) as info:
        read.import_document(s, actor="t", doc=doc)
    assert (f'{collection}[0].{field}: "2026-02-30T10:00" is not a real calendar date and '
            "time") in str(info.value)


def test_r28_the_packet_names_the_lot_each_entry_was_given_from(example_engine):
    """The auditor reads, beside each MAR entry, the lot (the preparation note's lot number)
    it names."""
    import io

    from pypdf import PdfReader

    from models.billing.packet_data import load_packet_data
    from reports.packet import render_packet

    saved = save(example_engine, entry(prep_note="rx-1"))
    with unit_of_work(example_engine) as s:
        data = load_packet_data(s, patient_id="p-1001", start=dt.date(2026, 10, 1),
                                end=dt.date(2026, 10, 31), prepared_by="t",
                                created_at=dt.datetime(2026, 11, 30, 9, 0))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    mar = " ".join(" ".join(p.split()) for p in pages if "Medication administration" in p)
    assert saved.id in mar and "Lot: LE12F044" in mar
    assert mar.count("Lot: ") == 1  # the example's own entries name no lot
