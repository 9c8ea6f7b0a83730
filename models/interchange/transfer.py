"""Import and export of the interchange file (JSON, version 1): all or nothing, errors with paths.

An import first collects every problem in the file (the JSON Schema's, then the checks a schema
cannot make: references, NPIs, date order, subscribers, per diem codes, duplicate ids, the
pharmacy, and the services' own checks on reference records) and refuses the whole file when
there is any. Only a clean file is written: in bulk, in the caller's one transaction, with the
rows the services would write one record at a time. An export writes the current, non-voided
records back in the same format.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pathlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from sqlalchemy import Date, DateTime, Table, Time, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

import resources
from models import codes
from models.errors import DomainError, ImportRejected, ValidationFailed
from models.files import atomic_file
from models.records import services
from models.records.tables import (
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
    RecordVersion,
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


@cache
def _record_validator(def_name: str) -> Draft202012Validator:
    """The same check for one record of a collection: the schema's $defs, rooted at one def."""
    root = schema()
    return Draft202012Validator({"$schema": root["$schema"], "$defs": root["$defs"],
                                 "$ref": f"#/$defs/{def_name}"},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _fast_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema(), validate_formats=True)


@cache  # asked once per exported record
def _properties(def_name: str) -> tuple[str, ...]:
    return tuple(schema()["$defs"][def_name]["properties"])


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


def _worded(errors: Iterable[Any], prefix: Path = ()) -> list[tuple[Path, str]]:
    """Python jsonschema's errors as (path, problem), in words a pharmacy can act on."""
    out: list[tuple[Path, str]] = []
    for err in errors:
        path: Path = prefix + tuple(err.absolute_path)
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
    return out


def _once(errors: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    # a date in the wrong form also fails the date format: report it once
    bad_form = {p for p, m in errors if m.endswith("is not a date in the form YYYY-MM-DD")}
    return [(p, m) for p, m in errors if not (p in bad_form and m.endswith("calendar date"))]


def _python_schema_errors(doc: Any) -> list[tuple[Path, str]]:
    """Every schema error of the whole document, found by Python jsonschema alone."""
    return _once(_worded(_validator().iter_errors(doc)))


def _schema_errors(doc: Any) -> list[tuple[Path, str]]:
    """Every schema error, worded as `_python_schema_errors` words them, at Rust speed.

    jsonschema-rs checks the whole file in milliseconds where Python jsonschema takes a minute
    at 300 patients; a valid file (the usual case) stops there. When it finds errors, Python
    jsonschema words them, but only over the file's top level and the records found at fault,
    so a refused file is reported as fast and in the same words as before.
    """
    try:
        faults = list(_fast_validator().iter_errors(doc))
    except Exception:  # what JSON cannot hold (a lone surrogate, int keys): Python words it
        return _python_schema_errors(doc)
    if not faults:
        return []
    bad_records: set[tuple[str, int]] = set()
    for fault in faults:
        where = fault.instance_path
        if len(where) >= 2 and where[0] in COLLECTIONS and isinstance(where[1], int):
            bad_records.add((where[0], where[1]))
    # the top level with the collections' records left out; then each faulty record alone
    top = {k: [] if k in COLLECTIONS and isinstance(v, list) else v for k, v in doc.items()} \
        if isinstance(doc, dict) else doc
    out = _worded(_validator().iter_errors(top))
    for coll, i in sorted(bad_records, key=lambda r: (list(COLLECTIONS).index(r[0]), r[1])):
        validator = _record_validator(COLLECTIONS[coll][0])
        out += _worded(validator.iter_errors(doc[coll][i]), (coll, i))
    return _once(out)


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
    if not path and not _has_non_finite(node):
        return []
    if isinstance(node, float) and not math.isfinite(node):
        return [(path, f"{_show(node)} is not a number (a file holds no NaN or Infinity)")]
    items = node.items() if isinstance(node, dict) else \
        enumerate(node) if isinstance(node, list) else ()
    return [e for key, child in items for e in _non_finite(child, path + (key,))]


def _has_non_finite(doc: Any) -> bool:
    """Whether any number in the document is NaN or infinite (a quick walk, no paths)."""
    stack: list[Any] = [[doc]]
    while stack:
        node = stack.pop()
        for value in node.values() if isinstance(node, dict) else node:
            if isinstance(value, dict | list):
                stack.append(value)
            elif isinstance(value, float) and not math.isfinite(value):
                return True
    return False


def validate_document(session: Session, doc: Any) -> list[str]:
    """Every problem that keeps `doc` from being imported into this database, with its path."""
    found = _schema_errors(doc) + _non_finite(doc)
    if isinstance(doc, dict):
        found += _semantic_errors(session, doc)
        if not found:
            found = _form_errors(session, doc)
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


def _payer_in(p: dict) -> PayerBase:
    return PayerBase(
        id=p["id"], name=p["name"], payer_id=p["payer_id"], kind=p["kind"],
        requires_prior_auth=p.get("requires_prior_auth", False),
        per_diem_modifiers=list(p.get("per_diem_modifiers", [])), **_address_in(p.get("address")))


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
        subscriber_birth_date=_day(sub.get("birth_date")), subscriber_sex=_opt(sub.get("sex")))


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


