"""Import and export of the interchange file (JSON, version 1): all or nothing, errors with paths.

An import first collects every problem in the file (the JSON Schema's, then the checks a schema
cannot make: references, NPIs, date order, subscribers, per diem codes, duplicate ids, the
pharmacy) and refuses the whole file when there is any. Only a clean file is written, through
the services. An export writes the current, non-voided records back in the same format.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from sqlmodel import Session, select

import resources
from models import codes, services
from models.errors import DomainError, ImportRejected, ValidationFailed
from models.tables import (
    Authorization,
    AuthorizationBase,
    CareNote,
    CareNoteBase,
    Coverage,
    CoverageBase,
    Delivery,
    DeliveryBase,
    Infusion,
    InfusionBase,
    Order,
    OrderBase,
    Patient,
    PatientBase,
    Payer,
    PayerBase,
    Pharmacy,
    PharmacyBase,
    PlanOfCare,
    PlanOfCareBase,
    PrepNote,
    PrepNoteBase,
    Prescriber,
    PrescriberBase,
)
from models.validation import npi_problem

FORMAT, VERSION = "infusion-interchange", 1

# collection -> (record kind as the services and the schema's $defs name it, table);
# also the order of writing, so every reference is saved before the records that use it
COLLECTIONS: dict[str, tuple[str, type]] = {
    "payers": ("payer", Payer),
    "prescribers": ("prescriber", Prescriber),
    "patients": ("patient", Patient),
    "orders": ("order", Order),
    "plans_of_care": ("plan_of_care", PlanOfCare),
    "authorizations": ("authorization", Authorization),
    "prep_notes": ("prep_note", PrepNote),
    "deliveries": ("delivery", Delivery),
    "infusions": ("infusion", Infusion),
    "care_notes": ("care_note", CareNote),
}
CLINICAL = ("orders", "plans_of_care", "prep_notes", "deliveries", "infusions", "care_notes")

# collection -> {field: collection it names}
REFERENCES: dict[str, dict[str, str]] = {
    "orders": {"patient": "patients", "prescriber": "prescribers"},
    "plans_of_care": {"order": "orders"},
    "authorizations": {"patient": "patients", "payer": "payers"},
    "prep_notes": {"order": "orders"},
    "deliveries": {"order": "orders"},
    "infusions": {"order": "orders"},
    "care_notes": {"patient": "patients"},
}

# collection -> [(start field, end field, how the start is named in a message)]
DATE_RANGES: dict[str, list[tuple[str, str, str]]] = {
    "orders": [("start_date", "end_date", "start date"),
               ("start_date", "discontinued_date", "start date")],
    "plans_of_care": [("start_date", "end_date", "start date")],
    "authorizations": [("start_date", "end_date", "start date")],
    "prep_notes": [("date", "beyond_use_date", "preparation date")],
}

# what a value failing one of the schema's patterns should have looked like
PATTERN_HINTS = {
    r"^[A-Za-z0-9._-]+$": "is not an id (letters, digits, dot, dash or underscore)",
    r"^\d{4}-\d{2}-\d{2}$": "is not a date in the form YYYY-MM-DD",
    r"^([01]\d|2[0-3]):[0-5]\d$": "is not a time in the form HH:MM (00:00 to 23:59)",
    r"^\d{10}$": "is not 10 digits",
    r"^\d{1,7}(\.\d{1,2})?$": "is not an amount like 150.00 (at most 2 decimals)",
    r"^[A-Z]\d{4}$": "is not a HCPCS code (a capital letter and four digits, e.g. S9338)",
    r"^[A-TV-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$": "is not an ICD-10-CM code (e.g. D80.1)",
    r"^[A-Z]{2}$": "is not a state as two capital letters (e.g. IL)",
    r"^\d{5}(\d{4})?$": "is not a ZIP code of 5 or 9 digits",
    r"^\d{9}$": "is not 9 digits",
    r"^[0-9A-Z]{9}X$": "is not a taxonomy code (10 characters ending in X, e.g. 3336H0001X)",
    r"^[A-Za-z0-9]{2,80}$": "is not 2 to 80 letters or digits",
    r"^[A-Z0-9]{2}$": "is not a two-character modifier",
    r"^[A-Za-z0-9-]{1,80}$": "is not 1 to 80 letters, digits or dashes",
    r"^[A-Za-z0-9-]{1,50}$": "is not 1 to 50 letters, digits or dashes",
    r"^\d{11}$": "is not an 11-digit NDC without dashes",
}
TYPE_NAMES = {
    "string": "a string", "object": "an object", "array": "a list", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "null",
}
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

Path = tuple[str | int, ...]


# --- the schema ------------------------------------------------------------------------------


@cache
def schema() -> dict:
    return json.loads(resources.path("interchange-schema.json").read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _properties(def_name: str) -> list[str]:
    return list(schema()["$defs"][def_name]["properties"])


# --- error paths and wording -----------------------------------------------------------------


def format_path(path: Iterable[str | int]) -> str:
    """`("orders", 3, "prescriber")` -> `orders[3].prescriber`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _a(label: str) -> str:
    return ("an " if label[0] in "aeiou" else "a ") + label


