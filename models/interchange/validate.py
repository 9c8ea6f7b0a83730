"""Checking an interchange file before anything is written: every problem, with its path.

First the JSON Schema's problems, then the checks a schema cannot make across the file and the
database (ids unique and new, references, the pharmacy), the file's own wording of the record
checks it shares with the forms (NPI, date order, per diem code), and finally, on a file that
passed all of those, the one record validation itself (models/records/checks.py) on every
record, as the forms and services run it (a name of blanks is no name). It runs a little
over 400 lines because these passes share one problem list and one path wording; split, each
part would repeat them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from functools import cache
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from sqlmodel import Session, SQLModel, select

from models.errors import ValidationFailed
from models.interchange.convert import (
    CONVERTERS,
    FILE_FIELDS,
    coverages_in,
    pharmacy_in,
    recorded_in,
)
from models.interchange.format import COLLECTIONS, Path, format_path, properties, schema
from models.interchange.visit_links import visit_link_errors
from models.interchange.write import pharmacy_out
from models.records import registry
from models.records.checks import check_pharmacy, check_record, per_diem_problem
from models.records.clinical import late_problem
from models.records.late import LATE_ENTRY_DAYS
from models.records.lots import lot_problem
from models.records.registry import RecordKind
from models.records.tables import CoverageBase, Pharmacy, PrepNote
from models.validation import npi_problem

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
    r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$":
        "is not a date and time in the form YYYY-MM-DDTHH:MM",
}
TYPE_NAMES = {
    "string": "a string", "object": "an object", "array": "a list", "integer": "a whole number",
    "number": "a number", "boolean": "true or false", "null": "null",
}
# v1.1: the pharmacy's rule settings and its price list
SETTINGS = ("late_entry_days", "order_signature", "prices")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- the schema ------------------------------------------------------------------------------


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


# --- error wording ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _a(label: str) -> str:
    return ("an " if label[0] in "aeiou" else "a ") + label


def _label(collection: str) -> str:
    return COLLECTIONS[collection].label


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
        elif kind == "anyOf":  # R28: a beyond-use date, with or without its hour
            out.append((path, f"{_show(inst)} is not a date YYYY-MM-DD nor a date and hour "
                              "YYYY-MM-DDTHH:MM"))
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
        validator = _record_validator(COLLECTIONS[coll].key)
        out += _worded(validator.iter_errors(doc[coll][i]), (coll, i))
    return _once(out)


# --- the checks a schema cannot make ---------------------------------------------------------


def _items(doc: dict, collection: str) -> list[tuple[int, dict]]:
    items = doc.get(collection)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _date(value: Any) -> dt.date | None:
    """A well-formed date, or None (a malformed one is the schema's to report); the date of
    a beyond-use date and hour `YYYY-MM-DDTHH:MM` (R28)."""
    if isinstance(value, str) and len(value) > 10 and value[10] == "T":
        value = value[:10]
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
            out += _pharmacy_differences(pharmacy_out(row), pharmacy)

    # ids: unique in the file, new to the database
    file_ids: dict[str, set[str]] = {}
    live_ids: dict[str, set[str]] = {}
    void_orders: set[str] = set()
    for coll, kind in COLLECTIONS.items():
        table: Any = kind.table
        if kind.versioned:
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

    for coll, kind in COLLECTIONS.items():
        for i, item in _items(doc, coll):
            for ref in kind.refs:
                reference((coll, i, ref.key), ref.collection, item.get(ref.key))
            for pair in kind.date_pairs:
                if problem := _range_error(item, pair.start, pair.end, pair.start_words):
                    out.append(((coll, i, pair.end), problem))

    out += _lot_errors(session, doc) + visit_link_errors(session, doc)
    for coll in (k.collection for k in registry.CLINICAL):  # what the schema's pattern lets by
        for i, item in _items(doc, coll):
            for fld in ("recorded_at", "beyond_use_date"):
                if problem := _moment_error(item.get(fld)):
                    out.append(((coll, i, fld), problem))

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

    for i, order in _items(doc, registry.ORDER.collection):
        code = order.get("per_diem_code")
        if isinstance(code, str) and re.fullmatch(r"[A-Z]\d{4}", code):  # else the schema's
            if problem := per_diem_problem(code):
                out.append(((registry.ORDER.collection, i, "per_diem_code"), problem))
    return out


def _moment_error(value: Any) -> str | None:
    """A date and time `YYYY-MM-DDTHH:MM` (R26's recorded_at, R28's beyond-use hour) whose
    date does not exist (2026-02-30T10:00): the schema checks only its form."""
    if not (isinstance(value, str) and len(value) > 10 and value[10] == "T"):
        return None
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return f"{_show(value)} is not a real calendar date and time"
    return None


def _lot_errors(session: Session, doc: dict) -> list[tuple[Path, str]]:
    """R28 (v1.1): each infusion's `prep_note` names a note of the file or the database, of
    the same order, not void, covering the entry's date (models/records/lots.py)."""
    out: list[tuple[Path, str]] = []
    in_file: dict[str, Any] = {}
    for _, item in _items(doc, registry.PREP_NOTE.collection):
        day, bud = _date(item.get("date")), _date(item.get("beyond_use_date"))
        if isinstance(item.get("id"), str) and day and bud:
            in_file[item["id"]] = SimpleNamespace(order_id=item.get("order"), date=day,
                                                  beyond_use_date=bud)
    for i, item in _items(doc, registry.INFUSION.collection):
        note_id, day = item.get("prep_note"), _date(item.get("date"))
        if not isinstance(note_id, str) or day is None:
            continue  # not named, or the schema's to report
        note = in_file.get(note_id) or session.get(PrepNote, note_id)
        entry = SimpleNamespace(order_id=item.get("order"), date=day)
        if problem := lot_problem(note, note_id, entry):
            out.append(((registry.INFUSION.collection, i, "prep_note"), problem))
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

    for key in properties("pharmacy"):
        if key in SETTINGS:
            continue  # the pharmacy's settings, not who it is: taken only by a new database
        mine, theirs = current.get(key), given.get(key)
        if key == "address" and isinstance(theirs, dict):
            for sub in properties("address"):
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


def _file_path(prefix: Path, fld: str) -> Path:
    """Where a record check's field is in the file (`drug_name` is `drug.name`; a coverage's
    `coverages[0].member_id` is where it says)."""
    return prefix + FILE_FIELDS.get(fld, (fld,))


def record_problems(kind: RecordKind[Any, Any], record: SQLModel, prefix: Path,
                    coverages: list[CoverageBase] | None = None, item: dict | None = None,
                    late_days: int = LATE_ENTRY_DAYS) -> list[tuple[Path, str]]:
    """The one record validation (models/records/checks.py) of one record of a file, with the
    file's paths: what the forms and the services refuse and the schema cannot see (a name of
    blanks is no name), and R26 on a clinical record's `recorded_at` (from `item`, the file's
    record). The entry forms' own demands (a held dose's note) are left out."""
    out: list[tuple[Path, str]] = []
    try:
        check_record(kind, record, entry=False, coverages=coverages)
    except ValidationFailed as exc:
        out = [(_file_path(prefix, e.field), e.problem) for e in exc.errors]
    if kind.versioned and item is not None:
        late = late_problem(kind, record, recorded_in(item)[0], late_days)
        if late is not None:
            out.append((prefix + (late.field,), late.problem))
    return out


def late_days_of(session: Session, doc: dict) -> int:
    """R26's setting an import judges by: the database's pharmacy's, else the file's."""
    row = session.get(Pharmacy, 1)
    if row is not None:
        return row.late_entry_days
    given = doc.get("pharmacy", {}).get("late_entry_days")
    return given if isinstance(given, int) else LATE_ENTRY_DAYS


def pharmacy_problems(session: Session, doc: dict) -> list[tuple[Path, str]]:
    """The pharmacy block's checks, when it is to become this database's pharmacy settings."""
    if session.get(Pharmacy, 1) is not None:
        return []
    try:
        check_pharmacy(pharmacy_in(doc["pharmacy"]))
    except ValidationFailed as exc:
        return [(_file_path(("pharmacy",), e.field), e.problem) for e in exc.errors]
    return []


def _record_errors(session: Session, doc: dict) -> list[tuple[Path, str]]:
    """`record_problems` of every record of the file (which passed every other check, as the
    converters need)."""
    out: list[tuple[Path, str]] = []
    days = late_days_of(session, doc)
    for coll, kind in COLLECTIONS.items():
        convert = CONVERTERS[kind]
        for i, item in enumerate(doc.get(coll, [])):
            covs = coverages_in(item) if kind is registry.PATIENT else None
            out += record_problems(kind, convert(item), (coll, i), covs, item, days)
    return out


def validate_document(session: Session, doc: Any, *, records: bool = True) -> list[str]:
    """Every problem that keeps `doc` from being imported into this database, with its path.

    `records=False` leaves out the record checks (the pharmacy block's and every record's),
    for the importer, which runs them as it converts each record for writing."""
    found = _schema_errors(doc) + _non_finite(doc)
    if isinstance(doc, dict):
        found += _semantic_errors(session, doc)
        if not found and records:
            found = pharmacy_problems(session, doc) + _record_errors(session, doc)
    return worded(found)


def worded(found: list[tuple[Path, str]]) -> list[str]:
    """Problems as `path: problem` lines, each once, in the order of the file."""
    unique = list(dict.fromkeys(found))
    unique.sort(key=_sort_key)  # stable: schema problems stay before the others on one field
    return [f"{format_path(p)}: {m}" for p, m in unique]
