"""Clinical records are never overwritten: edits add versions, voids keep records, rules follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.billing import loading
from models.db import unit_of_work
from models.errors import DomainError, FieldError, ValidationFailed
from models.records import clinical, reference, registry
from models.records.history import history
from models.records.tables import CoverageBase, PatientBase, PayerBase, PrescriberBase
from models.validation import npi_with_check_digit

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

D = dt.date
DAY = D(2026, 10, 7)  # the one service day of the small data set
CREATED_AT = dt.datetime(2026, 10, 1, 9, 0).astimezone()  # aware, as read back
EDITED_AT = dt.datetime(2026, 10, 8, 14, 30).astimezone()

RECORDS = {
    registry.ORDER: dict(
        id="o-1", patient_id="p-1", prescriber_id="dr-1", per_diem_code="S9338",
        drug_name="Gammagard Liquid 10%", drug_ndc="00944270005", drug_hcpcs="J1569",
        drug_hcpcs_unit_amount=Decimal(500), drug_dose_unit="mg", dose="30 g IV",
        frequency="every 21 days", diagnosis_codes=["D80.1"], start_date=D(2026, 10, 1),
        end_date=D(2026, 12, 31), signed_date=D(2026, 9, 28), per_diem_rate=Decimal("150.00")),
    registry.PLAN_OF_CARE: dict(id="poc-1", order_id="o-1", start_date=D(2026, 10, 1),
                                end_date=D(2026, 12, 31), summary="IVIG every 21 days."),
    registry.PREP_NOTE: dict(id="rx-1", order_id="o-1", date=D(2026, 10, 6),
                             pharmacist="Ravi Patel", lot="LE12F044",
                             beyond_use_date=D(2026, 10, 9)),
    registry.DELIVERY: dict(id="d-1", order_id="o-1", date=D(2026, 10, 6), method="courier",
                            received_by="Maria Lindqvist"),
    registry.INFUSION: dict(id="mar-1", order_id="o-1", date=DAY, start_time=dt.time(9, 10),
                            end_time=dt.time(13, 5), status="completed", setting="home",
                            dose_given=Decimal(30000), administered_by="Kate Moss RN",
                            site="left forearm"),
    registry.CARE_NOTE: dict(id="cn-1", patient_id="p-1", date=D(2026, 10, 2),
                             author="Jia Lee", contact="patient",
                             text="Teaching call: schedule and premeds."),
}
# one field of each kind to change, and its new value
CHANGES = {
    registry.ORDER: ("dose", "28 g IV"),
    registry.PLAN_OF_CARE: ("summary", "IVIG every 21 days; IgG trough monthly."),
    registry.PREP_NOTE: ("lot", "LE12F045"),
    registry.DELIVERY: ("received_by", "Spouse"),
    registry.INFUSION: ("site", "right forearm"),
    registry.CARE_NOTE: ("text", "Teaching call: schedule, premeds and reaction signs."),
}


@pytest.fixture
def clinic(engine):
    """One patient, one IVIG order with every document, and one billable infusion day."""
    with unit_of_work(engine) as s:
        reference.save_payer(s, actor="setup", data=PayerBase(
            id="bpp", name="Badger Prairie PPO", payer_id="BPP01", kind="commercial"))
        reference.save_prescriber(s, actor="setup", data=PrescriberBase(
            id="dr-1", first_name="Ngozi", last_name="Okafor",
            npi=npi_with_check_digit("155841238")))
        reference.save_patient(s, actor="setup", data=PatientBase(
            id="p-1", first_name="Maria", last_name="Lindqvist", birth_date=D(1961, 4, 18),
            sex="F", address_line1="18 Willow Ln", city="Peoria", state="IL", zip="61604"),
            coverages=[CoverageBase(payer_id="bpp", member_id="XBP1", start_date=D(2026, 1, 1))])
        for kind, values in RECORDS.items():
            clinical.create_record(s, actor="nurse.kate", kind=kind, data=kind.base(**values),
                                   recorded_at=CREATED_AT)
    return engine


def _data(session, kind: registry.ClinicalKind, record_id: str, **changes):
    current = clinical.get_record(session, kind, record_id)
    return kind.base.model_validate(current).model_copy(update=changes)


def _day(engine):
    with unit_of_work(engine) as s:
        return [d for d in loading.billable_days(s) if d.date == DAY]


def test_the_small_data_set_is_billable(clinic):
    (day,) = _day(clinic)
    assert (day.status, day.reasons) == ("billable", ())


@pytest.mark.parametrize("kind", list(RECORDS), ids=lambda kind: kind.key)
def test_an_edit_stores_a_new_version_and_keeps_the_old_one(clinic, kind):
    record_id = RECORDS[kind]["id"]
    name, new = CHANGES[kind]
    old = RECORDS[kind][name]
    with unit_of_work(clinic) as s:
        saved = clinical.edit_record(
            s, actor="pharm.ravi", kind=kind, record_id=record_id,
            data=_data(s, kind, record_id, **{name: new}), reason="  Corrected per chart  ",
            recorded_at=EDITED_AT)
    assert getattr(saved, name) == new
    assert (saved.version, saved.recorded_by, saved.recorded_at) == (
        2, "pharm.ravi", EDITED_AT.astimezone())
    assert saved.change_reason == "Corrected per chart"

    with unit_of_work(clinic) as s:  # a fresh session reads what was committed
        current = clinical.get_record(s, kind, record_id)
        versions = history(s, kind.key, record_id)
    assert getattr(current, name) == new and current.version == 2
    assert [(v.version, v.action) for v in versions] == [(1, "created"), (2, "edited")]
    first, second = versions
    assert (first.recorded_by, first.recorded_at, first.reason) == (
        "nurse.kate", CREATED_AT, None)
    assert (second.recorded_by, second.recorded_at, second.reason) == (
        "pharm.ravi", EDITED_AT, "Corrected per chart")
    assert first.data[name] == old
    assert second.data[name] == new
    # the rest of the record is carried over unchanged into the new version
    assert {k: v for k, v in first.data.items() if k != name} == {
        k: v for k, v in second.data.items() if k != name}


def test_the_rules_read_the_new_version_of_a_prep_note(clinic):
    """R9: moving the beyond-use date before the service day puts the day on hold."""
    with unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=_data(s, registry.PREP_NOTE, "rx-1",
                                        beyond_use_date=D(2026, 10, 6)),
                             reason="Beyond-use date per the compounding record")
    (day,) = _day(clinic)
    assert (day.status, day.reasons) == ("hold", ("missing-prep-note",))


def test_the_rules_read_the_new_version_of_an_infusion_entry(clinic):
    """R11 then R1: an entry losing its end time is incomplete; a held dose bills nothing."""
    with unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="nurse.kate", kind=registry.INFUSION, record_id="mar-1",
                             data=_data(s, registry.INFUSION, "mar-1", end_time=None),
                             reason="End time was not observed")
    (day,) = _day(clinic)
    assert (day.status, day.reasons) == ("hold", ("incomplete-mar",))
    with unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="nurse.kate", kind=registry.INFUSION, record_id="mar-1",
                             data=_data(s, registry.INFUSION, "mar-1", status="held",
                                        notes="Fever 38.6 C; held per protocol."),
                             reason="The dose was held, not given")
    (day,) = _day(clinic)
    assert (day.status, day.reasons) == ("not-billable", ("no-infusion",))
    with unit_of_work(clinic) as s:
        assert [v.version for v in history(s, "infusion", "mar-1")] == [1, 2, 3]


def test_the_rules_read_the_new_version_of_an_order(clinic):
    """R7: removing the signed date puts the day on hold; R2: an earlier end makes it void."""
    with unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.ORDER, record_id="o-1",
                             data=_data(s, registry.ORDER, "o-1", signed_date=None),
                             reason="Signature was on another order")
    assert [(d.status, d.reasons) for d in _day(clinic)] == [("hold", ("unsigned-order",))]
    with unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.ORDER, record_id="o-1",
                             data=_data(s, registry.ORDER, "o-1", end_date=D(2026, 10, 6)),
                             reason="Prescriber ended therapy on 10/6")
    assert [(d.status, d.reasons) for d in _day(clinic)] == [
        ("not-billable", ("no-active-order",))]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_void_needs_a_reason(clinic, reason):
    with pytest.raises(FieldError) as err, unit_of_work(clinic) as s:
        clinical.void_record(s, actor="pharm.ravi", kind=registry.PREP_NOTE, record_id="rx-1",
                             reason=reason)
    assert err.value.field == "reason"
    with unit_of_work(clinic) as s:
        assert not clinical.get_record(s, registry.PREP_NOTE, "rx-1").voided


def test_the_rules_ignore_a_voided_record(clinic):
    """R9 after voiding the only preparation note; no row at all once the entry is void."""
    with unit_of_work(clinic) as s:
        voided = clinical.void_record(s, actor="pharm.ravi", kind=registry.PREP_NOTE,
                                      record_id="rx-1", reason="Entered on the wrong order",
                                      recorded_at=EDITED_AT)
    assert voided.voided and voided.void_reason == "Entered on the wrong order"
    (day,) = _day(clinic)
    assert (day.status, day.reasons) == ("hold", ("missing-prep-note",))
    with unit_of_work(clinic) as s:
        versions = history(s, "prep_note", "rx-1")
        assert [(v.action, v.reason) for v in versions] == [
            ("created", None), ("voided", "Entered on the wrong order")]
        assert clinical.list_records(s, registry.PREP_NOTE) == []
        assert [r.id for r in clinical.list_records(s, registry.PREP_NOTE,
                                                    include_voided=True)] == ["rx-1"]
        clinical.void_record(s, actor="nurse.kate", kind=registry.INFUSION, record_id="mar-1",
                             reason="Charted for the wrong patient")
    assert _day(clinic) == []


def test_an_edit_without_a_reason_is_refused(clinic):
    for reason in ("", "  "):
        with pytest.raises(FieldError) as err, unit_of_work(clinic) as s:
            clinical.edit_record(s, actor="pharm.ravi", kind=registry.DELIVERY, record_id="d-1",
                                 data=_data(s, registry.DELIVERY, "d-1", received_by="Spouse"),
                                 reason=reason)
        assert err.value.field == "reason"
    with unit_of_work(clinic) as s:
        assert clinical.get_record(s, registry.DELIVERY, "d-1").received_by == "Maria Lindqvist"
        assert len(history(s, "delivery", "d-1")) == 1


def test_an_edit_that_changes_nothing_is_refused(clinic):
    with pytest.raises(DomainError, match="Nothing was changed"), unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.CARE_NOTE, record_id="cn-1",
                             data=_data(s, registry.CARE_NOTE, "cn-1"), reason="No real change")
    with unit_of_work(clinic) as s:
        assert clinical.get_record(s, registry.CARE_NOTE, "cn-1").version == 1
        assert len(history(s, "care_note", "cn-1")) == 1


def test_an_invalid_edit_is_refused_and_changes_nothing(clinic):
    with pytest.raises(ValidationFailed) as err, unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=_data(s, registry.PREP_NOTE, "rx-1",
                                        beyond_use_date=D(2026, 10, 1)),
                             reason="Typo")
    assert [e.field for e in err.value.errors] == ["beyond_use_date"]
    with unit_of_work(clinic) as s:
        assert clinical.get_record(s, registry.PREP_NOTE, "rx-1").beyond_use_date == D(2026, 10, 9)
        assert len(history(s, "prep_note", "rx-1")) == 1


@pytest.mark.parametrize("kind, name, value", [
    (registry.ORDER, "route", "PO"),
    (registry.ORDER, "drug_dose_unit", "mEq"),
    (registry.CARE_NOTE, "contact", "caregiver"),
], ids=["order-route", "order-dose-unit", "care-note-contact"])
def test_an_edit_the_interchange_file_cannot_carry_is_refused(clinic, kind, name, value):
    """An export must import again, so a field with a fixed vocabulary in the file format
    accepts only that vocabulary (the message lists it)."""
    record_id = RECORDS[kind]["id"]
    with pytest.raises(ValidationFailed) as err, unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=kind, record_id=record_id,
                             data=_data(s, kind, record_id, **{name: value}), reason="Try it")
    (problem,) = err.value.errors
    assert problem.field == name and " or " in problem.problem
    with unit_of_work(clinic) as s:
        assert clinical.get_record(s, kind, record_id).version == 1


@pytest.mark.parametrize("name, value", [("per_diem_rate", Decimal("150.005")),
                                         ("drug_unit_charge", Decimal("12345678"))])
def test_money_the_interchange_file_cannot_carry_is_refused(clinic, name, value):
    """A rate of 150.005 would be exported as "150.005", which no import accepts."""
    with pytest.raises(ValidationFailed) as err, unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.ORDER, record_id="o-1",
                             data=_data(s, registry.ORDER, "o-1", **{name: value}), reason="Try it")
    assert [(e.field, e.problem) for e in err.value.errors] == [
        (name, "is dollars and cents, e.g. 150.00 (at most 9999999.99)")]
    with unit_of_work(clinic) as s:  # 150.5 and 150 are money too
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.ORDER, record_id="o-1",
                             data=_data(s, registry.ORDER, "o-1", **{name: Decimal("150.5")}),
                             reason="Contract rate")


def test_a_voided_record_cannot_be_edited_or_voided_again(clinic):
    with unit_of_work(clinic) as s:
        clinical.void_record(s, actor="pharm.ravi", kind=registry.CARE_NOTE, record_id="cn-1",
                             reason="Duplicate note")
    with pytest.raises(DomainError, match="void and cannot be edited"), unit_of_work(clinic) as s:
        clinical.edit_record(s, actor="pharm.ravi", kind=registry.CARE_NOTE, record_id="cn-1",
                             data=_data(s, registry.CARE_NOTE, "cn-1", text="Changed"),
                             reason="Try anyway")
    with pytest.raises(DomainError, match="already void"), unit_of_work(clinic) as s:
        clinical.void_record(s, actor="pharm.ravi", kind=registry.CARE_NOTE, record_id="cn-1",
                             reason="Again")
    with unit_of_work(clinic) as s:
        assert [v.action for v in history(s, "care_note", "cn-1")] == [
            "created", "voided"]


def test_an_edit_keeps_the_record_id(clinic):
    with unit_of_work(clinic) as s:
        data = _data(s, registry.DELIVERY, "d-1", id="d-99", received_by="Spouse")
        saved = clinical.edit_record(s, actor="pharm.ravi", kind=registry.DELIVERY, record_id="d-1",
                                     data=data, reason="Signed for by the spouse")
    assert saved.id == "d-1"
    with unit_of_work(clinic) as s:
        assert [d.id for d in clinical.list_records(s, registry.DELIVERY)] == ["d-1"]


def test_reference_records_that_change_billing_keep_their_history(clinic):
    """Coverage dates, authorization units, payer prior authorization: who changed what."""
    from models.records.tables import AuthorizationBase

    with unit_of_work(clinic) as s:
        auth = AuthorizationBase(id="pa-1", patient_id="p-1", payer_id="bpp", number="PA1",
                                 code="S9338", start_date=D(2026, 10, 1),
                                 end_date=D(2026, 12, 31), units=6)
        reference.save_authorization(s, actor="biller.ann", data=auth)
        reference.save_authorization(s, actor="biller.ann", data=auth)  # no change: no version
        reference.save_authorization(s, actor="biller.bob", data=auth.model_copy(
            update={"units": 4}), recorded_at=EDITED_AT)
        patient = reference.get_patient(s, "p-1")
        ended = patient.coverages[0].model_copy(update={"end_date": D(2026, 10, 6)})
        reference.save_patient(s, actor="intake.cy", coverages=[ended],
                               data=PatientBase(**patient.model_dump(exclude={"coverages"})))
    with unit_of_work(clinic) as s:
        versions = history(s, "authorization", "pa-1")
        assert [(v.version, v.action, v.recorded_by, v.data["units"]) for v in versions] == [
            (1, "created", "biller.ann", 6), (2, "edited", "biller.bob", 4)]
        assert versions[1].recorded_at == EDITED_AT.astimezone()  # the same moment, aware
        patient_versions = history(s, "patient", "p-1")
        assert [v.data["coverages"][0]["end_date"] for v in patient_versions] == [
            None, "2026-10-06"]
        assert patient_versions[-1].recorded_by == "intake.cy"
        assert [v.action for v in history(s, "payer", "bpp")] == ["created"]
    assert _day(clinic)[0].reasons == ("no-coverage",)  # R3 follows the new coverage
