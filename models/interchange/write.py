"""Export: the current, non-voided records as an interchange document, and writing it whole
or not at all (see docs/interchange.md)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session

from models.errors import DomainError
from models.files import atomic_file
from models.interchange.format import FORMAT, VERSION, properties
from models.records import registry
from models.records.components import Component
from models.records.registry import RecordKind
from models.records.tables import Coverage, Pharmacy
from models.records.types import local_naive
from models.security.permissions import EXPORT, authorize
from models.vocab import VISIT_CODES

# fields version 1.1 added to clinical records (R26, R28) and to the pharmacy (its settings)
V11_FIELDS = frozenset({"recorded_at", "recorded_by", "late_entry_reason", "prep_note"})
V11_PHARMACY = frozenset({"late_entry_days", "order_signature", "prices"})
# R29-R32 (v1.1): a payer's contract, written only when not the defaults
V11_PAYER = frozenset({"per_diem_basis", "suite_place_of_service", "line_layout", "rates"})
PAYER_DEFAULTS = {"per_diem_basis": "infusion-days", "suite_place_of_service": "12",
                  "line_layout": "runs"}


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


def _tidy(def_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of one record in the schema's order, leaving out the empty ones."""
    return {k: values[k] for k in properties(def_name) if not _empty(values.get(k))}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")  # keeps the stored scale: "150.00"


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.isoformat(timespec="minutes")  # strftime: 4x slower


def _address_out(row: Any) -> dict[str, Any] | None:
    if not row.address_line1:
        return None
    return _tidy("address", {"line1": row.address_line1, "line2": row.address_line2,
                             "city": row.city, "state": row.state, "zip": row.zip})


def pharmacy_out(row: Pharmacy) -> dict[str, Any]:
    return _tidy("pharmacy", {"name": row.name, "npi": row.npi, "tax_id": row.tax_id,
                              "taxonomy": row.taxonomy, "address": _address_out(row),
                              "phone": row.phone,
                              # v1.1 settings, written only when not the defaults
                              "late_entry_days": None if row.late_entry_days == 1
                              else row.late_entry_days,
                              "order_signature": None if row.order_signature == "before-claim"
                              else row.order_signature,
                              "prices": [dict(x) for x in row.prices or []]})


def _recorded(row: Any) -> dict[str, Any]:
    """R26 (v1.1): a clinical record's first save and late entry reason, when known."""
    at = row.first_recorded_at
    return {"recorded_at": None if at is None else local_naive(at).isoformat(timespec="seconds"),
            "recorded_by": row.first_recorded_by, "late_entry_reason": row.late_entry_reason}


def _coverage_out(c: Any) -> dict[str, Any]:
    subscriber = None
    if c.relationship != "self":
        fields = {"first_name": c.subscriber_first_name, "last_name": c.subscriber_last_name,
                  "birth_date": _iso(c.subscriber_birth_date), "sex": c.subscriber_sex}
        subscriber = {k: v for k, v in fields.items() if not _empty(v)}  # the schema's order
    return _tidy("coverage", {
        "payer": c.payer_id, "member_id": c.member_id, "group_number": c.group_number,
        "priority": c.priority, "start_date": _iso(c.start_date), "end_date": _iso(c.end_date),
        # the patient being the subscriber is the default; a subscriber block only follows
        # another relationship
        "relationship": None if c.relationship == "self" else c.relationship,
        "subscriber": subscriber,
        "employer_claim_number": c.employer_claim_number, "injury_date": _iso(c.injury_date),
    })


def _rows(session: Session, table: type) -> list[Any]:
    """The table's current records by id, as plain rows (fields by name, values converted as
    in the ORM): building ORM objects was most of the cost of a large export."""
    columns = table.__table__.c
    stmt = sa_select(table.__table__)
    if "voided" in columns:
        stmt = stmt.where(columns.voided == False)  # noqa: E712
    return sorted(session.execute(stmt).all(), key=lambda r: r.id)