def _label(collection: str) -> str:
    return services.LABELS[COLLECTIONS[collection][0]]


def _schema_errors(doc: Any) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for err in _validator().iter_errors(doc):
        path: Path = tuple(err.absolute_path)
        kind, value, inst = err.validator, err.validator_value, err.instance
        if kind == "required":
            out += [(path + (name,), "is required") for name in value if name not in inst]
        elif kind == "additionalProperties":
            known = set(err.schema.get("properties", {}))
            out += [(path + (name,), "is not a field of the interchange format")
                    for name in inst if name not in known]
        elif kind == "type":
            out.append((path, f"{_show(inst)} is not {TYPE_NAMES.get(value, value)}"))
        elif kind == "const":
            out.append((path, f"is {_show(inst)}, not {_show(value)}"))
        elif kind == "enum":
            out.append((path, f"{_show(inst)} is not one of: {', '.join(map(str, value))}"))
        elif kind == "pattern":
            hint = PATTERN_HINTS.get(value, f"does not match the pattern {value}")
            out.append((path, f"{_show(inst)} {hint}"))
        elif kind == "format":
            out.append((path, f"{_show(inst)} is not a real calendar date"))
        elif kind == "minLength":
            out.append((path, "is empty" if value == 1 else f"is shorter than {value} characters"))
        elif kind == "maxLength":
            out.append((path, f"is longer than {value} characters"))
        elif kind == "minItems":
            out.append((path, f"needs at least {value} item{'s' if value != 1 else ''}"))
        elif kind == "maxItems":
            out.append((path, f"holds at most {value} items"))
        elif kind == "minimum":
            out.append((path, f"{_show(inst)} is less than {value}"))
        elif kind == "maximum":
            out.append((path, f"{_show(inst)} is more than {value}"))
        elif kind == "exclusiveMinimum":
            out.append((path, f"{_show(inst)} is not more than {value}"))
        else:  # pragma: no cover - every keyword the schema uses is worded above
            out.append((path, err.message))
    # a date in the wrong form also fails the date format: report it once
    bad_form = {p for p, m in out if m.endswith("is not a date in the form YYYY-MM-DD")}
    return [(p, m) for p, m in out if not (p in bad_form and m.endswith("calendar date"))]


# --- the checks a schema cannot make ---------------------------------------------------------


