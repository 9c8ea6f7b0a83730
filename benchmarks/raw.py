"""Baselines: what the same work costs with plain sqlite3 (and bare ReportLab), no PerDiem code.

Each reader fetches exactly the rows PerDiem's rules need for a window, as a hand-written
program would: the window's infusions, their orders, the plans of care, preparation notes and
deliveries that can cover the window, the care notes of the 29 days before it (R12), the
patients' coverages, the payers, the authorizations covering the window, and for R13 the
earlier infusion entries since the earliest start of those authorizations.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

CARE_NOTE_DAYS = 29  # R12 looks back 30 days including the service date
Rows = list[sqlite3.Row]


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return con


def _ids(values: Any) -> str:
    """A list of ids as one JSON parameter, read in SQL with json_each."""
    return json.dumps(sorted(set(values)))


IN = "IN (SELECT value FROM json_each(?))"


def billing_rows(con: sqlite3.Connection, start: dt.date, end: dt.date,
                 patient_id: str | None = None) -> dict[str, Rows]:
    """The rows the billing rules read for [start, end], by table."""
    s, e = start.isoformat(), end.isoformat()
    mine = " AND order_id IN (SELECT id FROM orders WHERE patient_id = ?)" if patient_id else ""
    extra = (patient_id,) if patient_id else ()
    q = con.execute
    out: dict[str, Rows] = {}
    out["infusion"] = q(f"SELECT * FROM infusion WHERE voided = 0 AND date BETWEEN ? AND ?{mine}",
                        (s, e, *extra)).fetchall()
    orders = _ids(r["order_id"] for r in out["infusion"])
    out["orders"] = q(f"SELECT * FROM orders WHERE voided = 0 AND id {IN}", (orders,)).fetchall()
    patients = _ids(r["patient_id"] for r in out["orders"])
    out["patient"] = q(f"SELECT * FROM patient WHERE id {IN}", (patients,)).fetchall()
    out["coverage"] = q(f"SELECT * FROM coverage WHERE patient_id {IN} ORDER BY position",
                        (patients,)).fetchall()
    out["payer"] = q("SELECT * FROM payer").fetchall()
    out["plan_of_care"] = q(f"SELECT * FROM plan_of_care WHERE voided = 0 AND order_id {IN} "
                            "AND start_date <= ? AND end_date >= ?", (orders, e, s)).fetchall()
    out["prep_note"] = q(f"SELECT * FROM prep_note WHERE voided = 0 AND order_id {IN} "
                         "AND date <= ? AND beyond_use_date >= ?", (orders, e, s)).fetchall()
    since = min([s, *(r["date"] for r in out["prep_note"])])  # R10: from the preparation on
    out["delivery"] = q(f"SELECT * FROM delivery WHERE voided = 0 AND order_id {IN} "
                        "AND date BETWEEN ? AND ?", (orders, since, e)).fetchall()
    notes_from = (start - dt.timedelta(days=CARE_NOTE_DAYS)).isoformat()
    out["care_note"] = q(f"SELECT * FROM care_note WHERE voided = 0 AND patient_id {IN} "
                         "AND date BETWEEN ? AND ?", (patients, notes_from, e)).fetchall()
    out["authorization"] = q(f'SELECT * FROM "authorization" WHERE patient_id {IN} '
                             "AND start_date <= ? AND end_date >= ?",
                             (patients, e, s)).fetchall()
    # R13 counts units from each authorization's start: the earlier days of those patients.
    out["earlier_infusion"] = []
    if out["authorization"]:
        first = min(r["start_date"] for r in out["authorization"])
        auth_patients = _ids(r["patient_id"] for r in out["authorization"])
        out["earlier_infusion"] = q(
            "SELECT * FROM infusion WHERE voided = 0 AND date >= ? AND date < ? AND order_id IN "
            f"(SELECT id FROM orders WHERE voided = 0 AND patient_id {IN})",
            (first, s, auth_patients)).fetchall()
        known = {r["id"] for r in out["orders"]}
        earlier = _ids(r["order_id"] for r in out["earlier_infusion"]
                       if r["order_id"] not in known)
        out["earlier_order"] = q(f"SELECT * FROM orders WHERE id {IN}", (earlier,)).fetchall()
    return out


def claimed_rows(con: sqlite3.Connection, start: dt.date, end: dt.date,
                 patient_id: str | None = None) -> Rows:
    """The claimed days of [start, end] with their claim and batch, replaced claims left out."""
    mine = " AND c.patient_id = ?" if patient_id else ""
    return con.execute(
        "SELECT cd.order_id, cd.date, c.*, b.created_at, b.format, b.file_name AS batch_file "
        "FROM claim_day cd JOIN claim c ON c.id = cd.claim_id "
        "JOIN claim_batch b ON b.id = c.batch_id WHERE cd.date BETWEEN ? AND ?"
        f"{mine} AND c.id NOT IN (SELECT replaces_claim_id FROM claim "
        "WHERE replaces_claim_id IS NOT NULL)",
        (start.isoformat(), end.isoformat(), *((patient_id,) if patient_id else ())),
    ).fetchall()


def count(rows: dict[str, Rows]) -> int:
    return sum(len(v) for v in rows.values())


def read_billing(db: Path, start: dt.date, end: dt.date, patient_id: str | None = None,
                 claimed: bool = False, claims: bool = False) -> str:
    """The billing rows of a window (with `claimed`, its claimed days; with `claims`, also what
    a claim draft prints: prescribers and the pharmacy). Returns a note for the report."""
    with connect(db) as con:
        rows = billing_rows(con, start, end, patient_id)
        if claimed or claims:
            rows["claimed"] = claimed_rows(con, start, end, patient_id)
        if claims:
            rows["prescriber"] = con.execute("SELECT * FROM prescriber").fetchall()
            rows["pharmacy"] = con.execute("SELECT * FROM pharmacy").fetchall()
    con.close()
    return f"{count(rows):,} rows"


# --- a bare ReportLab document with the packet's tables ----------------------------------------


def packet(db: Path, patient_id: str, start: dt.date, end: dt.date) -> bytes:
    """The packet's tables (service days, orders, plans, preparations, MAR, deliveries, care
    notes) from plain queries, laid out by ReportLab with its default styles."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    with connect(db) as con:
        rows = billing_rows(con, start, end, patient_id)
        rows["prescriber"] = con.execute(
            f"SELECT * FROM prescriber WHERE id {IN}",
            (_ids(r["prescriber_id"] for r in rows["orders"]),)).fetchall()
        patient = con.execute("SELECT * FROM patient WHERE id = ?", (patient_id,)).fetchone()
        pharmacy = con.execute("SELECT * FROM pharmacy").fetchone()
    con.close()
    styles = getSampleStyleSheet()
    cell, head = styles["BodyText"], styles["Heading2"]

    def table(title: str, columns: list[str], items: Rows) -> list:
        data = [[Paragraph(escape(c), cell) for c in columns]]
        data += [[Paragraph(escape("" if r[c] is None else str(r[c])), cell) for c in columns]
                 for r in items]
        return [Paragraph(title, head), Table(data, repeatRows=1)]

    story: list = [Paragraph(escape(pharmacy["name"]), styles["Title"]),
                   Paragraph(escape(f"{patient['last_name']}, {patient['first_name']}"), head)]
    days = sorted({(r["date"], r["order_id"]) for r in rows["infusion"]})
    story += [Paragraph("Service days", head),
              Table([["Date", "Order"], *[list(d) for d in days]], repeatRows=1), PageBreak()]
    for o in rows["orders"]:
        fields = ["id", "prescriber_id", "per_diem_code", "per_diem_rate", "drug_name",
                  "drug_ndc", "drug_hcpcs", "drug_unit_charge", "dose", "route", "frequency",
                  "diagnosis_codes", "start_date", "end_date", "discontinued_date",
                  "signed_date", "notes", "recorded_by"]
        story += [Paragraph(escape(f"Order {o['id']}"), head),
                  Table([[f, Paragraph(escape(str(o[f] or "")), cell)] for f in fields])]
    story += table("Plans of care", ["id", "order_id", "start_date", "end_date", "signed_date",
                                     "summary", "recorded_by"], rows["plan_of_care"])
    story += table("Preparation notes", ["id", "order_id", "date", "pharmacist", "compounding",
                                         "dur", "lot", "beyond_use_date"], rows["prep_note"])
    story += table("MAR", ["date", "id", "start_time", "end_time", "status", "setting",
                           "dose_given", "administered_by", "site", "notes"], rows["infusion"])
    story += table("Deliveries", ["id", "order_id", "date", "method", "items", "received_by",
                                  "recorded_by"], rows["delivery"])
    story += table("Care notes", ["date", "id", "author", "contact", "text"], rows["care_note"])
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=letter).build(story)
    return out.getvalue()


# --- raw inserts of the same rows an import writes ---------------------------------------------


def read_all(db: Path) -> tuple[list[str], dict[str, tuple[list[str], list[tuple]]]]:
    """A database's schema statements and every row of every table, to insert elsewhere."""
    with connect(db) as con:
        schema = [r[0] for r in con.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY type = 'index', rowid")]
        tables: dict[str, tuple[list[str], list[tuple]]] = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite_%'").fetchall():
            cur = con.execute(f'SELECT * FROM "{name}"')
            tables[name] = ([d[0] for d in cur.description], [tuple(r) for r in cur])
    con.close()
    return schema, tables


def insert_all(dst: Path, json_file: Path, schema: list[str],
               tables: dict[str, tuple[list[str], list[tuple]]]) -> int:
    """Parse the interchange file (as the import must), create the schema and executemany every
    row in one transaction, with PerDiem's journal settings. Returns the rows written."""
    json.loads(json_file.read_text(encoding="utf-8"))
    con = sqlite3.connect(dst)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    written = 0
    with con:
        for statement in schema:
            con.execute(statement)
        for name, (columns, rows) in tables.items():
            marks = ", ".join("?" * len(columns))
            con.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
            written += len(rows)
    con.close()
    return written
