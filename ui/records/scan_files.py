"""Scanned documents from the desktop: choosing files (dialog or drop), attaching them through
`WriteOp` as the acting user, and opening a stored scan in the system viewer.

The checks (type read from the content, size, empty file) are `models.records.attachments`';
here a file is only read, at most one byte more than the limit so a wrong 2 GB file is never
loaded whole, and each refusal is shown naming the file and its problem. Each file is its own
write: a refused file saves nothing, the others are kept.

A scan is opened from a copy only its owner can read (0600, in a 0700 folder made once per run
and removed when the app ends): the viewer gets a file, never the database.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from models.errors import DomainError
from models.records import attachments
from models.records.attachments import AttachmentFile
from models.records.tables import AttachmentRead
from models.security.access import clinical_read
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

SCAN_FILTER = "Scans (*.pdf *.png *.jpg *.jpeg *.PDF *.PNG *.JPG *.JPEG);;All files (*)"
MEDIA_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


@dataclass(frozen=True)
class Target:
    """What a scan is attached to: the patient, or one of the patient's orders, plans of care
    or deliveries (`kind`: a registry key of a kind taking attachments)."""

    patient_id: str
    kind: str = "patient"
    record_id: str | None = None


def documents_folder() -> str:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs or str(Path.home())


def choose_scans(parent: QWidget | None, title: str = "Attach scan") -> list[Path]:
    """The files picked in the file dialog (PDF, PNG, JPEG), starting in Documents."""
    names, _filter = QFileDialog.getOpenFileNames(parent, title, documents_folder(),
                                                  SCAN_FILTER)
    return [Path(n) for n in names if n]


def read_scan(path: Path) -> bytes:
    """The file's bytes, at most one more than the limit (the service refuses a larger one);
    an unreadable file is a DomainError naming it."""
    try:
        with path.open("rb") as f:
            return f.read(attachments.MAX_BYTES + 1)
    except IsADirectoryError:
        raise DomainError(f"{path.name} is a folder, not a file") from None
    except OSError as exc:
        raise DomainError(f"{path.name} could not be read ({exc.strerror or exc})") from None


def attach_files(ctx: AppContext, parent: QWidget | None, paths: Iterable[Path],
                 target: Target, description: str | None = None) -> list[AttachmentRead]:
    """Attach each file to `target` in its own write; tell the user about those refused,
    naming each file and its problem. Returns what was saved."""
    saved: list[AttachmentRead] = []
    refused: list[str] = []
    for path in paths:
        try:
            content = read_scan(path)
            saved.append(WriteOp(ctx, lambda s, p=path, c=content: attachments.add_attachment(
                s, actor=ctx.actor, patient_id=target.patient_id, filename=p.name, content=c,
                record_kind=target.kind, record_id=target.record_id,
                description=description)).run())
        except DomainError as exc:
            refused.append(_problem_of(path, exc))
    if refused:
        head = ("This file was not attached:" if len(refused) == 1
                else f"{len(refused)} files were not attached:")
        tail = f"\n\n{len(saved)} other file{'s were' if len(saved) != 1 else ' was'} " \
               "attached." if saved else ""
        QMessageBox.warning(parent, "Not attached", head + "\n\n" + "\n".join(
            f"• {line}" for line in refused) + tail)
    return saved


def _problem_of(path: Path, exc: DomainError) -> str:
    """One line naming the file and its problem (the service's own words name it too)."""
    text = getattr(exc, "problem", None) or str(exc)
    return text if path.name in text else f"{path.name}: {text}"


def local_files(mime: QMimeData) -> list[Path]:
    """The local files in a drag (other URLs, text, folders' contents are not files)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class FileDrop(QObject):
    """Lets files be dropped on `widget` (a table's viewport, a panel): drops of local files are
    accepted and handed to `on_drop(paths, event)`; anything else is refused."""

    def __init__(self, widget: QWidget, on_drop: Callable[[list[Path], QDropEvent], None]
                 ) -> None:
        super().__init__(widget)
        self._on_drop = on_drop
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDragMoveEvent)
            if local_files(event.mimeData()):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            paths = local_files(event.mimeData())
            if not paths:
                event.ignore()
                return True
            event.acceptProposedAction()
            self._on_drop(paths, event)
            return True
        return False


# --- viewing ------------------------------------------------------------------------------

_view_folder: Path | None = None


def _private_folder() -> Path:
    global _view_folder
    if _view_folder is None or not _view_folder.is_dir():
        _view_folder = Path(tempfile.mkdtemp(prefix="perdiem-scans-"))  # mode 0700
        atexit.register(shutil.rmtree, _view_folder, True)
    return _view_folder


def private_copy(file: AttachmentFile) -> Path:
    """A copy of the scan only this user can read, named after it (attachment id first, so two
    scans of one name never meet)."""
    name = Path(file.info.filename).name or "scan"
    path = _private_folder() / f"{file.info.id}-{name}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(file.content)
    os.chmod(path, 0o600)  # an older copy of the same name keeps no wider mode
    return path


def open_attachment(ctx: AppContext, parent: QWidget | None, attachment_id: int) -> Path | None:
    """Open the stored scan in the system viewer (from a private copy); a scan whose bytes no
    longer match its SHA-256 is not opened: the user is told to attach the original again."""
    try:
        file = ctx.read(clinical_read(ctx.actor,
                                      lambda s: attachments.load_file(s, attachment_id)))
    except DomainError as exc:
        QMessageBox.warning(parent, "Cannot open", str(exc))
        return None
    if not file.intact:
        QMessageBox.warning(
            parent, "Scan damaged",
            f"The stored copy of {file.info.filename} no longer matches the SHA-256 recorded "
            "when it was attached, so it is not opened and packets leave it out. Attach the "
            "original again.")
        return None
    path = private_copy(file)
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        QMessageBox.warning(parent, "Cannot open",
                            f"No program on this computer opened {file.info.filename}. "
                            f"A copy is at {path}.")
    return path


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def media_name(media_type: str) -> str:
    return MEDIA_NAMES.get(media_type, media_type)
