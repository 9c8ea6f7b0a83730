"""Import and export of interchange files (and other long writes) with a progress dialog.

The work runs on a pool thread (an import as a ui.shell.ops.WriteOp, an export as a read in
ui.shell.workers); the GUI stays responsive.
Cancelling rolls the transaction back, so a cancelled import changes nothing, and a cancelled
export writes no file. An import reports its steps (reading, checking, writing N of M records)
to the dialog, and Cancel stops it at the next step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.errors import DomainError, ImportRejected
from models.words import plural
from ui import save_folder
from ui.common import show_error
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp
from ui.shell.workers import run_in_background

FILE_FILTER = "PerDiem interchange files (*.json);;All files (*)"


class Cancelled(Exception):
    """The user cancelled; raised inside the transaction so it rolls back."""


class ProgressJob(QObject):
    """One long job with a progress dialog. `fn(session)` runs off the GUI thread: a write
    (`writes=True`: an import, the demo data) as a `WriteOp` that announces every kind of
    record, or else a read (an export). When the user cancels, a write is rolled back once `fn`
    returns.

    With `reports=True`, `fn(session, report)` is given `report(progress)` to call with each
    step (a `models.interchange.read.Progress`): the dialog shows it, and once the user has
    cancelled, `report` raises `Cancelled`, which stops the work there and rolls it back."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()
    progressed = Signal(object)  # a step the work reported (a models.interchange.read.Progress)

    def __init__(self, ctx: AppContext, parent: QWidget | None, title: str, label: str,
                 fn: Callable[..., Any], *, writes: bool = True,
                 cancelled: threading.Event | None = None, reports: bool = False,
                 describe: Callable[[Any], str] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._cancelled = cancelled or threading.Event()
        self.progress = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setMinimumWidth(380)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self._on_cancel_clicked)
        self.progress.rejected.connect(self._on_cancel_clicked)  # Esc
        self.progress.show()
        self._describe = describe or (lambda _p: label)
        self.progressed.connect(self._on_progressed)  # queued: emitted on the pool thread

        def _work(session: Session) -> Any:
            result = fn(session, self.report) if reports else fn(session)
            if self._cancelled.is_set():
                raise Cancelled()
            return result

        if writes:
            self.task = WriteOp(ctx, _work, touches_all=True).run_in_background(
                receiver=self, on_result=self._on_done, on_error=self._on_error)
        else:
            self.task = run_in_background(ctx, _work, receiver=self, on_result=self._on_done,
                                          on_error=self._on_error)

    @property
    def done(self) -> bool:
        return self.task.done

    def report(self, progress: Any) -> None:
        """Called by the work on its own thread: show the step, or stop if cancelled."""
        if self._cancelled.is_set():
            raise Cancelled()
        self.progressed.emit(progress)

    @Slot(object)
    def _on_progressed(self, p: Any) -> None:
        if self._cancelled.is_set() or self.task.done:
            return
        self.progress.setLabelText(self._describe(p))
        if p.phase == "writing" and p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        else:  # reading and checking have no steps worth counting: a busy bar
            self.progress.setRange(0, 0)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self._cancelled.is_set() or self.task.done:
            return
        self._cancelled.set()
        self.progress.setLabelText("Cancelling… nothing will be changed.")
        self.progress.setCancelButton(None)
        self.progress.show()

    def _on_done(self, result: Any) -> None:
        self.progress.close()
        self.succeeded.emit(result)
        self.finished.emit()

    def _on_error(self, exc: Exception) -> None:
        self.progress.close()
        self.failed.emit(exc)
        self.finished.emit()


class ImportErrorsDialog(QDialog):
    """Every problem found in a refused file, one per line, with its place in the file."""

    def __init__(self, errors: list[str], path: Path | None, parent: QWidget | None = None,
                 *, warnings: bool = False):
        """`warnings`: the file was imported; the lines are what R25 questions in it."""
        super().__init__(parent)
        self.setWindowTitle("Imported with warnings" if warnings else "Import refused")
        self.resize(760, 420)
        count = len(errors)
        where = f" {path.name}" if path else ""
        s = "s" if count != 1 else ""
        header = QLabel(
            f"<b>The file{where} was imported.</b> {count} infusion entr{'ies' if s else 'y'} "
            "would need a note if typed in a form (R25): look at each (its place in the file "
            "is named) and correct or annotate it in the MAR." if warnings else
            f"<b>The file{where} was not imported.</b> Nothing in the database was changed.<br>"
            f"Correct the {count} problem{s} below in the file "
            "(each names its place in the file) and import it again.", self)
        header.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("importErrors")
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.addItems(errors)
        copy = QPushButton("&Copy all", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        layout.addWidget(header)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText("\n".join(errors)))
        buttons.rejected.connect(self.reject)

    def errors(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


def describe_import(name: str) -> Callable[[Any], str]:
    """What the import dialog says at each step."""

    def words(p: Any) -> str:
        if p.phase == "reading":
            return f"Reading {name}…"
        if p.phase == "checking":
            return f"Checking {p.total:,} records…"
        return f"Writing records: {p.done:,} of {p.total:,}"
    return words


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n]
    return ", ".join(parts) or "nothing new"


