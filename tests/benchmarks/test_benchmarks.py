"""The benchmark harness's plumbing on a tiny pharmacy: every operation runs and prints a ratio.

No timing is asserted (figures vary with the machine); the speed itself is in
docs/performance.md.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support import ROOT

OPERATIONS = [
    "import, CLI",
    "billable days, one month (Oct 2026), CLI",
    "billable days, one month, in-process",
    "billable days, all 1 yr, CLI",
    "month view data",
    "month view data, 1 yr of claims on file",
    "claims for a month, 837P",
    "claims for a month, CMS-1500",
    "one patient's calendar month",
    "one documentation packet",
]
FIGURES = re.compile(r"(?P<perdiem>[\d.,]+) s \| baseline (?P<base>[\d.,]+) s \| "
                     r"ratio (?P<ratio>[\d.]+)x \| peak (?P<rss>[\d,]+) MB \(baseline [\d,]+ MB\)"
                     r" \| (?P<what>.*)")


def test_every_operation_prints_figures_beside_its_baseline(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "table.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--sizes", "2x1", "--runs", "1", "--cache",
         str(cache), "--out", str(out), "--no-gui"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    lines = {}
    for line in proc.stdout.splitlines():
        for op in OPERATIONS:
            if line.startswith(f"2x1    {op} ") and FIGURES.search(line):
                lines[op] = FIGURES.search(line)
    assert sorted(lines) == sorted(OPERATIONS), proc.stdout
    assert all(float(m["ratio"]) > 0 and int(m["rss"].replace(",", "")) > 0
               for m in lines.values())
    assert "2x1 GUI: skipped (--no-gui)" in proc.stdout

    # The CLI and the in-process call answer the same question: the same number of days.
    days = {op: re.match(r"([\d,]+) service days", lines[op]["what"]) for op in
            ("billable days, one month (Oct 2026), CLI", "billable days, one month, in-process",
             "month view data")}
    assert all(days.values()), lines
    assert len({m.group(1) for m in days.values()}) == 1
    assert int(days["month view data"].group(1)) > 0
    assert re.match(r"[1-9]\d* claims, 0 refused", lines["claims for a month, 837P"]["what"])

    # The table written with --out has one row per operation, and the prepared pharmacies stay
    # in the cache for the next run.
    table = out.read_text(encoding="utf-8")
    assert all(f"| 2x1 | {op} |" in table for op in OPERATIONS), table
    assert (cache / "p2y1s1.json").is_file() and (cache / "p2y1s1-claims.sqlite").is_file()
