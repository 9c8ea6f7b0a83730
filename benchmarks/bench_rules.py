"""Benchmark of the billing rules: prints how long evaluate() takes on a large pharmacy.

Run: .venv/bin/python benchmarks/bench_rules.py [--patients N] [--days N]
Figures only; no test asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.rules import BillingData, evaluate  # noqa: E402
from models.tables import (  # noqa: E402
    AuthorizationRead,
    CareNoteRead,
    CoverageRead,
    DeliveryRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PlanOfCareRead,
    PrepNoteRead,
)


def build(patients: int, days: int) -> BillingData:
    start = dt.date(2026, 1, 1)
    payer = PayerRead(id="bcx", name="Blue", payer_id="BPP01", kind="commercial",
                      requires_prior_auth=True)
    data = BillingData(payers={"bcx": payer}, patients={}, orders=[], infusions=[])
    for p in range(patients):
        pid = f"p-{p}"
        data.patients[pid] = PatientRead(
            id=pid, first_name="A", last_name=f"P{p}", birth_date=dt.date(1960, 1, 1), sex="F",
            address_line1="1 Main", city="Peoria", state="IL", zip="61604",
            coverages=[CoverageRead(payer_id="bcx", member_id="X", start_date=start)])
        for k in range(2):  # two concurrent therapies each
            oid = f"o-{p}-{k}"
            data.orders.append(OrderRead(
                id=oid, patient_id=pid, prescriber_id="dr", per_diem_code="S9338",
                drug_name="IVIG", diagnosis_codes=["D80.1"], start_date=start,
                signed_date=start, per_diem_rate=Decimal(150 - k)))
            data.plans_of_care.append(PlanOfCareRead(
                id=f"poc-{oid}", order_id=oid, start_date=start,
                end_date=start + dt.timedelta(days=days)))
            data.authorizations.append(AuthorizationRead(
                id=f"pa-{oid}", patient_id=pid, payer_id="bcx", number="PA", code="S9338",
                start_date=start, end_date=start + dt.timedelta(days=days), units=days))
            for week in range(0, days, 7):
                day = start + dt.timedelta(days=week)
                data.prep_notes.append(PrepNoteRead(
                    id=f"rx-{oid}-{week}", order_id=oid, date=day, pharmacist="R",
                    beyond_use_date=day + dt.timedelta(days=6)))
                data.deliveries.append(DeliveryRead(id=f"d-{oid}-{week}", order_id=oid,
                                                    date=day))
            for d in range(days):
                data.infusions.append(InfusionRead(
                    id=f"m-{oid}-{d}", order_id=oid, date=start + dt.timedelta(days=d),
                    status="completed", start_time=dt.time(9), end_time=dt.time(10),
                    dose_given=Decimal(100), administered_by="RN"))
        for week in range(0, days, 14):
            data.care_notes.append(CareNoteRead(
                id=f"cn-{pid}-{week}", patient_id=pid, date=start + dt.timedelta(days=week),
                author="J", text="call"))
    return data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=100)
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    data = build(args.patients, args.days)
    t0 = time.perf_counter()
    rows = evaluate(data)
    t1 = time.perf_counter()
    month = evaluate(data, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    t2 = time.perf_counter()
    print(f"service days: {len(rows)}; infusion entries: {len(data.infusions)}")
    print(f"evaluate, all days:        {t1 - t0:8.3f} s ({len(rows) / (t1 - t0):,.0f} days/s)")
    print(f"evaluate, one month asked: {t2 - t1:8.3f} s ({len(month)} rows)")


if __name__ == "__main__":
    main()
