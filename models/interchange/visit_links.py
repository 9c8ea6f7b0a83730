"""R34 (v1.1): what a file's nursing visits name must fit: each visit's order is its
patient's, and each MAR entry it links an infusion of that order, in the file or the
database (models/records/visits.py words the problems, as the services do)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models.interchange.format import Path
from models.records import registry
from models.records.tables import Infusion, Order
from models.records.visits import link_problems


def visit_link_errors(session: Session, doc: dict) -> list[tuple[Path, str]]:
    visits = doc.get(registry.NURSING_VISIT.collection)
    if not isinstance(visits, list) or not visits:
        return []
    order_patient = {o.get("id"): o.get("patient") for o in doc.get("orders", [])
                     if isinstance(o, dict)}
    entry_order = {e.get("id"): e.get("order") for e in doc.get("infusions", [])
                   if isinstance(e, dict)}
    orders = {v.get("order") for v in visits if isinstance(v, dict)} - order_patient.keys()
    if orders:
        order_patient.update(session.exec(select(Order.id, Order.patient_id).where(
            col(Order.id).in_([o for o in orders if isinstance(o, str)]))).all())
    named = {i for v in visits if isinstance(v, dict) for i in v.get("infusions", [])
             if isinstance(i, str)} - entry_order.keys()
    if named:
        entry_order.update(session.exec(select(Infusion.id, Infusion.order_id).where(
            col(Infusion.id).in_(named), Infusion.voided == False)).all())  # noqa: E712
    out: list[tuple[Path, str]] = []
    for i, item in enumerate(visits):
        if not isinstance(item, dict) or not isinstance(item.get("infusions", []), list):
            continue  # the schema's to report
        visit: Any = _Visit(item.get("patient"), item.get("order"),
                            [x for x in item.get("infusions", []) if isinstance(x, str)])
        for problem in link_problems(visit, order_patient.get(visit.order_id),
                                     {e: entry_order.get(e) for e in visit.infusions}):
            field = {"order_id": "order"}.get(problem.field, problem.field)
            out.append(((registry.NURSING_VISIT.collection, i, field), problem.problem))
    return out


class _Visit:
    def __init__(self, patient_id: Any, order_id: Any, infusions: list[str]):
        self.patient_id, self.order_id, self.infusions = patient_id, order_id, infusions
