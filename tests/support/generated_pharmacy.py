"""A generated pharmacy (benchmarks.generate) written straight into a test database.

The interchange import validates and versions every record one by one, which the billing
tests do not need and cannot wait for; this writes the same records in one bulk insert per
table. It also makes the data harder for the rules than the generator does: overlapping
authorizations (R13 chains that carry units from one to the next), authorizations with
fewer units (R6), and some voided records of every kind.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, select, update

from benchmarks.generate import generate
from models.db import unit_of_work
from models.records.tables import (
    Authorization,
    CareNote,
    Coverage,
    Delivery,
    Infusion,
    Order,
    Patient,
    Payer,
    Pharmacy,
    PlanOfCare,
    PrepNote,
    Prescriber,
)

D = dt.date.fromisoformat
RECORDED = dt.datetime(2026, 11, 30, 12, 0)


def _address(a: dict) -> dict[str, Any]:
    return {"address_line1": a["line1"], "address_line2": a.get("line2"), "city": a["city"],
            "state": a["state"], "zip": a["zip"]}


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def harder(doc: dict, rng: random.Random) -> dict:
    """Overlapping and shorter authorizations added to a generated document."""
    extra = []
    for a in doc["authorizations"]:
        end = D(a["end_date"])
        if rng.random() < 0.5:  # a renewal that starts before the last one ends: a chain
            start = end - dt.timedelta(days=rng.randint(0, 25))
            extra.append({**a, "id": a["id"] + "-x", "number": a["number"] + "X",
                          "start_date": start.isoformat(),
                          "end_date": (start + dt.timedelta(days=rng.randint(5, 70))).isoformat(),
                          "units": rng.randint(1, 40)})
        if rng.random() < 0.2:  # fewer units than days: R6 until the next one starts
            a["units"] = max(1, a["units"] - rng.randint(1, 30))
    doc["authorizations"] += extra
    return doc


def write_generated(engine: Engine, patients: int, years: int, seed: int,
                    void_share: float = 0.03) -> dict:
    """Generate a pharmacy, make it harder, write it into `engine`'s database; the document."""
    rng = random.Random(seed)
    doc = harder(generate(patients, years, seed), rng)

    def meta() -> dict[str, Any]:
        voided = rng.random() < void_share
        return {"version": 2 if voided else 1, "recorded_by": "generator",
                "recorded_at": RECORDED, "voided": voided,
                "void_reason": "entered in error" if voided else None}

    p = doc["pharmacy"]
    rows: list[tuple[type, list[dict[str, Any]]]] = [
        (Pharmacy, [{"id": 1, "name": p["name"], "npi": p["npi"], "tax_id": p["tax_id"],
                     "taxonomy": p.get("taxonomy"), "phone": p.get("phone"),
                     **_address(p["address"])}]),
        (Payer, [{"id": x["id"], "name": x["name"], "payer_id": x["payer_id"],
                  "kind": x["kind"], "requires_prior_auth": x["requires_prior_auth"],
                  "per_diem_modifiers": x.get("per_diem_modifiers", [])}
                 for x in doc["payers"]]),
        (Prescriber, [{k: x.get(k) for k in ("id", "first_name", "last_name", "npi", "phone")}
                      for x in doc["prescribers"]]),
        (Patient, [{"id": x["id"], "first_name": x["first_name"], "last_name": x["last_name"],
                    "birth_date": D(x["birth_date"]), "sex": x["sex"], "phone": x.get("phone"),
                    **_address(x["address"])} for x in doc["patients"]]),
        (Coverage, [{"patient_id": x["id"], "position": i, "payer_id": c["payer"],
                     "member_id": c["member_id"], "group_number": c.get("group_number"),
                     "priority": c["priority"], "start_date": D(c["start_date"]),
                     "end_date": D(c["end_date"]) if c.get("end_date") else None,
                     "relationship": "self"}
                    for x in doc["patients"] for i, c in enumerate(x["coverages"])]),
        (Order, [{"id": x["id"], "patient_id": x["patient"], "prescriber_id": x["prescriber"],
                  "per_diem_code": x["per_diem_code"], "drug_name": x["drug"]["name"],
                  "drug_ndc": x["drug"].get("ndc"), "drug_hcpcs": x["drug"].get("hcpcs"),
                  "drug_hcpcs_unit_amount": _money(x["drug"].get("hcpcs_unit_amount")),
                  "drug_dose_unit": x["drug"].get("dose_unit"),
                  "drug_unit_charge": _money(x["drug"].get("unit_charge")),
                  "dose": x.get("dose"), "route": x.get("route"),
                  "frequency": x.get("frequency"), "diagnosis_codes": x["diagnosis_codes"],
                  "start_date": D(x["start_date"]),
                  "end_date": D(x["end_date"]) if x.get("end_date") else None,
                  "discontinued_date": (D(x["discontinued_date"])
                                        if x.get("discontinued_date") else None),
                  "signed_date": D(x["signed_date"]) if x.get("signed_date") else None,
                  "per_diem_rate": _money(x.get("per_diem_rate")), **meta()}
                 for x in doc["orders"]]),
        (PlanOfCare, [{"id": x["id"], "order_id": x["order"], "start_date": D(x["start_date"]),
                       "end_date": D(x["end_date"]), "summary": x.get("summary"), **meta()}
                      for x in doc["plans_of_care"]]),
        (Authorization, [{"id": x["id"], "patient_id": x["patient"], "payer_id": x["payer"],
                          "number": x["number"], "code": x["code"],
                          "start_date": D(x["start_date"]), "end_date": D(x["end_date"]),
                          "units": x["units"]} for x in doc["authorizations"]]),
        (PrepNote, [{"id": x["id"], "order_id": x["order"], "date": D(x["date"]),
                     "pharmacist": x["pharmacist"], "lot": x.get("lot"),
                     "beyond_use_date": D(x["beyond_use_date"]), **meta()}
                    for x in doc["prep_notes"]]),
        (Delivery, [{"id": x["id"], "order_id": x["order"], "date": D(x["date"]),
                     "method": x.get("method"), **meta()} for x in doc["deliveries"]]),
        (Infusion, [{"id": x["id"], "order_id": x["order"], "date": D(x["date"]),
                     "start_time": _time(x.get("start_time")),
                     "end_time": _time(x.get("end_time")), "status": x["status"],
                     "setting": x["setting"], "dose_given": _money(x.get("dose_given")),
                     "administered_by": x.get("administered_by"), "notes": x.get("notes"),
                     **meta()} for x in doc["infusions"]]),
        (CareNote, [{"id": x["id"], "patient_id": x["patient"], "date": D(x["date"]),
                     "author": x["author"], "contact": x.get("contact"), "text": x["text"],
                     **meta()} for x in doc["care_notes"]]),
    ]
    with unit_of_work(engine) as session:
        for table, values in rows:
            if values:
                session.execute(insert(table.__table__), values)
    return doc


