"""A file's records as the base models the checks and services take (`OrderBase`...): the
importer checks and writes these, so a record is read from a file one way only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlmodel import SQLModel

from models.records import registry
from models.records.components import Component
from models.records.registry import RecordKind
from models.records.tables import (
    AuthorizationBase,
    CareNoteBase,
    CoverageBase,
    DeliveryBase,
    InfusionBase,
    NursingVisitBase,
    OrderBase,
    PatientBase,
    PayerBase,
    PharmacyBase,
    PlanOfCareBase,
    PrepNoteBase,
    PrescriberBase,
)

# a model field -> where the file keeps it, when that differs (the drug and the address are
# blocks of their own)
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    "address_line1": ("address", "line1"), "address_line2": ("address", "line2"),
    "city": ("address", "city"), "state": ("address", "state"), "zip": ("address", "zip"),
    "drug_name": ("drug", "name"), "drug_ndc": ("drug", "ndc"),
    "drug_hcpcs": ("drug", "hcpcs"), "drug_hcpcs_unit_amount": ("drug", "hcpcs_unit_amount"),
    "drug_dose_unit": ("drug", "dose_unit"), "drug_unit_charge": ("drug", "unit_charge"),
    "drug_billing_unit": ("drug", "billing_unit"),
    "drug_package_quantity": ("drug", "package_quantity"),
    "drug_single_dose": ("drug", "single_dose"),
}


def _opt(value: Any) -> Any:
    return None if value in ("", None) else value


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _decimal(value: Any) -> Decimal | None:
    # str() first: a JSON number read as float becomes the decimal it was written as
    return None if value is None else Decimal(str(value))


def _address_in(address: dict | None) -> dict[str, Any]:
    address = address or {}
    return {
        "address_line1": _opt(address.get("line1")), "address_line2": _opt(address.get("line2")),
        "city": _opt(address.get("city")), "state": _opt(address.get("state")),
        "zip": _opt(address.get("zip")),
    }


def pharmacy_in(p: dict) -> PharmacyBase:
    settings = {k: p[k] for k in ("late_entry_days", "order_signature") if k in p}  # v1.1
    if "prices" in p:  # v1.1: the usual and customary charge per code
        settings["prices"] = [{"code": x["code"], "charge": x["charge"]} for x in p["prices"]]
    return PharmacyBase(name=p["name"], npi=p["npi"], tax_id=p["tax_id"],
                        taxonomy=_opt(p.get("taxonomy")), phone=_opt(p.get("phone")),
                        **_address_in(p["address"]), **settings)


def _payer_in(p: dict) -> PayerBase:
    return PayerBase(
        id=p["id"], name=p["name"], payer_id=p["payer_id"], kind=p["kind"],
        requires_prior_auth=p.get("requires_prior_auth", False),
        claim_filing_indicator=_opt(p.get("claim_filing_indicator")),
        per_diem_modifiers=list(p.get("per_diem_modifiers", [])),
        # v1.1, R29-R32: the payer's contract (absent: the defaults, Part 1)
        per_diem_basis=p.get("per_diem_basis", "infusion-days"),
        suite_place_of_service=p.get("suite_place_of_service", "12"),
        line_layout=p.get("line_layout", "runs"),
        rates=[{k: str(v) for k, v in r.items()} for r in p.get("rates", [])],
        **_address_in(p.get("address")))


def _prescriber_in(p: dict) -> PrescriberBase:
    return PrescriberBase(id=p["id"], first_name=p["first_name"], last_name=p["last_name"],
                          npi=p["npi"], phone=_opt(p.get("phone")))


def _coverage_in(c: dict) -> CoverageBase:
    sub = c.get("subscriber") or {}
    return CoverageBase(
        payer_id=c["payer"], member_id=c["member_id"], group_number=_opt(c.get("group_number")),
        priority=c.get("priority", "primary"), start_date=_day(c["start_date"]),
        end_date=_day(c.get("end_date")), relationship=c.get("relationship", "self"),
        subscriber_first_name=_opt(sub.get("first_name")),
        subscriber_last_name=_opt(sub.get("last_name")),
        subscriber_birth_date=_day(sub.get("birth_date")), subscriber_sex=_opt(sub.get("sex")),
        employer_claim_number=_opt(c.get("employer_claim_number")),
        injury_date=_day(c.get("injury_date")))


def _patient_in(p: dict) -> PatientBase:
    return PatientBase(id=p["id"], first_name=p["first_name"], last_name=p["last_name"],
                       birth_date=_day(p["birth_date"]), sex=p["sex"],
                       phone=_opt(p.get("phone")), **_address_in(p["address"]))


def _authorization_in(a: dict) -> AuthorizationBase:
    return AuthorizationBase(
        id=a["id"], patient_id=a["patient"], payer_id=a["payer"], number=a["number"],
        code=a["code"], start_date=_day(a["start_date"]), end_date=_day(a["end_date"]),
        units=int(a["units"]))


def _order_in(o: dict) -> OrderBase:
    drug = o["drug"]
    return OrderBase(
        id=o["id"], patient_id=o["patient"], prescriber_id=o["prescriber"],
        per_diem_code=o["per_diem_code"], drug_name=drug["name"], drug_ndc=_opt(drug.get("ndc")),
        drug_hcpcs=_opt(drug.get("hcpcs")),
        drug_hcpcs_unit_amount=_decimal(drug.get("hcpcs_unit_amount")),
        drug_dose_unit=_opt(drug.get("dose_unit")),
        drug_unit_charge=_decimal(_opt(drug.get("unit_charge"))),
        drug_billing_unit=_opt(drug.get("billing_unit")),
        drug_package_quantity=_decimal(drug.get("package_quantity")),
        drug_single_dose=bool(drug.get("single_dose", False)),
        dose=_opt(o.get("dose")), route=_opt(o.get("route")), frequency=_opt(o.get("frequency")),
        diagnosis_codes=list(o["diagnosis_codes"]), start_date=_day(o["start_date"]),
        end_date=_day(o.get("end_date")), discontinued_date=_day(o.get("discontinued_date")),
        signed_date=_day(o.get("signed_date")),
        per_diem_rate=_decimal(_opt(o.get("per_diem_rate"))), notes=_opt(o.get("notes")),
        dosing_interval_days=o.get("dosing_interval_days"),  # v1.1, R29
        late_entry_reason=_opt(o.get("late_entry_reason")),
        components=[_component_in(c) for c in o.get("components", [])])  # v1.1, issue 15


def _component_in(c: dict) -> Component:
    return Component(kind=c["kind"], name=c["name"], hcpcs=c["hcpcs"], ndc=_opt(c.get("ndc")),
                     per=c["per"], quantity=_decimal(c["quantity"]),
                     unit_charge=_decimal(_opt(c.get("unit_charge"))),
                     ndc_unit=_opt(c.get("ndc_unit")),
                     ndc_quantity=_decimal(c.get("ndc_quantity")))


def _plan_in(p: dict) -> PlanOfCareBase:
    return PlanOfCareBase(id=p["id"], order_id=p["order"], start_date=_day(p["start_date"]),
                          end_date=_day(p["end_date"]), signed_date=_day(p.get("signed_date")),
                          summary=_opt(p.get("summary")),
        late_entry_reason=_opt(p.get("late_entry_reason")))


def _prep_in(p: dict) -> PrepNoteBase:
    return PrepNoteBase(id=p["id"], order_id=p["order"], date=_day(p["date"]),
                        pharmacist=p["pharmacist"], compounding=_opt(p.get("compounding")),
                        dur=_opt(p.get("dur")), lot=_opt(p.get("lot")),
                        **beyond_use_in(p["beyond_use_date"]),
        late_entry_reason=_opt(p.get("late_entry_reason")))


def beyond_use_in(value: str) -> dict[str, Any]:
    """R28 (v1.1): a beyond-use date `YYYY-MM-DD`, or date and hour `YYYY-MM-DDTHH:MM`."""
    day, _, hour = value.partition("T")
    return {"beyond_use_date": _day(day), "beyond_use_time": _time(hour[:5] or None)}


def _delivery_in(d: dict) -> DeliveryBase:
    return DeliveryBase(id=d["id"], order_id=d["order"], date=_day(d["date"]),
                        items=_opt(d.get("items")), method=_opt(d.get("method")),
                        received_by=_opt(d.get("received_by")),
        late_entry_reason=_opt(d.get("late_entry_reason")))


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _infusion_in(e: dict) -> InfusionBase:
    return InfusionBase(
        id=e["id"], order_id=e["order"], date=_day(e["date"]),
        start_time=_time(e.get("start_time")), end_time=_time(e.get("end_time")),
        status=e["status"], setting=e.get("setting", "home"),
        dose_given=_decimal(e.get("dose_given")), wasted=_decimal(e.get("wasted")),
        administered_by=_opt(e.get("administered_by")),
        site=_opt(e.get("site")), reaction=_opt(e.get("reaction")), notes=_opt(e.get("notes")),
        late_entry_reason=_opt(e.get("late_entry_reason")),
        prep_note=_opt(e.get("prep_note")))


def _care_note_in(n: dict) -> CareNoteBase:
    return CareNoteBase(id=n["id"], patient_id=n["patient"], date=_day(n["date"]),
                        author=n["author"], contact=_opt(n.get("contact")), text=n["text"],
        late_entry_reason=_opt(n.get("late_entry_reason")))


def _visit_in(v: dict) -> NursingVisitBase:
    return NursingVisitBase(
        id=v["id"], patient_id=v["patient"], order_id=v["order"], date=_day(v["date"]),
        start_time=_time(v.get("start_time")), end_time=_time(v.get("end_time")),
        nurse=_opt(v.get("nurse")), visit_type=v.get("visit_type", "routine"),
        note=_opt(v.get("note")), infusions=list(v.get("infusions", [])),
        late_entry_reason=_opt(v.get("late_entry_reason")))


def recorded_in(item: dict) -> tuple[dt.datetime | None, str | None]:
    """R26 (v1.1): a clinical record's first save as the file states it (None when not)."""
    at = item.get("recorded_at")
    return (dt.datetime.fromisoformat(at) if at else None), _opt(item.get("recorded_by"))


def coverages_in(p: dict) -> list[CoverageBase]:
    """A file's patient's coverages."""
    return [_coverage_in(c) for c in p.get("coverages", [])]


# kind -> its record as the services take it
CONVERTERS: dict[RecordKind[Any, Any], Callable[[dict], SQLModel]] = {
    registry.PAYER: _payer_in,
    registry.PRESCRIBER: _prescriber_in,
    registry.PATIENT: _patient_in,
    registry.ORDER: _order_in,
    registry.PLAN_OF_CARE: _plan_in,
    registry.AUTHORIZATION: _authorization_in,
    registry.PREP_NOTE: _prep_in,
    registry.DELIVERY: _delivery_in,
    registry.INFUSION: _infusion_in,
    registry.CARE_NOTE: _care_note_in,
    registry.NURSING_VISIT: _visit_in,  # v1.1 (R34)
}
assert list(CONVERTERS) == list(registry.KINDS)
