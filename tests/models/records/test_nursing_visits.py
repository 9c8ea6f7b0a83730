"""Nursing visits (issue 15 item 1, R34) as a clinical record: saved, amended and voided
through the services with their history, R24/R26 like every clinical record, the links they
may name, the roles that record them, and interchange v1.1 (a file's `nursing_visits`)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

import main
from models.billing.visit_data import billable_visits
from models.db import unit_of_work
from models.errors import ImportRejected, ValidationFailed
from models.interchange import read, write
from models.records import clinical, registry
from models.records.history import history
from models.records.tables import NursingVisitBase
from models.security import accounts
from models.security.permissions import PermissionDenied
from tests.models.security.conftest import CHEAP, PASSWORD
from tests.support.recorded import create_on_its_day, today_is

NV = registry.NURSING_VISIT
DAY = dt.date(2026, 10, 7)
VISIT = {"id": "nv-1", "patient": "p-1001", "order": "o-1", "date": "2026-10-07",
         "start_time": "09:10", "end_time": "13:05", "nurse": "Kate Moss RN",
         "visit_type": "initial", "note": "First home IVIG; teaching, vitals every 15 minutes.",
         "infusions": ["mar-1"]}


def _visit(**kw) -> NursingVisitBase:
    values = dict(id="", patient_id="p-1001", order_id="o-1", date=DAY,
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  visit_type="initial", note="IVIG at home", infusions=["mar-1"])
    return NursingVisitBase(**{**values, **kw})


def test_a_visit_is_saved_amended_and_voided_with_its_history(example_engine):
    with unit_of_work(example_engine) as s:
        made = create_on_its_day(s, actor="nurse", kind=NV, data=_visit())
        assert made.id.startswith("nv-") and made.version == 1
        with today_is(DAY):
            clinical.edit_record(s, actor="nurse", kind=NV, record_id=made.id,
                                 data=_visit(end_time=dt.time(13, 20)), reason="pump history")
        clinical.void_record(s, actor="nurse", kind=NV, record_id=made.id, reason="wrong patient")
        assert [v.action for v in history(s, NV.key, made.id)] == ["created", "edited", "voided"]
        assert clinical.list_records(s, NV, patient_id="p-1001") == []


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"visit_type": "social"}, "visit_type", "initial, routine, teaching or other"),
    ({"end_time": dt.time(9, 10)}, "end_time", "is the start time"),
    ({"order_id": ""}, "order_id", "is required"),
    ({"infusions": ["mar-1", "mar-1"]}, "infusions", "twice"),
    ({"infusions": ["mar-99"]}, "infusions", 'no MAR entry with id "mar-99"'),
])
def test_a_bad_visit_is_refused_naming_the_field(example_engine, change, field, words):
    with unit_of_work(example_engine) as s, pytest.raises(ValidationFailed) as info:
        create_on_its_day(s, actor="nurse", kind=NV, data=_visit(**change))
    assert any(e.field == field and words in e.problem for e in info.value.errors)
    with unit_of_work(example_engine) as s:
        assert clinical.list_records(s, NV) == []  # nothing saved half-written


def test_r24_and_r26_apply_to_visits(example_engine):
    """R24: a visit dated after today is refused; R26: one saved days later needs a reason."""
    with unit_of_work(example_engine) as s, today_is(DAY), pytest.raises(ValidationFailed) as f:
        clinical.create_record(s, actor="nurse", kind=NV, data=_visit(date=DAY.replace(day=8),
                                                                       infusions=[]))
    assert f.value.errors[0].code == "future-date"
    with unit_of_work(example_engine) as s, today_is(DAY.replace(day=20)):
        with pytest.raises(ValidationFailed) as late:
            clinical.create_record(s, actor="nurse", kind=NV, data=_visit())
        assert late.value.errors[0].code == "late-entry-reason-required"
        clinical.create_record(s, actor="nurse", kind=NV,
                               data=_visit(late_entry_reason="Charted from the paper note"))


def test_nurses_and_pharmacists_record_visits_billing_reads_them(example_engine):
    with unit_of_work(example_engine) as s:
        accounts.add_account(s, actor="setup", username="admin", roles=["administrator"],
                             password=PASSWORD, hasher=CHEAP)
        for name, role in (("rn", "nurse"), ("rph", "pharmacist"), ("biller", "billing")):
            accounts.add_account(s, actor="admin", username=name, roles=[role],
                                 password=PASSWORD, hasher=CHEAP)
    with unit_of_work(example_engine) as s:
        create_on_its_day(s, actor="rn", kind=NV, data=_visit())
        create_on_its_day(s, actor="rph", kind=NV, data=_visit(infusions=[]))
        with pytest.raises(PermissionDenied, match="takes the role pharmacist or nurse"):
            create_on_its_day(s, actor="biller", kind=NV, data=_visit(infusions=[]))
        assert len(billable_visits(s, DAY, DAY)) == 2  # billing reads them


# --- interchange v1.1 ------------------------------------------------------------------------

def test_visits_round_trip_through_a_file_as_version_1_1(example_engine, example_doc,
                                                          empty_database):
    doc = copy.deepcopy(example_doc)
    other = empty_database("other.sqlite")
    with unit_of_work(example_engine) as s:
        create_on_its_day(s, actor="nurse", kind=NV, data=_visit(id="nv-1"))
    with unit_of_work(example_engine) as s:
        exported = write.export_document(s)
    assert exported["version"] == 1.1 and doc["version"] == 1
    [visit] = exported["nursing_visits"]
    assert {k: visit[k] for k in VISIT if k != "note"} == {k: v for k, v in VISIT.items()
                                                           if k != "note"}
    with unit_of_work(other) as s:
        counts = read.import_document(s, actor="test", doc=exported)
    assert counts["nursing_visits"] == 1
    with unit_of_work(other) as s:
        again = write.export_document(s)
        assert again["nursing_visits"] == exported["nursing_visits"]
        [result] = billable_visits(s, DAY, DAY)
    # the example's payer requires prior authorization and has none for 99601 (R5)
    assert (result.status, result.reasons) == ("hold", ("no-authorization",))


def test_an_authorization_for_99601_alone_is_written_as_version_1_1(example_engine):
    """Version 1's schema allows only HCPCS Level II codes on an authorization (R34)."""
    from models.records import reference
    from models.records.tables import AuthorizationBase

    with unit_of_work(example_engine) as s:
        reference.save_authorization(s, actor="test", data=AuthorizationBase(
            id="pa-v", patient_id="p-1001", payer_id="bcx", number="PAV1", code="99601",
            start_date=DAY, end_date=DAY, units=1))
    with unit_of_work(example_engine) as s:
        doc = write.export_document(s)
    assert doc["version"] == 1.1 and doc["authorizations"][-1]["code"] == "99601"


