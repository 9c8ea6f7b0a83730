"""Runs one benchmark step in a fresh process and prints {"seconds", "note"} as one JSON line.

    python -m benchmarks.worker billable-days --db F.sqlite --from 2026-10-01 --to 2026-10-31

PerDiem steps open the database first (not timed, as the app opens it once at start) and time
one unit of work. Baseline steps (raw-*) import no PerDiem code. The parent reads the peak
memory of this process from the operating system.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import raw


def _timed(step: Callable[[], str]) -> dict:
    t0 = time.perf_counter()
    note = step()
    return {"seconds": time.perf_counter() - t0, "note": note}


def _perdiem(args: argparse.Namespace, call: Callable[..., str], *extra) -> dict:
    from models.db import open_database, unit_of_work

    engine = open_database(f"sqlite:///{args.db}")

    def step() -> str:
        with unit_of_work(engine) as session:
            return call(session, *extra)

    return _timed(step)


def run(args: argparse.Namespace) -> dict:
    op = args.op
    window = (args.start, args.end)
    if op.startswith("raw-"):
        if op == "raw-billing":
            return _timed(lambda: raw.read_billing(args.db, *window, args.patient,
                                                   claimed=args.claimed, claims=args.claims))
        if op == "raw-packet":
            import reportlab.platypus  # noqa: F401 - loaded before timing, as PerDiem's is
            return _timed(lambda: f"{len(raw.packet(args.db, args.patient, *window)) // 1024:,}"
                          " KB")
        if op == "raw-import":
            schema, tables = raw.read_all(args.db)
            return _timed(lambda: f"{raw.insert_all(args.dst, args.json, schema, tables):,} rows")
        raise SystemExit(f"unknown step {op}")

    from benchmarks import calls

    if op == "open":  # migrate once before anything is timed
        from models.db import open_database

        open_database(f"sqlite:///{args.db}").dispose()
        return {"seconds": 0.0, "note": "opened"}
    if op == "billable-days":
        return _perdiem(args, calls.billable_days, *window)
    if op == "month-view":
        return _perdiem(args, calls.month_view, *window)
    if op == "patient-month":
        return _perdiem(args, calls.patient_month, args.patient, *window)
    if op == "claims":
        return _perdiem(args, calls.export_claims, *window, args.format, args.dir)
    if op == "packet":
        return _perdiem(args, calls.packet, args.patient, *window)
    if op == "claim-history":
        from models.db import open_database

        engine = open_database(f"sqlite:///{args.db}")
        months, first = [], args.start
        while first <= args.end:
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            months.append((first, nxt - dt.timedelta(days=1)))
            first = nxt
        return _timed(lambda: f"{calls.record_claim_history(engine, months):,} claims")
    raise SystemExit(f"unknown step {op}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("op")
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    ap.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    ap.add_argument("--patient")
    ap.add_argument("--format", choices=("837p", "cms1500", "csv"))
    ap.add_argument("--dir", type=Path, help="folder for claim files")
    ap.add_argument("--claimed", action="store_true", help="raw-billing: also claimed days")
    ap.add_argument("--claims", action="store_true", help="raw-billing: all a claim reads")
    ap.add_argument("--json", type=Path, help="raw-import: the interchange file")
    ap.add_argument("--dst", type=Path, help="raw-import: the database to write")
    print(json.dumps(run(ap.parse_args(argv))), flush=True)


if __name__ == "__main__":
    main()