# collection -> the record as the services take it (in COLLECTIONS' order, the writing order)
CONVERTERS: dict[str, Callable[[dict], Any]] = {
    "payers": _payer_in,
    "prescribers": _prescriber_in,
    "patients": _patient_in,
    "orders": _order_in,
    "plans_of_care": _plan_in,
    "authorizations": _authorization_in,
    "prep_notes": _prep_in,
    "deliveries": _delivery_in,
    "infusions": _infusion_in,
    "care_notes": _care_note_in,
}
assert list(CONVERTERS) == list(COLLECTIONS)


def _coverages_in(p: dict) -> list[CoverageBase]:
    return [_coverage_in(c) for c in p.get("coverages", [])]


def _form_errors(session: Session, doc: dict) -> list[tuple[Path, str]]:
    """The services' own checks on reference records, which the schema cannot make (a name of
    blanks is no name); run on a file that passed every other check, as the converters need."""
    checks: dict[str, Callable[[dict], None]] = {
        "payers": lambda p: services.check_payer(_payer_in(p)),
        "prescribers": lambda p: services.check_prescriber(_prescriber_in(p)),
        "patients": lambda p: services.check_patient(_patient_in(p), _coverages_in(p)),
        "authorizations": lambda a: services.check_authorization(_authorization_in(a)),
    }
    out: list[tuple[Path, str]] = []

    def attempt(path: Path, check: Callable[[], None]) -> None:
        try:
            check()
        except ValidationFailed as exc:
            out.extend((path + (e.field,), e.problem) for e in exc.errors)

    if session.get(Pharmacy, 1) is None:  # the file's block becomes the pharmacy settings
        attempt(("pharmacy",), lambda: services.check_pharmacy(_pharmacy_in(doc["pharmacy"])))
    for coll, check in checks.items():
        for i, item in enumerate(doc.get(coll, [])):
            attempt((coll, i), lambda: check(item))  # noqa: B023 - called at once
    return out


@dataclass(frozen=True)
class Progress:
    """How far an import has come: `phase` is "reading" (done and total in bytes), "checking"
    or "writing" (in records)."""

    phase: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]
BATCH = 2000  # records converted and inserted at a time: bounded memory, regular progress


def _record_count(doc: Any) -> int:
    if not isinstance(doc, dict):
        return 0
    return sum(len(v) for k, v in doc.items() if k in COLLECTIONS and isinstance(v, list))


