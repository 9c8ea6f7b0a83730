"""Benchmark of PerDiem's everyday work on the demo pharmacy: prints seconds for each step.

Run: .venv/bin/python benchmarks/bench_app.py [--seed N]
Uses a temporary database; figures only, no test asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import demo, interchange, services  # noqa: E402
from models.claim_batches import export_claims  # noqa: E402
from models.db import open_database, unit_of_work  # noqa: E402
from models.packet_data import load_packet_data  # noqa: E402
from reports.claim_files import renderer  # noqa: E402
from reports.packet import render_packet  # noqa: E402

TODAY = dt.date(2026, 11, 27)
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@contextmanager
def timed(label: str):
    t0 = time.perf_counter()
    yield
    print(f"{label:<44}{time.perf_counter() - t0:8.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = open_database(f"sqlite:///{folder / 'bench.sqlite'}")
        with timed("demo data (25 patients, 3 months)"), unit_of_work(engine) as s:
            demo.load_demo(s, actor="bench", seed=args.seed, today=TODAY)
        with timed("billable days, whole pharmacy, October"), unit_of_work(engine) as s:
            days = services.billable_days(s, *OCT)
        with timed("billable days, one patient, October"), unit_of_work(engine) as s:
            services.billable_days(s, *OCT, patient_id=days[0].patient_id)
        with timed("export to interchange JSON"), unit_of_work(engine) as s:
            doc = interchange.export_document(s)
        empty = open_database(f"sqlite:///{folder / 'empty.sqlite'}")
        with timed("import of that export into an empty db"), unit_of_work(empty) as s:
            interchange.import_document(s, actor="bench", doc=doc)
        with timed("documentation packet, one patient, October"), unit_of_work(engine) as s:
            data = load_packet_data(s, patient_id=days[0].patient_id, start=OCT[0], end=OCT[1],
                                    prepared_by="bench", created_at=dt.datetime(2026, 11, 27))
            pages = render_packet(data)
        with timed("837P claims batch, October"), unit_of_work(engine) as s:
            result = export_claims(s, actor="bench", start=OCT[0], end=OCT[1], fmt="837p",
                                   out=folder / "oct.837", render=renderer("837p"))
        print(f"({len(days)} service days in October; packet {len(pages):,} bytes; "
              f"{len(result.written)} claims written)")


if __name__ == "__main__":
    main()