def _items(doc: dict, collection: str) -> list[tuple[int, dict]]:
    items = doc.get(collection)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _date(value: Any) -> dt.date | None:
    """A well-formed date, or None (a malformed one is the schema's to report)."""
    if isinstance(value, str) and DATE_RE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _npi_error(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{10}", value):
        problem = npi_problem(value)
        return f"{_show(value)} is not a valid NPI: {problem}" if problem else None
    return None


def _range_error(item: dict, start: str, end: str, start_words: str) -> str | None:
    first, last = _date(item.get(start)), _date(item.get(end))
    if first and last and last < first:
        return f"{last} is before the {start_words} ({first})"
    return None


def _semantic_errors(session: Session, doc: dict) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []

    pharmacy = doc.get("pharmacy")
    if isinstance(pharmacy, dict):
        if problem := _npi_error(pharmacy.get("npi")):
            out.append((("pharmacy", "npi"), problem))
        row = session.get(Pharmacy, 1)
        if row is not None:
            out += _pharmacy_differences(_pharmacy_out(row), pharmacy)

    # ids: unique in the file, new to the database
    file_ids: dict[str, set[str]] = {}
    live_ids: dict[str, set[str]] = {}
    void_orders: set[str] = set()
    for coll, (_kind, table) in COLLECTIONS.items():
        if coll in CLINICAL:
            rows = session.exec(select(table.id, table.voided)).all()
            db_ids = {rid for rid, _ in rows}
            live_ids[coll] = {rid for rid, voided in rows if not voided}
            if coll == "orders":
                void_orders = db_ids - live_ids[coll]
        else:
            db_ids = live_ids[coll] = set(session.exec(select(table.id)).all())
        seen: dict[str, int] = {}
        for i, item in _items(doc, coll):
            rid = item.get("id")
            if not isinstance(rid, str):
                continue
            if rid in seen:
                out.append(((coll, i, "id"), f'"{rid}" is used twice (also {coll}[{seen[rid]}])'))
            else:
                seen[rid] = i
            if rid in db_ids:
                out.append(((coll, i, "id"),
                            f'{_a(_label(coll))} with id "{rid}" already exists in the database'))
        file_ids[coll] = set(seen)

    def reference(path: Path, target: str, value: Any) -> None:
        if not isinstance(value, str) or value in file_ids[target] or value in live_ids[target]:
            return
        label = _label(target)
        if target == "orders" and value in void_orders:
            out.append((path, f'the {label} "{value}" is void'))
        else:
            out.append((path, f'no {label} with id "{value}"'))

    for coll in COLLECTIONS:
        for i, item in _items(doc, coll):
            for fld, target in REFERENCES.get(coll, {}).items():
                reference((coll, i, fld), target, item.get(fld))
            for start, end, words in DATE_RANGES.get(coll, []):
                if problem := _range_error(item, start, end, words):
                    out.append(((coll, i, end), problem))

    for i, item in _items(doc, "prescribers"):
        if problem := _npi_error(item.get("npi")):
            out.append((("prescribers", i, "npi"), problem))

    for i, patient in _items(doc, "patients"):
        coverages = patient.get("coverages")
        for j, cov in enumerate(coverages if isinstance(coverages, list) else []):
            if not isinstance(cov, dict):
                continue
            path: Path = ("patients", i, "coverages", j)
            reference(path + ("payer",), "payers", cov.get("payer"))
            if problem := _range_error(cov, "start_date", "end_date", "start date"):
                out.append((path + ("end_date",), problem))
            relationship = cov.get("relationship", "self")
            if relationship != "self" and "subscriber" not in cov:
                out.append((path + ("subscriber",),
                            f'is required when the relationship is {_show(relationship)}, '
                            "not self"))

    for i, order in _items(doc, "orders"):
        code = order.get("per_diem_code")
        if isinstance(code, str) and re.fullmatch(r"[A-Z]\d{4}", code):
            if not codes.is_per_diem_code(code):
                known = codes.hcpcs_codes().get(code)
                what = f" ({known.short_description})" if known else ""
                out.append((("orders", i, "per_diem_code"),
                            f"{code}{what} is not a home infusion per diem code"))
    return out


def _pharmacy_differences(current: dict, given: dict) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []

    def compare(path: Path, mine: Any, theirs: Any) -> None:
        if (mine or None) == (theirs or None):
            return
        if theirs:
            problem = (f"{_show(theirs)} differs from this database's pharmacy "
                       f"({_show(mine) if mine else 'not set'})")
        else:
            problem = f"is not given, but this database's pharmacy has {_show(mine)}"
        out.append((path, f"{problem}: the file belongs to another pharmacy"))

    for key in _properties("pharmacy"):
        mine, theirs = current.get(key), given.get(key)
        if key == "address" and isinstance(theirs, dict):
            for sub in _properties("address"):
                compare(("pharmacy", key, sub), (mine or {}).get(sub), theirs.get(sub))
        else:
            compare(("pharmacy", key), mine, theirs)
    return out


def _sort_key(error: tuple[Path, str]) -> list[int]:
    """Errors in the order of the file: by position in lists, by the schema's field order."""
    key: list[int] = []
    node: dict = schema()
    for part in error[0]:
        if "$ref" in node:
            node = schema()["$defs"][node["$ref"].rsplit("/", 1)[1]]
        if isinstance(part, int):
            key.append(part)
            node = node.get("items", {})
        else:
            fields = list(node.get("properties", {}))
            key.append(fields.index(part) if part in fields else len(fields))
            node = node.get("properties", {}).get(part, {})
    return key


def _non_finite(node: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """NaN and Infinity: Python's json reads them and the schema's `number` lets them pass."""
    if isinstance(node, float) and not math.isfinite(node):
        return [(path, f"{_show(node)} is not a number (a file holds no NaN or Infinity)")]
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    return [e for key, child in items for e in _non_finite(child, path + (key,))]


def validate_document(session: Session, doc: Any) -> list[str]:
    """Every problem that keeps `doc` from being imported into this database, with its path."""
    found = _schema_errors(doc) + _non_finite(doc)
    if isinstance(doc, dict):
        found += _semantic_errors(session, doc)
    unique = list(dict.fromkeys(found))
    unique.sort(key=_sort_key)  # stable: schema problems stay before the others on one field
    return [f"{format_path(p)}: {m}" for p, m in unique]


# --- import ----------------------------------------------------------------------------------


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


def _pharmacy_in(p: dict) -> PharmacyBase:
    return PharmacyBase(name=p["name"], npi=p["npi"], tax_id=p["tax_id"],
                        taxonomy=_opt(p.get("taxonomy")), phone=_opt(p.get("phone")),
                        **_address_in(p["address"]))


def _write_payer(session: Session, actor: str, p: dict) -> None:
    services.save_payer(session, actor=actor, data=PayerBase(
        id=p["id"], name=p["name"], payer_id=p["payer_id"], kind=p["kind"],
        requires_prior_auth=p.get("requires_prior_auth", False),
        per_diem_modifiers=list(p.get("per_diem_modifiers", [])), **_address_in(p.get("address"))))


def _write_prescriber(session: Session, actor: str, p: dict) -> None:
    services.save_prescriber(session, actor=actor, data=PrescriberBase(
        id=p["id"], first_name=p["first_name"], last_name=p["last_name"], npi=p["npi"],
        phone=_opt(p.get("phone"))))


def _coverage_in(c: dict) -> CoverageBase:
    sub = c.get("subscriber") or {}
    return CoverageBase(
        payer_id=c["payer"], member_id=c["member_id"], group_number=_opt(c.get("group_number")),
        priority=c.get("priority", "primary"), start_date=_day(c["start_date"]),
        end_date=_day(c.get("end_date")), relationship=c.get("relationship", "self"),
        subscriber_first_name=_opt(sub.get("first_name")),
        subscriber_last_name=_opt(sub.get("last_name")),
        subscriber_birth_date=_day(sub.get("birth_date")), subscriber_sex=_opt(sub.get("sex")))


def _write_patient(session: Session, actor: str, p: dict) -> None:
    data = PatientBase(id=p["id"], first_name=p["first_name"], last_name=p["last_name"],
                       birth_date=_day(p["birth_date"]), sex=p["sex"],
                       phone=_opt(p.get("phone")), **_address_in(p["address"]))
    services.save_patient(session, actor=actor, data=data,
                          coverages=[_coverage_in(c) for c in p.get("coverages", [])])


def _write_authorization(session: Session, actor: str, a: dict) -> None:
    services.save_authorization(session, actor=actor, data=AuthorizationBase(
        id=a["id"], patient_id=a["patient"], payer_id=a["payer"], number=a["number"],
        code=a["code"], start_date=_day(a["start_date"]), end_date=_day(a["end_date"]),
        units=int(a["units"])))


def _order_in(o: dict) -> OrderBase:
    drug = o["drug"]
    return OrderBase(
        id=o["id"], patient_id=o["patient"], prescriber_id=o["prescriber"],
        per_diem_code=o["per_diem_code"], drug_name=drug["name"], drug_ndc=_opt(drug.get("ndc")),
        drug_hcpcs=_opt(drug.get("hcpcs")),
        drug_hcpcs_unit_amount=_decimal(drug.get("hcpcs_unit_amount")),
        drug_dose_unit=_opt(drug.get("dose_unit")),
        drug_unit_charge=_decimal(_opt(drug.get("unit_charge"))),
        dose=_opt(o.get("dose")), route=_opt(o.get("route")), frequency=_opt(o.get("frequency")),
        diagnosis_codes=list(o["diagnosis_codes"]), start_date=_day(o["start_date"]),
        end_date=_day(o.get("end_date")), discontinued_date=_day(o.get("discontinued_date")),
        signed_date=_day(o.get("signed_date")),
        per_diem_rate=_decimal(_opt(o.get("per_diem_rate"))), notes=_opt(o.get("notes")))


def _plan_in(p: dict) -> PlanOfCareBase:
    return PlanOfCareBase(id=p["id"], order_id=p["order"], start_date=_day(p["start_date"]),
                          end_date=_day(p["end_date"]), signed_date=_day(p.get("signed_date")),
                          summary=_opt(p.get("summary")))


def _prep_in(p: dict) -> PrepNoteBase:
    return PrepNoteBase(id=p["id"], order_id=p["order"], date=_day(p["date"]),
                        pharmacist=p["pharmacist"], compounding=_opt(p.get("compounding")),
                        dur=_opt(p.get("dur")), lot=_opt(p.get("lot")),
                        beyond_use_date=_day(p["beyond_use_date"]))


def _delivery_in(d: dict) -> DeliveryBase:
    return DeliveryBase(id=d["id"], order_id=d["order"], date=_day(d["date"]),
                        items=_opt(d.get("items")), method=_opt(d.get("method")),
                        received_by=_opt(d.get("received_by")))


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _infusion_in(e: dict) -> InfusionBase:
    return InfusionBase(
        id=e["id"], order_id=e["order"], date=_day(e["date"]),
        start_time=_time(e.get("start_time")), end_time=_time(e.get("end_time")),
        status=e["status"], setting=e.get("setting", "home"),
        dose_given=_decimal(e.get("dose_given")), administered_by=_opt(e.get("administered_by")),
        site=_opt(e.get("site")), reaction=_opt(e.get("reaction")), notes=_opt(e.get("notes")))


def _care_note_in(n: dict) -> CareNoteBase:
    return CareNoteBase(id=n["id"], patient_id=n["patient"], date=_day(n["date"]),
                        author=n["author"], contact=_opt(n.get("contact")), text=n["text"])


def _clinical_writer(kind: str, convert: Any) -> Any:
    def write(session: Session, actor: str, item: dict) -> None:
        # the file was checked against the interchange format; the entry forms' extra
        # demands (a note on a held dose, times in order) are not the file's to meet
        services.create_record(session, actor=actor, kind=kind, data=convert(item),
                               form_checks=False)
    return write


WRITERS = {
    "payers": _write_payer,
    "prescribers": _write_prescriber,
    "patients": _write_patient,
    "orders": _clinical_writer("order", _order_in),
    "plans_of_care": _clinical_writer("plan_of_care", _plan_in),
    "authorizations": _write_authorization,
    "prep_notes": _clinical_writer("prep_note", _prep_in),
    "deliveries": _clinical_writer("delivery", _delivery_in),
    "infusions": _clinical_writer("infusion", _infusion_in),
    "care_notes": _clinical_writer("care_note", _care_note_in),
}


def import_document(session: Session, *, actor: str, doc: Any) -> dict[str, int]:
    """Import an interchange document, all or nothing; return how many records of each kind.

    Raises ImportRejected listing every problem (with its JSON path) before anything is written.
    Should a service still refuse a record while writing, ImportRejected is raised too and the
    caller's unit_of_work rolls back what this call wrote.
    """
    errors = validate_document(session, doc)
    if errors:
        raise ImportRejected(errors)
    counts: dict[str, int] = {"pharmacy": 0}
    if session.get(Pharmacy, 1) is None:
        services.save_pharmacy(session, actor=actor, data=_pharmacy_in(doc["pharmacy"]))
        counts["pharmacy"] = 1
    for coll, write in WRITERS.items():
        items = doc.get(coll, [])
        for i, item in enumerate(items):
            try:
                write(session, actor, item)
            except ValidationFailed as exc:
                raise ImportRejected([f"{format_path((coll, i, e.field))}: {e.problem}"
                                      for e in exc.errors]) from exc
            except DomainError as exc:
                raise ImportRejected([f"{format_path((coll, i))}: {exc}"]) from exc
        counts[coll] = len(items)
    return counts


# --- export ----------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


def _tidy(def_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The fields of one record in the schema's order, leaving out the empty ones."""
    return {k: values[k] for k in _properties(def_name) if not _empty(values.get(k))}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")  # keeps the stored scale: "150.00"


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _address_out(row: Any) -> dict[str, Any] | None:
    if not row.address_line1:
        return None
    return _tidy("address", {"line1": row.address_line1, "line2": row.address_line2,
                             "city": row.city, "state": row.state, "zip": row.zip})


def _pharmacy_out(row: Pharmacy) -> dict[str, Any]:
    return _tidy("pharmacy", {"name": row.name, "npi": row.npi, "tax_id": row.tax_id,
                              "taxonomy": row.taxonomy, "address": _address_out(row),
                              "phone": row.phone})


def _coverage_out(c: Coverage) -> dict[str, Any]:
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
    })


def _rows(session: Session, table: type) -> list[Any]:
    stmt = select(table)
    if hasattr(table, "voided"):
        stmt = stmt.where(table.voided == False)  # noqa: E712
    return sorted(session.exec(stmt).all(), key=lambda r: r.id)


def read_file(path: pathlib.Path) -> Any:
    """The JSON of an interchange file; a missing or non-JSON file is a DomainError in words.
    utf-8-sig: Windows editors often start a UTF-8 file with a byte-order mark."""
    try:
        return json.loads(pathlib.Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DomainError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(f"{path}: not a JSON file, it cannot be read as a JSON file "
                          f"({exc})") from None


def to_json(doc: dict[str, Any]) -> str:
    """An interchange document as the text of an interchange file."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def export_document(session: Session) -> dict[str, Any]:
    """The current, non-voided records as an interchange document (see docs/interchange.md)."""
    pharmacy = session.get(Pharmacy, 1)
    if pharmacy is None:
        raise DomainError("There is nothing to export yet: the pharmacy settings are not set. "
                          "Fill them in (or import a file) first.")
    coverages: dict[str, list[Coverage]] = {}
    for cov in session.exec(select(Coverage).order_by(Coverage.patient_id, Coverage.position)):
        coverages.setdefault(cov.patient_id, []).append(cov)
    orders = _rows(session, Order)
    live_orders = {o.id for o in orders}

    def of_live_orders(table: type) -> list[Any]:
        # a record of a voided order would name an order the file does not hold
        return [r for r in _rows(session, table) if r.order_id in live_orders]

    collections: dict[str, list[dict[str, Any]]] = {
        "payers": [_tidy("payer", {
            "id": p.id, "name": p.name, "payer_id": p.payer_id, "kind": p.kind,
            "requires_prior_auth": p.requires_prior_auth,
            "per_diem_modifiers": list(p.per_diem_modifiers or []), "address": _address_out(p),
        }) for p in _rows(session, Payer)],
        "prescribers": [_tidy("prescriber", {
            "id": p.id, "first_name": p.first_name, "last_name": p.last_name, "npi": p.npi,
            "phone": p.phone,
        }) for p in _rows(session, Prescriber)],
        "patients": [_tidy("patient", {
            "id": p.id, "first_name": p.first_name, "last_name": p.last_name,
            "birth_date": _iso(p.birth_date), "sex": p.sex, "address": _address_out(p),
            "phone": p.phone, "coverages": [_coverage_out(c) for c in coverages.get(p.id, [])],
        }) for p in _rows(session, Patient)],
        "orders": [_tidy("order", {
            "id": o.id, "patient": o.patient_id, "prescriber": o.prescriber_id,
            "per_diem_code": o.per_diem_code,
            "drug": _tidy("drug", {
                "name": o.drug_name, "ndc": o.drug_ndc, "hcpcs": o.drug_hcpcs,
                "hcpcs_unit_amount": _number(o.drug_hcpcs_unit_amount),
                "dose_unit": o.drug_dose_unit, "unit_charge": _money(o.drug_unit_charge)}),
            "dose": o.dose, "route": o.route, "frequency": o.frequency,
            "diagnosis_codes": list(o.diagnosis_codes), "start_date": _iso(o.start_date),
            "end_date": _iso(o.end_date), "discontinued_date": _iso(o.discontinued_date),
            "signed_date": _iso(o.signed_date), "per_diem_rate": _money(o.per_diem_rate),
            "notes": o.notes,
        }) for o in orders],
        "plans_of_care": [_tidy("plan_of_care", {
            "id": p.id, "order": p.order_id, "start_date": _iso(p.start_date),
            "end_date": _iso(p.end_date), "signed_date": _iso(p.signed_date),
            "summary": p.summary,
        }) for p in of_live_orders(PlanOfCare)],
        "authorizations": [_tidy("authorization", {
            "id": a.id, "patient": a.patient_id, "payer": a.payer_id, "number": a.number,
            "code": a.code, "start_date": _iso(a.start_date), "end_date": _iso(a.end_date),
            "units": a.units,
        }) for a in _rows(session, Authorization)],
        "prep_notes": [_tidy("prep_note", {
            "id": p.id, "order": p.order_id, "date": _iso(p.date), "pharmacist": p.pharmacist,
            "compounding": p.compounding, "dur": p.dur, "lot": p.lot,
            "beyond_use_date": _iso(p.beyond_use_date),
        }) for p in of_live_orders(PrepNote)],
        "deliveries": [_tidy("delivery", {
            "id": d.id, "order": d.order_id, "date": _iso(d.date), "items": d.items,
            "method": d.method, "received_by": d.received_by,
        }) for d in of_live_orders(Delivery)],
        "infusions": [_tidy("infusion", {
            "id": e.id, "order": e.order_id, "date": _iso(e.date),
            "start_time": _hhmm(e.start_time), "end_time": _hhmm(e.end_time),
            "status": e.status, "setting": e.setting, "dose_given": _number(e.dose_given),
            "administered_by": e.administered_by, "site": e.site, "reaction": e.reaction,
            "notes": e.notes,
        }) for e in of_live_orders(Infusion)],
        "care_notes": [_tidy("care_note", {
            "id": n.id, "patient": n.patient_id, "date": _iso(n.date), "author": n.author,
            "contact": n.contact, "text": n.text,
        }) for n in _rows(session, CareNote)],
    }
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                           "pharmacy": _pharmacy_out(pharmacy)}
    doc.update({k: v for k, v in collections.items() if v})
    return doc
