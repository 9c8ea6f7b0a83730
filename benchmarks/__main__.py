"""PerDiem's speed at a real pharmacy's size: each operation beside a plain baseline, same run.

    python -m benchmarks [--sizes 30x5,300x5,300x1] [--runs N] [--out FILE.md] [--cache DIR]
                         [--db 300x5=FILE.sqlite] [--quick] [--no-gui]

For each size (patients x years) a seeded pharmacy is generated (benchmarks/generate.py) and
imported with the command line; every operation then runs in a fresh process, several times,
and the median is printed beside the median of its baseline (plain sqlite3, bare ReportLab)
measured in the same run, with the ratio and the peak memory of the process. See
docs/performance.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
LAUNCH = ROOT / "benchmarks" / "launch.py"
END = dt.date(2026, 11, 30)  # the last day generate.py writes (its default --end)
DEFAULT_SIZES = "30x5,300x5,300x1"


class BenchError(Exception):
    pass


# --- running one step in a fresh process ------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    note: str


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def spawn(cmd: list[str], *, internal: bool = False,
          note: Callable[[str], str] = lambda out: "", progress: bool = False) -> Sample:
    """Run `cmd` from the project folder; its wall time (or, with `internal`, the seconds the
    worker timed itself) and its peak resident memory, both taken by benchmarks/launch.py.
    With `progress`, what it prints on stderr shows as it goes."""
    with (tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err,
          tempfile.TemporaryDirectory() as tmp):
        report = Path(tmp) / "report.json"
        code = subprocess.call([PY, "-S", str(LAUNCH), str(report), *cmd], cwd=ROOT,
                               stdout=out, stderr=None if progress else err, env=_env())
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        figures = json.loads(report.read_text()) if report.exists() else {}
    if code != 0 or not figures:
        tail = "\n".join(stderr.strip().splitlines()[-6:])
        raise BenchError(f"{' '.join(cmd[1:])} exited with {code}:\n{tail}")
    rss = figures["maxrss_kb"] / 1024  # kilobytes on Linux
    if internal:
        result = json.loads(stdout.strip().splitlines()[-1])
        return Sample(result["seconds"], rss, result["note"])
    return Sample(figures["seconds"], rss, note(stdout))


def worker(op: str, db: Path, **options: object) -> list[str]:
    cmd = [PY, "-m", "benchmarks.worker", op, "--db", str(db)]
    for key, value in options.items():
        if value is True:
            cmd.append(f"--{key}")
        elif value not in (None, False):
            cmd += [f"--{key}", str(value)]
    return cmd


def perdiem_cli(db: Path, *args: object) -> list[str]:
    return [PY, str(ROOT / "main.py"), "--db", str(db), "--user", "benchmark",
            *(str(a) for a in args)]


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included), never writing to `src`."""
    remove_db(dst)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(dst)
    with target:
        source.backup(target)
    target.close()
    source.close()


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- figures ----------------------------------------------------------------------------------


def _seconds(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f} s ({value / 60:.1f} min)" if value >= 120 else f"{value:.0f} s"
    return f"{value:.2f} s" if value >= 1 else f"{value:.3f} s"


@dataclass
class Result:
    size: str
    label: str
    perdiem: list[Sample] = field(default_factory=list)
    baseline: list[Sample] = field(default_factory=list)
    skipped: str = ""  # why it was not measured

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.perdiem)

    @property
    def base_median(self) -> float:
        return statistics.median(s.seconds for s in self.baseline)

    @property
    def ratio(self) -> float:
        return self.median / self.base_median if self.base_median else float("inf")

    def cells(self) -> list[str]:
        if self.skipped:
            return [self.size, self.label, self.skipped, "", "", "", "", ""]
        p, b = self.perdiem, self.baseline
        spread = (f" ({_seconds(min(s.seconds for s in p))}-{_seconds(max(s.seconds for s in p))})"
                  if len(p) > 1 else "")
        return [self.size, self.label, _seconds(self.median) + spread, _seconds(self.base_median),
                f"{self.ratio:.1f}x", f"{max(s.rss_mb for s in p):,.0f} MB",
                f"{max(s.rss_mb for s in b):,.0f} MB",
                "; ".join(filter(None, [p[-1].note, b[-1].note and f"baseline {b[-1].note}"]))]

    def line(self) -> str:
        c = self.cells()
        if self.skipped:
            return f"{c[0]:<6} {c[1]:<44} {self.skipped}"
        return (f"{c[0]:<6} {c[1]:<44} {c[2]} | baseline {c[3]} | ratio {c[4]} | "
                f"peak {c[5]} (baseline {c[6]}) | {c[7]}")