def import_document(session: Session, *, actor: str, doc: Any,
                    progress: ProgressCallback | None = None) -> dict[str, int]:
    """Import an interchange document, all or nothing; return how many records of each kind.

    Raises ImportRejected listing every problem (with its JSON path) before anything is written.
    The records are written in one transaction, the caller's: what `import_document` wrote is
    rolled back by its unit_of_work when anything goes wrong, including an exception raised by
    `progress` (which is how an import is cancelled).
    """
    report = progress or (lambda _p: None)
    total = _record_count(doc)
    report(Progress("checking", 0, total))
    errors = validate_document(session, doc)
    if errors:
        raise ImportRejected(errors)
    report(Progress("checking", total, total))
    counts: dict[str, int] = {"pharmacy": 0}
    if session.get(Pharmacy, 1) is None:
        services.save_pharmacy(session, actor=actor, data=_pharmacy_in(doc["pharmacy"]))
        counts["pharmacy"] = 1
    writer = _Writer(session, actor, report, total)
    for coll in COLLECTIONS:
        counts[coll] = writer.write(coll, doc.get(coll, []))
    writer.announce(doc)
    return counts


def _dump(model: Any, mode: str = "python") -> dict[str, Any]:
    """`model.model_dump(mode=mode)`, without SQLModel's wrapper (a third of the time it took
    to convert a record)."""
    return type(model).__pydantic_serializer__.to_python(model, mode=mode)