def to_json(doc: dict[str, Any]) -> str:
    """An interchange document as the text of an interchange file."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_file(path: pathlib.Path, doc: dict[str, Any]) -> None:
    """Write `doc` as the interchange file `path` (the text of `to_json`), whole or not at all.
    The text goes to the file as it is made: held whole, with the pieces json makes of it, it
    took more memory than the records themselves at 300 patients."""
    with atomic_file(path, text=True) as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


# kind -> one stored row as the file's record (a patient's with its coverages' rows)
def _payer_out(p: Any) -> dict[str, Any]:
    return _tidy("payer", {
        "id": p.id, "name": p.name, "payer_id": p.payer_id, "kind": p.kind,
        "claim_filing_indicator": p.claim_filing_indicator,
        "requires_prior_auth": p.requires_prior_auth,
        "per_diem_modifiers": list(p.per_diem_modifiers or []),
        **{k: None if getattr(p, k) == v else getattr(p, k) for k, v in PAYER_DEFAULTS.items()},
        "rates": [{k: v for k, v in r.items() if v not in (None, "")} for r in p.rates or []],
        "address": _address_out(p),
    })


def _prescriber_out(p: Any) -> dict[str, Any]:
    return _tidy("prescriber", {
        "id": p.id, "first_name": p.first_name, "last_name": p.last_name, "npi": p.npi,
        "phone": p.phone,
    })


def _patient_out(p: Any, coverages: list[Any]) -> dict[str, Any]:
    return _tidy("patient", {
        "id": p.id, "first_name": p.first_name, "last_name": p.last_name,
        "birth_date": _iso(p.birth_date), "sex": p.sex, "address": _address_out(p),
        "phone": p.phone, "coverages": [_coverage_out(c) for c in coverages],
    })


def _order_out(o: Any) -> dict[str, Any]:
    return _tidy("order", {
        "id": o.id, "patient": o.patient_id, "prescriber": o.prescriber_id,
        "per_diem_code": o.per_diem_code,
        "drug": _tidy("drug", {
            "name": o.drug_name, "ndc": o.drug_ndc, "hcpcs": o.drug_hcpcs,
            "hcpcs_unit_amount": _number(o.drug_hcpcs_unit_amount),
            "dose_unit": o.drug_dose_unit, "unit_charge": _money(o.drug_unit_charge),
            "billing_unit": o.drug_billing_unit,
            "package_quantity": _number(o.drug_package_quantity),
            "single_dose": o.drug_single_dose}),
        "dose": o.dose, "route": o.route, "frequency": o.frequency,
        "diagnosis_codes": list(o.diagnosis_codes), "start_date": _iso(o.start_date),
        "end_date": _iso(o.end_date), "discontinued_date": _iso(o.discontinued_date),
        "signed_date": _iso(o.signed_date), "per_diem_rate": _money(o.per_diem_rate),
        "dosing_interval_days": o.dosing_interval_days, "notes": o.notes,
        "components": [_component_out(c) for c in o.components], **_recorded(o),
    })


def _component_out(c: Any) -> dict[str, Any]:
    c = c if isinstance(c, Component) else Component.model_validate(c)
    return _tidy("component", {
        "kind": c.kind, "name": c.name, "hcpcs": c.hcpcs, "ndc": c.ndc, "per": c.per,
        "quantity": _number(c.quantity), "unit_charge": _money(c.unit_charge),
        "ndc_unit": c.ndc_unit, "ndc_quantity": _number(c.ndc_quantity)})


def _plan_out(p: Any) -> dict[str, Any]:
    return _tidy("plan_of_care", {
        "id": p.id, "order": p.order_id, "start_date": _iso(p.start_date),
        "end_date": _iso(p.end_date), "signed_date": _iso(p.signed_date), "summary": p.summary,
        **_recorded(p),
    })


def _authorization_out(a: Any) -> dict[str, Any]:
    return _tidy("authorization", {
        "id": a.id, "patient": a.patient_id, "payer": a.payer_id, "number": a.number,
        "code": a.code, "start_date": _iso(a.start_date), "end_date": _iso(a.end_date),
        "units": a.units,
    })


def _prep_out(p: Any) -> dict[str, Any]:
    return _tidy("prep_note", {
        "id": p.id, "order": p.order_id, "date": _iso(p.date), "pharmacist": p.pharmacist,
        "compounding": p.compounding, "dur": p.dur, "lot": p.lot,
        "beyond_use_date": beyond_use_out(p), **_recorded(p),
    })


def beyond_use_out(p: Any) -> str | None:
    """R28: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` with a beyond-use hour (v1.1)."""
    day = _iso(p.beyond_use_date)
    hour = getattr(p, "beyond_use_time", None)
    return f"{day}T{hour:%H:%M}" if day and hour is not None else day


def _delivery_out(d: Any) -> dict[str, Any]:
    return _tidy("delivery", {
        "id": d.id, "order": d.order_id, "date": _iso(d.date), "items": d.items,
        "method": d.method, "received_by": d.received_by, **_recorded(d),
    })


def _infusion_out(e: Any) -> dict[str, Any]:
    return _tidy("infusion", {
        "id": e.id, "order": e.order_id, "date": _iso(e.date),
        "start_time": _hhmm(e.start_time), "end_time": _hhmm(e.end_time),
        "status": e.status, "setting": e.setting, "dose_given": _number(e.dose_given),
        "wasted": _number(e.wasted),
        "administered_by": e.administered_by, "site": e.site, "reaction": e.reaction,
        "notes": e.notes, **_recorded(e), "prep_note": e.prep_note,
    })


def _care_note_out(n: Any) -> dict[str, Any]:
    return _tidy("care_note", {
        "id": n.id, "patient": n.patient_id, "date": _iso(n.date), "author": n.author,
        "contact": n.contact, "text": n.text, **_recorded(n),
    })


def _visit_out(v: Any) -> dict[str, Any]:
    return _tidy("nursing_visit", {
        "id": v.id, "patient": v.patient_id, "order": v.order_id, "date": _iso(v.date),
        "start_time": _hhmm(v.start_time), "end_time": _hhmm(v.end_time), "nurse": v.nurse,
        "visit_type": v.visit_type, "note": v.note, "infusions": list(v.infusions or []),
        **_recorded(v),
    })


OUT: dict[RecordKind[Any, Any], Callable[[Any], dict[str, Any]]] = {
    registry.PAYER: _payer_out, registry.PRESCRIBER: _prescriber_out,
    registry.ORDER: _order_out, registry.PLAN_OF_CARE: _plan_out,
    registry.AUTHORIZATION: _authorization_out, registry.PREP_NOTE: _prep_out,
    registry.DELIVERY: _delivery_out, registry.INFUSION: _infusion_out,
    registry.CARE_NOTE: _care_note_out, registry.NURSING_VISIT: _visit_out,
}  # the patient's takes its coverages too
assert set(OUT) | {registry.PATIENT} == set(registry.KINDS)


def export_document(session: Session, *, actor: str | None = None) -> dict[str, Any]:
    """The current, non-voided records as an interchange document (see docs/interchange.md);
    with `actor`, refused (PermissionDenied) unless that staff member may export."""
    if actor is not None:
        authorize(session, actor, EXPORT)
    pharmacy = session.get(Pharmacy, 1)
    if pharmacy is None:
        raise DomainError("There is nothing to export yet: the pharmacy settings are not set. "
                          "Fill them in (or import a file) first.")
    coverages: dict[str, list[Any]] = {}
    cov_table = Coverage.__table__
    for cov in session.execute(sa_select(cov_table).order_by(cov_table.c.patient_id,
                                                            cov_table.c.position)):
        coverages.setdefault(cov.patient_id, []).append(cov)
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                           "pharmacy": pharmacy_out(pharmacy)}
    live_orders: set[str] = set()
    for kind in registry.KINDS:  # orders come before the records of orders
        rows = _rows(session, kind.table)
        if kind is registry.ORDER:
            live_orders = {o.id for o in rows}
        elif kind.owner is registry.ORDER:
            # a record of a voided order would name an order the file does not hold
            rows = [r for r in rows if r.order_id in live_orders]
        if kind is registry.PATIENT:
            records = [_patient_out(p, coverages.get(p.id, [])) for p in rows]
        else:
            records = [OUT[kind](r) for r in rows]
        if records:
            doc[kind.collection] = records
    if not _needs_v11(doc):
        doc["version"] = 1  # what a version 1 reader reads, as long as nothing newer is in it
    return doc


V1_PAYER_KINDS = ("commercial", "medicaid", "medicare", "other")


def _needs_v11(doc: dict[str, Any]) -> bool:
    """Whether the document holds a field or value that version 1.1 added (issue 11's claim
    fields; R26's first save and late entry reason, R27/R26's settings, R28's lots and BUD hour;
    R29-R32's payer contracts, dosing intervals and the pharmacy's prices; R34's nursing
    visits)."""
    if any(p["kind"] not in V1_PAYER_KINDS or "claim_filing_indicator" in p
           or V11_PAYER & p.keys() for p in doc.get("payers", [])):
        return True
    if any("dosing_interval_days" in o for o in doc.get("orders", [])):
        return True
    if any({"employer_claim_number", "injury_date"} & set(c)
           for p in doc.get("patients", []) for c in p.get("coverages", [])):
        return True
    if any({"billing_unit", "package_quantity", "single_dose"} & set(o["drug"])
           for o in doc.get("orders", [])):
        return True
    if any("components" in o for o in doc.get("orders", [])):  # issue 15
        return True
    if any("wasted" in e for e in doc.get("infusions", [])):
        return True
    if V11_PHARMACY & doc["pharmacy"].keys():
        return True
    if doc.get(registry.NURSING_VISIT.collection):  # R34's visits came with 1.1
        return True
    if any(a["code"] in VISIT_CODES for a in doc.get("authorizations", [])):  # R34: 99601
        return True
    return any(V11_FIELDS & record.keys() or isinstance(record.get("beyond_use_date"), str)
               and "T" in record["beyond_use_date"]
               for kind in registry.CLINICAL for record in doc.get(kind.collection, []))
