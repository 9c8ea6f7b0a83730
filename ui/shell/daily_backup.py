"""The day's backup of the open database, taken in the background once the window is up.

Copying and fully checking five years of a 300-patient pharmacy takes over a second
(docs/performance.md); the command line takes the copy as it opens the file, the GUI after its
first paint, so the window never waits for it. What it finds is said on the window: the copy
taken (status bar), a copy that could not be written (a warning: the pharmacy should know it
has no backup today), or damage the quick check at open did not see (the damage, the newest
good backup and how to restore it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from models import db
from ui.shell.workers import run_in_background


def start_daily_backup(window, path: Path | None):
    """Take today's copy of `path` off the GUI thread (nothing for a server database, or
    when today's copy exists); the task, or None."""
    if path is None:
        return None

    def failed(exc: Exception) -> None:
        if isinstance(exc, db.DatabaseDamaged):
            QMessageBox.critical(window, "PerDiem: the database is damaged",
                                 f"{exc}\n\nClose PerDiem and restore the backup before going on: "
                                 "what is saved in a damaged file may be lost.")
        else:  # BackupFailed, or the disk refused (OSError)
            QMessageBox.warning(window, "PerDiem: no backup today",
                                f"Today's backup of {path} could not be taken: {exc}\n\n"
                                "Your work is saved as usual; free some disk space or check "
                                "the backup folder, then restart PerDiem to try again.")

    def done(made: Path | None) -> None:
        if made is not None:
            window.show_status(f"Today's backup was taken: {made.name}.")

    return run_in_background(window.ctx, lambda _s: db.take_daily_backup(path),
                             receiver=window, on_result=done, on_error=failed)