class ImportExport(QObject):
    """The File menu's Import… and Export…; remembers the dialogs it opened (for tests)."""

    imported = Signal(dict)
    import_refused = Signal(list)
    exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget):
        super().__init__(parent)
        self.ctx = ctx
        self.window = parent
        self.job: ProgressJob | None = None
        self.errors_dialog: ImportErrorsDialog | None = None
        self.status: Callable[[str], None] = lambda _text: None

    # --- import ---------------------------------------------------------------------------

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import interchange file",
                                              str(save_folder.export_folder()), FILE_FILTER)
        if path:
            save_folder.remember(path)
            self.start_import(Path(path))

    def start_import(self, path: Path) -> ProgressJob:
        actor = self.ctx.actor
        self.warnings: list[str] = []  # R25: what the import lists without refusing
        self.import_path = path

        def _import(session: Session, report: Callable[[Any], None]) -> dict[str, int]:
            from models.interchange import read

            try:  # read off the GUI thread too: a large file takes seconds to parse
                doc = read.read_file(path, progress=report)
            except (OSError, DomainError) as exc:
                raise ImportRejected([str(exc)]) from exc
            return read.import_document(session, actor=actor, doc=doc, progress=report,
                                        warnings=self.warnings, source=path.name)

        self.job = ProgressJob(self.ctx, self.window, "Import", f"Importing {path.name}…",
                               _import, reports=True, describe=describe_import(path.name))
        self.job.succeeded.connect(self._on_imported)
        self.job.failed.connect(lambda exc: self._on_import_failed(exc, path))
        return self.job

    @Slot(object)
    def _on_imported(self, counts: dict[str, int]) -> None:
        self.status(f"Imported {_summary(counts)}."
                    + (f" {plural(len(self.warnings), 'warning')}." if self.warnings else ""))
        if self.warnings:
            self.errors_dialog = ImportErrorsDialog(self.warnings, self.import_path,
                                                    self.window, warnings=True)
            self.errors_dialog.open()
        self.imported.emit(counts)

    def _on_import_failed(self, exc: Exception, path: Path) -> None:
        if isinstance(exc, Cancelled):
            self.status("Import cancelled; nothing was changed.")
        elif isinstance(exc, ImportRejected):
            self._show_refused(exc.errors, path)
        else:
            show_error(self.window, exc, "Not imported")

    def _show_refused(self, errors: list[str], path: Path | None) -> None:
        self.errors_dialog = ImportErrorsDialog(errors, path, self.window)
        self.errors_dialog.open()
        self.status("Import refused; nothing was changed.")
        self.import_refused.emit(errors)

    # --- export ---------------------------------------------------------------------------

    def ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export interchange file",
                                              save_folder.suggested("perdiem-export.json"),
                                              FILE_FILTER)
        if path:
            save_folder.remember(path)
            self.start_export(Path(path))

    def start_export(self, path: Path) -> ProgressJob:
        stop = threading.Event()

        def _export(session: Session) -> str:
            from models.interchange import write

            doc = write.export_document(session, actor=self.ctx.actor)
            if stop.is_set():
                raise Cancelled()
            write.write_file(path, doc)  # never leaves a half-written export behind
            return str(path)

        self.job = ProgressJob(self.ctx, self.window, "Export", f"Exporting to {path.name}…",
                               _export, writes=False, cancelled=stop)
        self.job.succeeded.connect(self._on_exported)
        self.job.failed.connect(self._on_export_failed)
        return self.job

    @Slot(object)
    def _on_exported(self, path: str) -> None:
        from models.security import audit
        from ui.shell.signin import record_event

        record_event(self.ctx, audit.EXPORT, detail=Path(path).name)
        self.status(f"Exported to {path}.")
        self.exported.emit(path)

    @Slot(object)
    def _on_export_failed(self, exc: Exception) -> None:
        if isinstance(exc, Cancelled):
            self.status("Export cancelled; no file was written.")
        elif isinstance(exc, OSError | DomainError):
            QMessageBox.warning(self.window, "Not exported", f"The file was not written.\n\n{exc}")
        else:
            show_error(self.window, exc, "Not exported")