def test_a_version_1_file_imports_as_before(engine, example_doc):
    with unit_of_work(engine) as s:
        counts = read.import_document(s, actor="test", doc=example_doc)
    assert counts["nursing_visits"] == 0
    with unit_of_work(engine) as s:
        assert write.export_document(s) == example_doc  # still written as version 1


@pytest.mark.parametrize(("change", "expected"), [
    ({"order": "o-404"}, 'nursing_visits[0].order: no order with id "o-404"'),
    ({"infusions": ["mar-404"]}, 'nursing_visits[0].infusions: no MAR entry with id "mar-404"'),
    ({"visit_type": "social"}, "nursing_visits[0].visit_type"),
    ({"date": "2099-01-01"}, "nursing_visits[0].date: 2099-01-01 is after today"),
])
def test_a_files_bad_visit_is_refused_with_its_path(engine, example_doc, change, expected):
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["nursing_visits"] = [{**VISIT, **change}]
    with unit_of_work(engine) as s, pytest.raises(ImportRejected) as info:
        read.import_document(s, actor="test", doc=doc)
    assert any(e.startswith(expected) for e in info.value.errors), info.value.errors


# --- the billable-visits command ------------------------------------------------------------

def test_the_billable_visits_command_writes_the_r34_table(tmp_path, example_doc, capsys):
    """R34 on the command line: the CSV columns and rows as the rule book says, one row per
    visit and code; an authorization for 99601 makes the example's visit billable."""
    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["authorizations"].append({
        "id": "pa-v", "patient": "p-1001", "payer": "bcx", "number": "PAV1", "code": "99601",
        "start_date": "2026-10-01", "end_date": "2026-12-31", "units": 1})
    doc["nursing_visits"] = [
        VISIT, {**VISIT, "id": "nv-2", "date": "2026-10-29", "start_time": "09:20",
                "end_time": "11:50", "infusions": ["mar-3"], "visit_type": "routine"},
        {**VISIT, "id": "nv-3", "date": "2026-10-29", "start_time": "23:00", "end_time": "02:00",
         "infusions": [], "nurse": None}]
    doc["nursing_visits"][2].pop("nurse")
    path = tmp_path / "visits.json"
    path.write_text(__import__("json").dumps(doc), encoding="utf-8")
    db = ["--db", str(tmp_path / "cli.sqlite"), "--user", "tester"]
    assert main.main([*db, "import", "-q", str(path), "--today", "2026-11-01"]) == 0
    capsys.readouterr()
    assert main.main([*db, "billable-visits", "--from", "2026-10-01", "--to", "2026-10-31",
                      "--today", "2026-11-01"]) == 0
    assert capsys.readouterr().out == (
        "patient,visit,date,code,units,status,reasons,authorization\n"
        "p-1001,nv-1,2026-10-07,99601,1,billable,,PAV1\n"
        "p-1001,nv-1,2026-10-07,99602,2,billable,,PAV1\n"  # 235 minutes
        "p-1001,nv-2,2026-10-29,99601,1,hold,authorization-exhausted,\n"  # 150 minutes
        "p-1001,nv-3,2026-10-29,99601,1,hold,authorization-exhausted;incomplete-visit,\n"
        "p-1001,nv-3,2026-10-29,99602,1,hold,authorization-exhausted;incomplete-visit,\n")
