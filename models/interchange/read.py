"""Import: reading an interchange file, and writing a checked document's records in bulk, all
or nothing, in the caller's one transaction (models/interchange/validate.py checks it first).
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, Table, Time, insert
from sqlmodel import Session, select

from models import clock
from models.errors import DomainError, ImportRejected
from models.interchange import bounds
from models.interchange.convert import CONVERTERS, coverages_in, pharmacy_in, recorded_in
from models.interchange.format import COLLECTIONS, Path, format_path
from models.interchange.validate import (
    late_days_of,
    pharmacy_problems,
    record_problems,
    validate_document,
    worded,
)
from models.interchange.warnings import import_warnings
from models.records import registry
from models.records.changes import changes_of
from models.records.late import LATE_ENTRY_DAYS
from models.records.reference import save_pharmacy
from models.records.registry import RecordKind
from models.records.tables import Coverage, Order, Pharmacy, RecordVersion
from models.security import audit
from models.security.permissions import IMPORT, authorize


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
                    progress: ProgressCallback | None = None,
                    warnings: list[str] | None = None,
                    source: str | None = None) -> dict[str, int]:
    """Import an interchange document, all or nothing; return how many records of each kind.

    Raises ImportRejected listing every problem (with its JSON path), the problems of
    `validate.validate_document`: those of the schema and across the file before anything is
    written, those of the one record validation as each record is converted for writing (one
    conversion a record; nothing more is written once one is found, and every record is still
    checked). The records are written in one transaction, the caller's: what `import_document`
    wrote is rolled back by its unit_of_work when anything goes wrong, a refusal included, or
    an exception raised by `progress` (which is how an import is cancelled).

    `source` (the file's name) is kept on each clinical record with the moment of the import
    (R26: an imported record shows where and when it came from). `warnings`, when given,
    receives what R25 questions in the file without refusing it
    (`infusions[4].dose_given: ... (dose-out-of-range)`; models/interchange/warnings.py).
    """
    authorize(session, actor, IMPORT)
    report = progress or (lambda _p: None)
    total = _record_count(doc)
    report(Progress("checking", 0, total))
    beyond = bounds.problems(doc)
    if beyond:
        raise ImportRejected(worded(beyond))
    errors = validate_document(session, doc, records=False)
    if errors:
        raise ImportRejected(errors)
    found = import_warnings(session, doc)
    report(Progress("checking", total, total))
    counts: dict[str, int] = {"pharmacy": 0}
    writer = _Writer(session, actor, report, total)
    writer.source, writer.late_days = source, late_days_of(session, doc)
    writer.problems = pharmacy_problems(session, doc)
    if not writer.problems and session.get(Pharmacy, 1) is None:
        save_pharmacy(session, actor=actor, data=pharmacy_in(doc["pharmacy"]))
        counts["pharmacy"] = 1
    for kind in registry.KINDS:  # each kind after the kinds it names
        counts[kind.collection] = writer.write(kind, doc.get(kind.collection, []))
    if writer.problems:
        raise ImportRejected(worded(writer.problems))
    writer.announce(doc)
    if warnings is not None:
        warnings.extend(found)
    audit.record(session, actor, audit.IMPORT, detail=", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n))
    return counts


def read_file(path: pathlib.Path, progress: ProgressCallback | None = None) -> Any:
    """The JSON of an interchange file; a missing or non-JSON file is a DomainError in words.
    utf-8-sig: Windows editors often start a UTF-8 file with a byte-order mark."""
    report = progress or (lambda _p: None)
    try:
        size = pathlib.Path(path).stat().st_size
        if size > bounds.MAX_FILE_BYTES:
            raise DomainError(f"{path}: {size:,} bytes; an interchange file PerDiem reads "
                              f"holds at most {bounds.MAX_FILE_BYTES:,}")
        report(Progress("reading", 0, size))
        text = pathlib.Path(path).read_text(encoding="utf-8-sig")
        doc = json.loads(text)  # NaN and Infinity: validate words them, with their paths
    except FileNotFoundError:
        raise DomainError(f"{path}: no such file") from None
    except RecursionError:
        where, offset = bounds.deep_point(text)
        raise ImportRejected([f"{format_path(where)}: is nested more than {bounds.MAX_DEPTH} "
                              f"levels deep (character {offset:,})"]) from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, 5,000 digits
        raise DomainError(f"{path}: not a JSON file, it cannot be read as a JSON file "
                          f"({exc})") from None
    report(Progress("reading", size, size))
    return doc


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

    The document passed every check across the file, references included, so nothing is looked
    up per record: each batch is one executemany per table. Each record is checked as it is
    converted (`problems`); once one has a problem, nothing more is inserted. Rows match the
    services': clinical records as version 1 by the actor with their first history entry
    (`create_record`), reference records with the first version of their history
    (`log_version`; their ids are new to the database, which never deletes a payer,
    prescriber, patient or authorization).
    """

    def __init__(self, session: Session, actor: str, report: ProgressCallback, total: int):
        self.session, self.actor, self.report, self.total = session, actor, report, total
        self.now = clock.now()  # one import, one moment
        self.done = 0
        self.problems: list[tuple[Path, str]] = []
        self.source: str | None = None
        self.late_days = LATE_ENTRY_DAYS
        self.report(Progress("writing", 0, total))

    def write(self, kind: RecordKind[Any, Any], items: list[dict]) -> int:
        convert = CONVERTERS[kind]
        meta = {"version": 1, "recorded_by": self.actor, "recorded_at": self.now,
                "change_reason": None, "voided": False, "void_reason": None,
                "imported_from": self.source, "imported_at": self.now}
        for start in range(0, len(items), BATCH):
            rows, versions, coverages = [], [], []
            for i, item in enumerate(items[start:start + BATCH], start):
                base = convert(item)
                covs = coverages_in(item) if kind is registry.PATIENT else None
                self.problems += record_problems(kind, base, (kind.collection, i), covs, item,
                                                 self.late_days)
                if self.problems:
                    continue  # checked all the same: the refusal lists every problem
                values, data = _dump(base), _dump(base, mode="json")
                if covs is not None:  # the patient's history holds its coverages
                    coverages += [{**_dump(c), "patient_id": base.id, "position": n}
                                  for n, c in enumerate(covs)]
                    data["coverages"] = [_dump(c, mode="json") for c in covs]
                if kind.versioned:
                    first_at, first_by = recorded_in(item)
                    rows.append({**values, **meta, "first_recorded_at": first_at,
                                 "first_recorded_by": first_by})
                else:
                    rows.append(values)
                versions.append({"kind": kind.key, "record_id": base.id, "version": 1,
                                 "action": "created", "data": data, "recorded_by": self.actor,
                                 "recorded_at": self.now, "reason": None})
            if not self.problems:
                _insert_rows(self.session, kind.table.__table__, rows)
                _insert_rows(self.session, Coverage.__table__, coverages)
                _insert_rows(self.session, RecordVersion.__table__, versions)
            self.done += len(items[start:start + BATCH])
            self.report(Progress("writing", self.done, self.total))
        return len(items)

    def announce(self, doc: dict) -> None:
        """The change notice the services would have left: record kinds and their patients."""
        changes = changes_of(self.session)
        order_patient = {o["id"]: o["patient"] for o in doc.get(registry.ORDER.collection, [])}
        named = {i["order"] for k in registry.CLINICAL for i in doc.get(k.collection, [])
                 if "order" in i}
        if named - order_patient.keys():  # records added to orders already in the database
            order_patient.update(self.session.exec(select(Order.id, Order.patient_id)).all())
        for kind in registry.KINDS:
            items = doc.get(kind.collection, [])
            if items:
                changes.kinds.add(kind.key)
            for item in items:
                patient = item["id"] if kind is registry.PATIENT else \
                    item.get("patient") or order_patient.get(item.get("order", ""))
                if patient:
                    changes.patient_ids.add(patient)