HEADER = ["pharmacy", "operation", "PerDiem, median (min-max)", "baseline, median", "ratio",
          "peak RSS", "baseline peak RSS", "what"]


def markdown(results: list[Result], extra: list[str], runs: int, load: float) -> str:
    """The figures as a markdown table, headed by what they were measured on; `load` is the
    load average when the run began (another program's work shows in every figure)."""
    head = (f"Runs: {runs} per operation (median shown); {platform.python_implementation()} "
            f"{platform.python_version()}, {os.cpu_count()} cores, load average "
            f"{load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; "
            f"{time.strftime('%Y-%m-%d %H:%M')}, commit {_commit()}.\n\n")
    rows = [HEADER, ["---"] * len(HEADER), *(r.cells() for r in results)]
    table = "\n".join("| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows)
    tail = "\n\n" + "\n".join(f"    {line}" for line in extra) if extra else ""
    return head + table + tail + "\n"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- one pharmacy -----------------------------------------------------------------------------


def _month_before(day: dt.date) -> tuple[dt.date, dt.date]:
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


@dataclass
class Pharmacy:
    patients: int
    years: int
    seed: int
    cache: Path

    @property
    def name(self) -> str:
        return f"{self.patients}x{self.years}"

    def path(self, suffix: str) -> Path:
        return self.cache / f"p{self.patients}y{self.years}s{self.seed}{suffix}"

    @property
    def first_day(self) -> dt.date:
        return END.replace(year=END.year - self.years) + dt.timedelta(days=1)

    @property
    def month(self) -> tuple[dt.date, dt.date]:
        """The last whole month before the history ends (October 2026)."""
        return _month_before(END.replace(day=1))

    def busiest_patient(self, db: Path) -> str:
        """The patient with the most infusion entries in the month: the biggest packet."""
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        row = con.execute(
            "SELECT o.patient_id FROM infusion i JOIN orders o ON o.id = i.order_id "
            "WHERE i.voided = 0 AND i.date BETWEEN ? AND ? GROUP BY o.patient_id "
            "ORDER BY count(*) DESC, o.patient_id LIMIT 1",
            tuple(d.isoformat() for d in self.month)).fetchone()
        con.close()
        if row is None:
            raise BenchError(f"{self.name}: no infusion in {self.month[0]:%B %Y}")
        return row[0]


def _lines(out: str) -> str:
    return f"{max(len(out.splitlines()) - 1, 0):,} service days"


def _note(out: str) -> str:
    """The note a worker printed, for a step timed from outside (a whole process)."""
    return json.loads(out.strip().splitlines()[-1])["note"]


class Bench:
    def __init__(self, runs: int, cache: Path, prepared: dict[str, Path], gui: bool):
        self.runs, self.cache, self.prepared, self.gui = runs, cache, prepared, gui
        self.work = cache / "work"
        self.results: list[Result] = []
        self.extra: list[str] = []
        self.failed = False

    def say(self, text: str) -> None:
        print(text, flush=True)

    def measure(self, size: str, label: str, perdiem: Callable[[int], Sample],
                baseline: Callable[[int], Sample]) -> Result:
        """Each run: PerDiem, then its baseline, so both see the same machine."""
        result = Result(size, label)
        try:
            for i in range(self.runs):
                result.perdiem.append(perdiem(i))
                result.baseline.append(baseline(i))
        except BenchError as exc:
            self.failed = True
            result.skipped = "FAILED"
            self.say(f"{size:<6} {label:<44} FAILED: {exc}")
            self.results.append(result)
            return result
        self.results.append(result)
        self.say(result.line())
        return result

    # --- preparing ----------------------------------------------------------------------------

    def generate(self, ph: Pharmacy) -> Path:
        path = ph.path(".json")
        if not path.exists():
            self.say(f"{ph.name}: generating {path.name}")
            tmp = path.with_suffix(".part")
            spawn([PY, "-m", "benchmarks.generate", "--patients", str(ph.patients), "--years",
                   str(ph.years), "--seed", str(ph.seed), "--out", str(tmp)])
            tmp.replace(path)
        return path

    def imported(self, ph: Pharmacy, source: Path) -> Path:
        """The imported database, measuring the import against raw inserts of its rows."""
        db = ph.path(".sqlite")
        given = self.prepared.get(ph.name)
        if given is not None:
            if given.resolve() != db.resolve():  # e.g. --db 300x5=CACHE/p300y5s1.sqlite
                copy_db(given, db)
            self.results.append(Result(ph.name, "import, CLI",
                                       skipped=f"not measured: prepared database {given}"))
            self.say(self.results[-1].line())
        else:
            def perdiem(i: int) -> Sample:
                target = self.work / f"import-{i}.sqlite"
                remove_db(target)
                return spawn(perdiem_cli(target, "import", source), note=_imported)

            def baseline(i: int) -> Sample:
                target = self.work / f"raw-import-{i}.sqlite"
                remove_db(target)
                sample = spawn(worker("raw-import", self.work / f"import-{i}.sqlite", json=source,
                                      dst=target), internal=True)
                remove_db(target)
                return sample

            self.measure(ph.name, "import, CLI", perdiem, baseline)
            first = self.work / "import-0.sqlite"
            if not first.exists():
                raise BenchError(f"{ph.name}: the import failed, nothing to measure")
            copy_db(first, db)
            for i in range(self.runs):
                remove_db(self.work / f"import-{i}.sqlite")
        spawn(worker("open", db))  # any migration happens here, before anything is timed
        return db

    def with_claims(self, ph: Pharmacy, db: Path) -> Path:
        """A copy of the pharmacy that billed every month before the measured one (cached)."""
        claims_db = ph.path("-claims.sqlite")
        if claims_db.exists():  # made by an earlier run, maybe by older code: migrate it now
            spawn(worker("open", claims_db))
            return claims_db
        first, last = ph.first_day, ph.month[0] - dt.timedelta(days=1)
        self.say(f"{ph.name}: recording claims month by month, {first:%Y-%m} to {last:%Y-%m} "
                 f"(once; kept in {claims_db})")
        tmp = self.work / "claims-history.sqlite"
        copy_db(db, tmp)
        sample = spawn(worker("claim-history", tmp, **{"from": first, "to": last}),
                       internal=True, progress=True)
        self.say(f"{ph.name}: {sample.note} recorded in {_seconds(sample.seconds)}")
        copy_db(tmp, claims_db)
        remove_db(tmp)
        return claims_db

    # --- the operations -----------------------------------------------------------------------

    def pharmacy(self, ph: Pharmacy) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        source = self.generate(ph)
        db = self.imported(ph, source)
        claims_db = self.with_claims(ph, db)
        first, last = ph.month
        month = {"from": first, "to": last}
        history = {"from": ph.first_day, "to": END}
        patient = ph.busiest_patient(db)
        n = ph.name
        month_label = f"{first:%b %Y}"

        self.measure(
            n, f"billable days, one month ({month_label}), CLI",
            lambda i: spawn(perdiem_cli(db, "billable-days", "--from", first, "--to", last),
                            note=_lines),
            lambda i: spawn(worker("raw-billing", db, **month), note=_note))
        self.measure(
            n, "billable days, one month, in-process",
            lambda i: spawn(worker("billable-days", db, **month), internal=True),
            lambda i: spawn(worker("raw-billing", db, **month), internal=True))
        self.measure(
            n, f"billable days, all {ph.years} yr, CLI",
            lambda i: spawn(perdiem_cli(db, "billable-days", "--from", ph.first_day, "--to",
                                        END), note=_lines),
            lambda i: spawn(worker("raw-billing", db, **history), note=_note))
        self.measure(
            n, "month view data",
            lambda i: spawn(worker("month-view", db, **month), internal=True),
            lambda i: spawn(worker("raw-billing", db, claimed=True, **month), internal=True))
        self.measure(
            n, f"month view data, {ph.years} yr of claims on file",
            lambda i: spawn(worker("month-view", claims_db, **month), internal=True),
            lambda i: spawn(worker("raw-billing", claims_db, claimed=True, **month),
                            internal=True))
        for fmt, label in (("837p", "837P"), ("cms1500", "CMS-1500")):
            self.measure(
                n, f"claims for a month, {label}",
                lambda i, fmt=fmt: self._claims(db, fmt, month),
                lambda i: spawn(worker("raw-billing", db, claims=True, **month), internal=True))
        self.measure(
            n, "one patient's calendar month",
            lambda i: spawn(worker("patient-month", claims_db, patient=patient, **month),
                            internal=True),
            lambda i: spawn(worker("raw-billing", claims_db, patient=patient, claimed=True,
                                   **month), internal=True))
        self.measure(
            n, "one documentation packet",
            lambda i: spawn(worker("packet", db, patient=patient, **month), internal=True),
            lambda i: spawn(worker("raw-packet", db, patient=patient, **month), internal=True))
        self.gui_start(ph, claims_db)
        shutil.rmtree(self.work, ignore_errors=True)

    def _claims(self, db: Path, fmt: str, month: dict) -> Sample:
        """One export on a fresh copy, so every run drafts the same unclaimed month."""
        copy = self.work / "claims.sqlite"
        folder = self.work / "claims"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        copy_db(db, copy)
        try:
            return spawn(worker("claims", copy, format=fmt, dir=folder, **month), internal=True)
        finally:
            remove_db(copy)

    def gui_start(self, ph: Pharmacy, db: Path) -> None:
        """GUI cold start, by benchmarks/gui.py (its own baseline: a bare PySide6 window)."""
        if not self.gui:
            lines = ["skipped (--no-gui)"]
        elif not (ROOT / "benchmarks" / "gui.py").exists():
            lines = ["benchmarks/gui.py not present"]
        else:
            copy = self.work / "gui.sqlite"
            copy_db(db, copy)
            try:
                proc = subprocess.run([PY, "-m", "benchmarks.gui", "--db", str(copy), "--runs",
                                       str(self.runs)], cwd=ROOT, env=_env(), text=True,
                                      capture_output=True)
            finally:
                remove_db(copy)
            lines = proc.stdout.strip().splitlines()
            if proc.returncode != 0:
                self.failed = True
                lines.append(f"FAILED ({proc.returncode}): "
                             + " ".join(proc.stderr.strip().splitlines()[-3:]))
        for line in lines:
            self.extra.append(f"{ph.name} GUI: {line}")
            self.say(self.extra[-1])


def _imported(out: str) -> str:
    """The records an import reports ("Imported from F: payers 9, patients 300, ...")."""
    counts = re.findall(r" (\d+)(?=[,.])", out.partition(": ")[2])
    return f"{sum(int(n) for n in counts):,} records"


# --- command line -----------------------------------------------------------------------------


def _size(text: str) -> tuple[int, int]:
    try:
        patients, years = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a size like 300x5 '
                                         "(patients x years)") from None
    if patients < 1 or years < 1:
        raise argparse.ArgumentTypeError(f'"{text}": patients and years must be at least 1')
    return patients, years