def name_lots(engine: Engine, seed: int, share: float = 0.4) -> int:
    """R28 on a written pharmacy: beyond-use hours on some preparation notes, and on a share
    of the infusion entries the lot they were given from: mostly a note covering the day,
    some a note of the order that does not, a few another order's or one not on file. The
    number of entries that name a lot."""
    rng = random.Random(seed)
    inf, pn = Infusion.__table__, PrepNote.__table__
    with unit_of_work(engine) as session:
        notes = session.execute(select(pn.c.id, pn.c.order_id, pn.c.date,
                                       pn.c.beyond_use_date)).all()
        for note_id, *_ in notes:
            if rng.random() < 0.3:
                session.execute(update(pn).where(pn.c.id == note_id).values(
                    beyond_use_time=dt.time(rng.randrange(24), rng.choice((0, 30)))))
        by_order: dict[str, list] = {}
        for note in notes:
            by_order.setdefault(note.order_id, []).append(note)
        named = 0
        for entry_id, order_id, day in session.execute(
                select(inf.c.id, inf.c.order_id, inf.c.date).order_by(inf.c.id)).all():
            own = by_order.get(order_id, [])
            if rng.random() >= share or not own:
                continue
            covering = [n for n in own if n.date <= day <= n.beyond_use_date]
            pick = rng.random()
            if covering and pick < 0.7:
                lot = rng.choice(covering).id
            elif pick < 0.9:
                lot = rng.choice(own).id
            elif pick < 0.95:
                lot = rng.choice(notes).id
            else:
                lot = "rx-not-on-file"
            session.execute(update(inf).where(inf.c.id == entry_id).values(prep_note=lot))
            named += 1
    return named
