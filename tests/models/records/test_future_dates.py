"""R24 no future records: what has not happened yet is refused when saved or imported
(`future-date`, naming the field, with its JSON path on import); *today* is one function
(models/clock.py) that `--today`, $PERDIEM_TODAY and the local date feed."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from models import clock
from models.db import unit_of_work
from models.errors import FieldError, ImportRejected, ValidationFailed
from models.interchange import read
from models.records import clinical, registry
from models.records.tables import (
    CareNoteBase,
    DeliveryBase,
    InfusionBase,
    OrderRead,
    PlanOfCareBase,
    PrepNoteBase,
)
from tests.support.interchange_docs import dump

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

TODAY = dt.date(2026, 10, 31)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setenv(clock.ENV, TODAY.isoformat())
    return TODAY


def test_r24_today_is_set_by_override_then_environment_then_local_date(monkeypatch):
    monkeypatch.delenv(clock.ENV, raising=False)
    assert clock.today() == dt.date.today()
    monkeypatch.setenv(clock.ENV, "2026-03-04")
    assert clock.today() == dt.date(2026, 3, 4)
    assert clock.now().date() == dt.date(2026, 3, 4)  # a save is stamped on that day
    clock.set_today(dt.date(2025, 1, 2))
    try:
        assert clock.today() == dt.date(2025, 1, 2)
    finally:
        clock.set_today(None)
    assert clock.today() == dt.date(2026, 3, 4)
    monkeypatch.setenv(clock.ENV, "tomorrow")
    with pytest.raises(FieldError, match='PERDIEM_TODAY: "tomorrow" is not a date'):
        clock.today()


def _order(session) -> OrderRead:
    return clinical.list_records(session, registry.ORDER)[0]


def _future(kind, order: OrderRead):
    o = order.id
    return {
        registry.INFUSION: InfusionBase(id="", order_id=o, date=TOMORROW, status="completed"),
        registry.PREP_NOTE: PrepNoteBase(id="", order_id=o, date=TOMORROW, pharmacist="RPh",
                                         beyond_use_date=TOMORROW),
        registry.DELIVERY: DeliveryBase(id="", order_id=o, date=TOMORROW),
        registry.CARE_NOTE: CareNoteBase(id="", patient_id=order.patient_id, date=TOMORROW,
                                         author="RN", text="called"),
    }[kind]


@pytest.mark.parametrize("kind", [registry.INFUSION, registry.PREP_NOTE, registry.DELIVERY,
                                  registry.CARE_NOTE], ids=lambda k: k.key)
def test_r24_a_record_dated_after_today_is_refused_by_the_services(example_engine, today,
                                                                   kind):
    for status in ("completed", "held"):  # an infusion entry of any status
        with pytest.raises(ValidationFailed) as info, unit_of_work(example_engine) as s:
            data = _future(kind, _order(s))
            if kind is registry.INFUSION:
                data.status, data.notes = status, "note"
            clinical.create_record(s, actor="t", kind=kind, data=data)
        [err] = info.value.errors
        assert (err.field, err.code) == ("date", "future-date")
        assert err.problem == "2026-11-01 is after today, 2026-10-31 (future-date)"
    with unit_of_work(example_engine) as s:  # dated today: saved
        data = _future(kind, _order(s)).model_copy(update={"date": TODAY})
        clinical.create_record(s, actor="t", kind=kind, data=data)


def test_r24_an_edit_cannot_move_a_record_after_today(example_engine, today):
    with unit_of_work(example_engine) as s:
        entry = clinical.list_records(s, registry.INFUSION)[0]
        data = InfusionBase.model_validate(entry).model_copy(update={"date": TOMORROW})
        with pytest.raises(ValidationFailed, match="future-date"):
            clinical.edit_record(s, actor="t", kind=registry.INFUSION, record_id=entry.id,
                                 data=data, reason="typo")


def test_r24_orders_and_plans_may_start_in_the_future_but_not_be_signed_there(
        example_engine, today):
    with unit_of_work(example_engine) as s:
        order = _order(s)
        later = order.model_copy(update={"id": "o-future", "start_date": TOMORROW,
                                         "end_date": None, "discontinued_date": None,
                                         "signed_date": TODAY})
        clinical.create_record(s, actor="t", kind=registry.ORDER, data=later)
        clinical.create_record(s, actor="t", kind=registry.PLAN_OF_CARE, data=PlanOfCareBase(
            id="", order_id="o-future", start_date=TOMORROW, end_date=TOMORROW))
        signed = later.model_copy(update={"id": "o-signed-later", "signed_date": TOMORROW})
        with pytest.raises(ValidationFailed) as info:
            clinical.create_record(s, actor="t", kind=registry.ORDER, data=signed)
        assert [(e.field, e.code) for e in info.value.errors] == [("signed_date", "future-date")]


def test_r24_an_import_is_refused_with_the_json_path_of_each_future_date(engine, example_doc,
                                                                         today):
    doc = copy.deepcopy(example_doc)
    doc["infusions"][2]["date"] = "2026-11-01"
    doc["care_notes"][0]["date"] = "2027-01-05"
    before = dump(engine)
    with pytest.raises(ImportRejected) as info, unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=doc)
    assert dump(engine) == before
    assert info.value.errors == [
        "infusions[2].date: 2026-11-01 is after today, 2026-10-31 (future-date)",
        "care_notes[0].date: 2027-01-05 is after today, 2026-10-31 (future-date)",
    ]
