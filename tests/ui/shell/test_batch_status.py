"""The status bar names every file a saved claim batch wrote (an 837P is one file per payer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models.claims.batches import ClaimPreview, ExportResult
from ui.shell.window_commands import batch_status


def result(batch_id, *names):
    return ExportResult(preview=ClaimPreview("837p", dt.date(2026, 10, 1),
                                                dt.date(2026, 10, 31), []), batch_id=batch_id,
                        paths=[Path("/claims") / n for n in names])


def test_one_file_is_named_whole():
    assert batch_status(result(3, "oct.csv")) == "Claim batch 3 saved to /claims/oct.csv."


def test_every_per_payer_837p_file_is_named():
    line = batch_status(result(4, "oct-BPP01.837", "oct-WIMCD.837", "oct-NWH22.837"))
    assert line == ("Claim batch 4 saved as 3 files (one per payer) in /claims: "
                    "oct-BPP01.837, oct-WIMCD.837, oct-NWH22.837.")


def test_nothing_saved():
    assert batch_status(result(None)) == "No claim was saved."