def _prepared(text: str) -> tuple[str, Path]:
    size, sep, file = text.partition("=")
    if not sep or not Path(file).is_file():
        raise argparse.ArgumentTypeError(f'"{text}" is not SIZE=FILE with an existing file')
    p, y = _size(size)
    return f"{p}x{y}", Path(file)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help=f"patients x years, comma separated "
                    f"(default {DEFAULT_SIZES})")
    ap.add_argument("--runs", type=int, default=None,
                    help="runs of each operation, median shown (default 3; 1 with --quick)")
    ap.add_argument("--out", type=Path, help="also write the table (markdown) to this file")
    ap.add_argument("--cache", type=Path, help="keep generated and prepared pharmacies here "
                    "(default: a temporary folder, removed at the end)")
    ap.add_argument("--db", dest="prepared", type=_prepared, action="append", default=[],
                    metavar="SIZE=FILE", help="use this imported database for SIZE instead of "
                    "importing (it is copied, never changed; the import is then not measured)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="30x5 only, one run")
    ap.add_argument("--no-gui", dest="gui", action="store_false",
                    help="leave out the GUI cold start (benchmarks/gui.py)")
    args = ap.parse_args(argv)
    sizes = [_size(s) for s in (args.sizes or ("30x5" if args.quick else DEFAULT_SIZES))
             .split(",")]
    runs = args.runs or (1 if args.quick else 3)
    if runs < 1:
        ap.error("--runs must be at least 1")

    load = os.getloadavg()[0]
    cache = args.cache or Path(tempfile.mkdtemp(prefix="perdiem-bench-"))
    cache.mkdir(parents=True, exist_ok=True)
    bench = Bench(runs, cache.resolve(), dict(args.prepared), args.gui)
    try:
        for patients, years in sizes:
            ph = Pharmacy(patients, years, args.seed, bench.cache)
            try:
                bench.pharmacy(ph)
            except BenchError as exc:
                bench.failed = True
                bench.say(f"{ph.name}: FAILED: {exc}")
    finally:
        if args.cache is None:
            shutil.rmtree(cache, ignore_errors=True)
    table = markdown(bench.results, bench.extra, runs, load)
    print("\n" + table, end="")
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
