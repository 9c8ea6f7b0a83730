"""R26 late entries in the services, the import and export, and the notes the day panel and the
history show (models/records/recorded.py); the one definition is models/records/late.py."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from models.db import unit_of_work
from models.errors import ImportRejected, ValidationFailed
from models.interchange import read, write
from models.records import clinical, recorded, reference, registry
from models.records.late import late_note
from models.records.tables import CareNoteBase, InfusionBase, Pharmacy
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

DAY = dt.date(2026, 10, 30)


def entry(day: dt.date = DAY, **kw) -> InfusionBase:
    values = dict(id="", order_id="o-1", date=day, status="completed", start_time=dt.time(9),
                  end_time=dt.time(12), dose_given=Decimal(30000), administered_by="RN Okafor")
    return InfusionBase(**{**values, **kw})


def save(engine, data, today: dt.date, kind=registry.INFUSION, actor="Jia Lee"):
    with unit_of_work(engine) as s, today_is(today):
        return clinical.create_record(s, actor=actor, kind=kind, data=data)


@pytest.mark.parametrize("today, late", [
    (DAY, False), (DAY + dt.timedelta(days=1), False),  # the next day is on time
    (DAY + dt.timedelta(days=2), True)])  # two days later is late
def test_r26_a_record_saved_more_than_late_entry_days_after_its_date_needs_a_reason(
        example_engine, today, late):
    if not late:
        saved = save(example_engine, entry(), today)
        assert saved.first_recorded_at.date() == today and saved.first_recorded_by == "Jia Lee"
        return
    with pytest.raises(ValidationFailed) as info:
        save(example_engine, entry(), today)
    [error] = info.value.errors
    assert (error.field, error.code) == ("late_entry_reason", "late-entry-reason-required")
    assert error.problem == ("is required: recorded 2 days after the infusion entry's date, "
                             "a late entry must say why (late-entry-reason-required)")
    saved = save(example_engine, entry(late_entry_reason="Paper MAR received today"), today)
    assert saved.late_entry_reason == "Paper MAR received today"


def test_r26_the_pharmacy_setting_moves_the_line(example_engine):
    with unit_of_work(example_engine) as s:
        s.get(Pharmacy, 1).late_entry_days = 5
    save(example_engine, entry(), DAY + dt.timedelta(days=5))  # on time under 5 days
    with unit_of_work(example_engine) as s:
        s.get(Pharmacy, 1).late_entry_days = 0
    with pytest.raises(ValidationFailed, match="late-entry-reason-required"):
        save(example_engine, entry(DAY + dt.timedelta(days=1)),  # 0: the next day is late
             DAY + dt.timedelta(days=2))


def test_r26_an_edit_is_judged_by_the_first_save_not_the_edit(example_engine):
    """Correcting an on-time entry weeks later is an amendment (its history says so), not a
    late entry; moving its date back far enough before its first save makes it one."""
    saved = save(example_engine, entry(), DAY)
    with unit_of_work(example_engine) as s, today_is(DAY + dt.timedelta(days=30)):
        clinical.edit_record(s, actor="t", kind=registry.INFUSION, record_id=saved.id,
                             data=entry(id=saved.id, site="left forearm"), reason="site")
    with pytest.raises(ValidationFailed, match="late-entry-reason-required"), \
            unit_of_work(example_engine) as s:
        clinical.edit_record(s, actor="t", kind=registry.INFUSION, record_id=saved.id,
                             data=entry(DAY - dt.timedelta(days=3), id=saved.id),
                             reason="wrong day")


def test_r26_notes_mark_late_entries_with_late_note_and_imported_records(example_engine):
    late = save(example_engine, CareNoteBase(
        id="", patient_id="p-1001", date=DAY, author="Jia Lee", contact="patient",
        text="Called about the next delivery", late_entry_reason="Note found in the chart"),
        DAY + dt.timedelta(days=4), kind=registry.CARE_NOTE)
    with unit_of_work(example_engine) as s:
        notes = recorded.day_notes(s, "p-1001", DAY, DAY)
        imported = recorded.record_note(s, registry.INFUSION, "mar-1")
    [mine] = [n for n in notes[DAY] if n.record_id == late.id]
    assert mine.late == late_note(late.first_recorded_at, "Jia Lee", "Note found in the chart")
    assert mine.late == "Late entry, recorded 11/03/2026 by Jia Lee: Note found in the chart"
    assert mine.imported is None
    # the example file has no recorded_at: taken as recorded on its own date, never late
    assert imported.late is None and imported.first_recorded_at is None
    assert imported.imported.startswith("Imported from an interchange file on ")


def test_r26_import_refuses_a_late_record_without_a_reason_with_its_path(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["infusions"][0]["recorded_at"] = "2026-11-20T09:15"
    doc["infusions"][0]["recorded_by"] = "Kate Moss RN"
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=doc)
    assert any(p.startswith("infusions[0].late_entry_reason: is required: recorded ")
               and "(late-entry-reason-required)" in p for p in info.value.errors)
    doc["infusions"][0]["late_entry_reason"] = "Paper MAR received 11/20"
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=doc, source="late.json")
    with unit_of_work(engine) as s:
        mar = clinical.get_record(s, registry.INFUSION, doc["infusions"][0]["id"])
        exported = write.export_document(s)
    assert (mar.first_recorded_at, mar.first_recorded_by, mar.imported_from) == (
        dt.datetime(2026, 11, 20, 9, 15).astimezone(), "Kate Moss RN", "late.json")  # local
    assert exported["version"] == 1.1  # it carries 1.1 fields now
    out = exported["infusions"][0]
    assert (out["recorded_at"], out["recorded_by"], out["late_entry_reason"]) == (
        "2026-11-20T09:15:00", "Kate Moss RN", "Paper MAR received 11/20")


def test_r26_the_example_exports_as_version_1_without_recorded_at(example_engine):
    """Records imported without recorded_at keep none, so the example stays a v1 file."""
    with unit_of_work(example_engine) as s:
        doc = write.export_document(s)
        assert reference.get_pharmacy(s).late_entry_days == 1
    assert doc["version"] == 1
    assert not any("recorded_at" in r for r in doc["infusions"])
