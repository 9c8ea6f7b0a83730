"""R25 on import: entries a form would save only with a note are imported all the same (they
are history) and listed as warnings with their JSON paths: a dose over twice the order's plain
dose or a completed entry with dose 0 (`dose-out-of-range`), a second administered entry for
the same order and date (`duplicate-entry`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, select

from models.interchange.format import format_path
from models.records import registry
from models.records.sanity import entry_warnings
from models.records.tables import Infusion, Order
from models.vocab import ADMINISTERED


def _order(o: dict) -> SimpleNamespace:
    return SimpleNamespace(dose=o.get("dose"), drug_dose_unit=(o.get("drug") or {}).get(
        "dose_unit"), frequency=o.get("frequency"))


def import_warnings(session: Session, doc: dict) -> list[str]:
    """`path: problem (code)` for each entry of a checked document R25 would question, in the
    file's order; an entry is compared with the entries already in the database and those
    before it in the file."""
    orders = {o["id"]: _order(o) for o in doc.get(registry.ORDER.collection, [])}
    entries = doc.get(registry.INFUSION.collection, [])
    stored = {e["order"] for e in entries} - orders.keys()
    seen: dict[tuple[str, str], list[Any]] = defaultdict(list)
    if stored:
        for row in session.exec(select(Order).where(Order.id.in_(sorted(stored)))).all():
            orders[row.id] = row
        for rid, order_id, day, status in session.execute(
                select(Infusion.id, Infusion.order_id, Infusion.date, Infusion.status).where(
                    Infusion.order_id.in_(sorted(stored)),
                    Infusion.voided == False)).all():  # noqa: E712
            seen[(order_id, day.isoformat())].append(
                SimpleNamespace(id=rid, date=day, status=status))
    out: list[str] = []
    for i, e in enumerate(entries):
        if e["status"] not in ADMINISTERED:
            continue
        dose = e.get("dose_given")
        entry = SimpleNamespace(id=e["id"], date=dt.date.fromisoformat(e["date"]),
                                status=e["status"],
                                dose_given=None if dose is None else Decimal(str(dose)))
        key = (e["order"], e["date"])
        for w in entry_warnings(orders[e["order"]], entry, seen[key]):
            out.append(f"{format_path((registry.INFUSION.collection, i, w.field))}: {w.words}")
        seen[key].append(entry)
    return out
