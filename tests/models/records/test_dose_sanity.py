"""R25 dose sanity: an administered dose over twice the order's plain dose, a completed entry
with dose 0 and a second administered entry for the same order and date are saved only with a
note; an import takes them and lists warnings with their JSON paths; no status changes."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

import main
from models.billing.loading import billable_days
from models.db import unit_of_work
from models.errors import ValidationFailed
from models.interchange import read
from models.records import clinical, registry
from models.records.dose import prefill_dose
from models.records.sanity import dose_from_text, doses_a_day, out_of_range
from models.records.tables import InfusionBase

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-10-30")  # the entries below are on time (R26)


ORDER = SimpleNamespace(dose="30 g (0.4 g/kg)", drug_dose_unit="mg", frequency="every 21 days")


@pytest.mark.parametrize("dose, status, problem", [
    ("60000", "completed", None),  # twice is still in range
    ("60001", "partial", "60001 mg is more than twice the ordered dose (30000 mg)"),
    ("200000", "completed", "200000 mg is more than twice the ordered dose (30000 mg)"),
    ("0", "completed", "a completed entry with dose 0"),
    ("0", "partial", None),  # a partial dose of 0 is what R11 reads as recorded
    ("200000", "held", None),  # not administered: not judged
    (None, "completed", None),  # no dose: R11's to report
])
def test_r25_dose_out_of_range(dose, status, problem):
    assert out_of_range(ORDER, None if dose is None else Decimal(dose), status) == problem


def test_r25_only_a_plain_amount_in_the_dose_unit_is_judged():
    weight_based = SimpleNamespace(dose="6 mg/kg (500 mg)", drug_dose_unit="mg")
    assert dose_from_text(weight_based.dose, "mg") is None  # not 6 mg
    assert out_of_range(weight_based, Decimal(500), "completed") is None
    assert out_of_range(SimpleNamespace(dose="2 vials", drug_dose_unit="mg"),
                        Decimal(10**9), "completed") is None


@pytest.mark.parametrize("frequency, n", [("every 24 hours", 1), ("every 12 hours", 2),
                                          ("q8h", 3), ("every 21 days", 1), (None, 1),
                                          ("daily", 1), ("every 48 hours", 1)])
def test_r25_doses_a_day_a_frequency_plainly_allows(frequency, n):
    assert doses_a_day(frequency) == n


def _entry(**kw):
    values = dict(id="", order_id="o-1", date=dt.date(2026, 10, 30), status="completed",
                  start_time=dt.time(9), end_time=dt.time(12), dose_given=Decimal(30000),
                  administered_by="RN")
    return InfusionBase(**{**values, **kw})


def test_r25_services_save_an_oversized_dose_only_with_a_note(example_engine):
    with pytest.raises(ValidationFailed) as info, unit_of_work(example_engine) as s:
        clinical.create_record(s, actor="t", kind=registry.INFUSION,
                               data=_entry(dose_given=Decimal(200000)))
    [err] = info.value.errors
    assert (err.field, err.code) == ("notes", "dose-out-of-range")
    assert err.problem == ("200000 mg is more than twice the ordered dose (30000 mg): say why "
                           "in the notes (dose-out-of-range)")
    with unit_of_work(example_engine) as s:
        saved = clinical.create_record(s, actor="t", kind=registry.INFUSION, data=_entry(
            dose_given=Decimal(200000), notes="Pump programmed in mcg; checked with RPh."))
        # the next entry is offered the ordered dose, never the one out of range
        order = clinical.get_record(s, registry.ORDER, "o-1")
        assert prefill_dose(order, [saved]) == Decimal(30000)


def test_r25_a_second_administered_entry_needs_a_note_and_is_still_one_day(example_engine):
    with unit_of_work(example_engine) as s:
        clinical.create_record(s, actor="t", kind=registry.INFUSION, data=_entry())
        # a held entry beside it is no second administered one
        clinical.create_record(s, actor="t", kind=registry.INFUSION,
                               data=_entry(status="held", dose_given=None, notes="fever"))
    with pytest.raises(ValidationFailed) as info, unit_of_work(example_engine) as s:
        clinical.create_record(s, actor="t", kind=registry.INFUSION, data=_entry())
    assert [(e.field, e.code) for e in info.value.errors] == [("notes", "duplicate-entry")]
    assert "a second administered entry for this order on 10/30/2026" in str(info.value)
    with unit_of_work(example_engine) as s:
        clinical.create_record(s, actor="t", kind=registry.INFUSION,
                               data=_entry(notes="Second bag after a pump failure."))
        rows = billable_days(s, dt.date(2026, 10, 30), dt.date(2026, 10, 30))
    assert len(rows) == 1  # R14: one service day whatever the entries


def test_r25_an_import_takes_them_and_lists_warnings_with_paths(engine, example_doc):
    doc = copy.deepcopy(example_doc)
    doc["infusions"][2]["dose_given"] = 200000
    doc["infusions"].append({**doc["infusions"][0], "id": "mar-9"})
    warnings: list[str] = []
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=doc, warnings=warnings)
    assert warnings == [
        "infusions[2].dose_given: 200000 mg is more than twice the ordered dose (30000 mg) "
        "(dose-out-of-range)",
        "infusions[3].date: a second administered entry for this order on 10/07/2026 "
        "(duplicate-entry)",
    ]
    with unit_of_work(engine) as s:
        assert len(clinical.list_records(s, registry.INFUSION)) == 4
    # a later file's entry is compared with the entries already in the database
    later = {k: example_doc[k] for k in ("format", "version", "pharmacy")}
    later["infusions"] = [{**example_doc["infusions"][2], "id": "mar-10"}]
    warnings = []
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=later, warnings=warnings)
    assert warnings == ["infusions[0].date: a second administered entry for this order on "
                        "10/29/2026 (duplicate-entry)"]


def test_r25_the_example_has_no_warning_and_the_cli_prints_them(engine, db_url, example_doc,
                                                                tmp_path, capsys):
    warnings: list[str] = []
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=copy.deepcopy(example_doc), warnings=warnings)
    assert warnings == []
    later = {k: example_doc[k] for k in ("format", "version", "pharmacy")}
    later["infusions"] = [{**example_doc["infusions"][0], "id": "mar-11", "dose_given": 0}]
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later), encoding="utf-8")
    engine.dispose()
    code = main.main(["--db", db_url.removeprefix("sqlite:///"), "import", "-q", str(path)])
    out, err = capsys.readouterr()
    assert code == 0 and "Imported" in out
    assert err.splitlines() == [
        "Warning: infusions[0].dose_given: a completed entry with dose 0 (dose-out-of-range)",
        "Warning: infusions[0].date: a second administered entry for this order on 10/07/2026 "
        "(duplicate-entry)"]