def _bind_processor(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """How the column's type converts a value for the driver. Dates and times are converted
    once per distinct value (their converters are slow, and five years hold under 2,000 days,
    1,440 minutes and one moment of import); other values every time (a Decimal equal to
    another may be written differently: 1.0 and 1)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column.type, Date | Time | DateTime):
        return process
    seen: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value not in seen:
            seen[value] = process(value)
        return seen[value]
    return once


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (dicts with the same keys) with one executemany through the driver.

    Each value goes through its column's SQLAlchemy type for this dialect, so it is stored
    exactly as a Core or ORM insert stores it; what is left out is SQLAlchemy's bookkeeping per
    row, which was more than half of a 300-patient import (25 µs a row).
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    keys = [c.key for c in table.c if c.key in rows[0]]
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    convert = {k: _bind_processor(table.c[k], dialect) for k in keys}
    names = list(compiled.positiontup) if compiled.positional else keys
    values = itemgetter(*names)  # every table written has several columns: a tuple
    converted = [(i, convert[k]) for i, k in enumerate(names) if convert[k] is not None]
    params: list[Any] = []
    for row in rows:
        vals = list(values(row))
        for i, f in converted:
            vals[i] = f(vals[i])
        params.append(tuple(vals) if compiled.positional else dict(zip(names, vals, strict=True)))
    conn.exec_driver_sql(str(compiled), params)


class _Writer:
    """Inserts a checked document's records in bulk, with the rows the services would write.

    The document passed every check, references included, so nothing is looked up per record:
    each batch is one executemany per table. Rows match the services': clinical records as
    version 1 by the actor with their first history entry (`create_record`), reference records
    with the first version of their history (`_log_version`; their ids are new to the database,
    which never deletes a payer, prescriber, patient or authorization).
    """

    def __init__(self, session: Session, actor: str, report: ProgressCallback, total: int):
        self.session, self.actor, self.report, self.total = session, actor, report, total
        self.now = dt.datetime.now().replace(microsecond=0)  # one import, one moment
        self.done = 0
        self.report(Progress("writing", 0, total))

    def write(self, coll: str, items: list[dict]) -> int:
        kind, table = COLLECTIONS[coll]
        convert = CONVERTERS[coll]
        clinical = coll in CLINICAL
        meta = {"version": 1, "recorded_by": self.actor, "recorded_at": self.now,
                "change_reason": None, "voided": False, "void_reason": None}
        for start in range(0, len(items), BATCH):
            rows, versions, coverages = [], [], []
            for item in items[start:start + BATCH]:
                base = convert(item)
                values, data = _dump(base), _dump(base, mode="json")
                if coll == "patients":  # the patient's history holds its coverages
                    covs = _coverages_in(item)
                    coverages += [{**_dump(c), "patient_id": base.id, "position": n}
                                  for n, c in enumerate(covs)]
                    data["coverages"] = [_dump(c, mode="json") for c in covs]
                rows.append({**values, **meta} if clinical else values)
                versions.append({"kind": kind, "record_id": base.id, "version": 1,
                                 "action": "created", "data": data, "recorded_by": self.actor,
                                 "recorded_at": self.now, "reason": None})
            _insert_rows(self.session, table.__table__, rows)
            _insert_rows(self.session, Coverage.__table__, coverages)
            _insert_rows(self.session, RecordVersion.__table__, versions)
            self.done += len(rows)
            self.report(Progress("writing", self.done, self.total))
        return len(items)

    def announce(self, doc: dict) -> None:
        """The change notice the services would have left: record kinds and their patients."""
        changes = services.changes_of(self.session)
        order_patient = {o["id"]: o["patient"] for o in doc.get("orders", [])}
        named = {i["order"] for coll in CLINICAL for i in doc.get(coll, []) if "order" in i}
        if named - order_patient.keys():  # records added to orders already in the database
            order_patient.update(self.session.exec(select(Order.id, Order.patient_id)).all())
        for coll, (kind, _table) in COLLECTIONS.items():
            items = doc.get(coll, [])
            if items:
                changes.kinds.add(kind)
            for item in items:
                patient = item["id"] if coll == "patients" else \
                    item.get("patient") or order_patient.get(item.get("order", ""))
                if patient:
                    changes.patient_ids.add(patient)


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
    return None if value is None else value.isoformat(timespec="minutes")  # strftime: 4x slower


def _address_out(row: Any) -> dict[str, Any] | None:
    if not row.address_line1:
        return None
    return _tidy("address", {"line1": row.address_line1, "line2": row.address_line2,
                             "city": row.city, "state": row.state, "zip": row.zip})


def _pharmacy_out(row: Pharmacy) -> dict[str, Any]:
    return _tidy("pharmacy", {"name": row.name, "npi": row.npi, "tax_id": row.tax_id,
                              "taxonomy": row.taxonomy, "address": _address_out(row),
                              "phone": row.phone})


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
    })


def _rows(session: Session, table: type) -> list[Any]:
    """The table's current records by id, as plain rows (fields by name, values converted as
    in the ORM): building ORM objects was most of the cost of a large export."""
    columns = table.__table__.c
    stmt = sa_select(table.__table__)
    if "voided" in columns:
        stmt = stmt.where(columns.voided == False)  # noqa: E712
    return sorted(session.execute(stmt).all(), key=lambda r: r.id)


def read_file(path: pathlib.Path, progress: ProgressCallback | None = None) -> Any:
    """The JSON of an interchange file; a missing or non-JSON file is a DomainError in words.
    utf-8-sig: Windows editors often start a UTF-8 file with a byte-order mark."""
    report = progress or (lambda _p: None)
    try:
        size = pathlib.Path(path).stat().st_size
        report(Progress("reading", 0, size))
        doc = json.loads(pathlib.Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DomainError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(f"{path}: not a JSON file, it cannot be read as a JSON file "
                          f"({exc})") from None
    report(Progress("reading", size, size))
    return doc


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


def export_document(session: Session) -> dict[str, Any]:
    """The current, non-voided records as an interchange document (see docs/interchange.md)."""
    pharmacy = session.get(Pharmacy, 1)
    if pharmacy is None:
        raise DomainError("There is nothing to export yet: the pharmacy settings are not set. "
                          "Fill them in (or import a file) first.")
    coverages: dict[str, list[Any]] = {}
    cov_table = Coverage.__table__
    for cov in session.execute(sa_select(cov_table).order_by(cov_table.c.patient_id,
                                                            cov_table.c.position)):
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
