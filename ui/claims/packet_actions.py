"""GUI actions that make documentation packets: one claim's (from the claim in the billing
calendar's day panel), one patient's for a period, or every patient's for a month.

The packets are made on a pool thread in their own session (ui.shell.workers) behind a progress
dialog; then the user can open the PDF in the system viewer or print it through the system
print dialog (pages rendered by PDFium from the pypdfium2 wheel, see `print_pages`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget
from sqlmodel import Session

from models.billing.claim_packet import find_claim, load_claim_packet_data
from models.billing.packet_data import load_packet_data, month_period, patients_with_service_days
from models.records import reference
from reports.packet import claim_packet_filename, packet_filename, render_packet, write_pdf
from ui import save_folder
from ui.common import show_error
from ui.shell.workers import run_in_background

PDF_FILTER = "PDF documents (*.pdf)"


def default_folder() -> Path:
    """Where packets are saved: the last export folder, else ~/Documents/PerDiem."""
    return save_folder.export_folder()


def open_in_viewer(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


PRINT_DPI = 300  # sharp on paper; a letter page is then about 25 MB while it prints


def print_pdf(parent: QWidget | None, path: Path) -> bool:
    """Print a PDF through the system print dialog; False when the user cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setResolution(PRINT_DPI)
    printer.setDocName(path.name)
    printer.setFullPage(True)  # the packet has its own margins; print it at its true size
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print packet")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    print_pages(printer, path)
    return True


def print_pages(printer: Any, path: Path) -> int:
    """Paint every page of the PDF on `printer` (rendered by PDFium, which ships inside the
    pypdfium2 wheel: Qt's own PDF module is not part of pyside6-essentials); returns the
    number of pages printed."""
    import pypdfium2 as pdfium
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage, QPainter

    document = pdfium.PdfDocument(str(path))
    painter = QPainter(printer)
    try:
        for index in range(len(document)):
            if index:
                printer.newPage()
            page = document[index]
            target = painter.viewport()
            width_pt, height_pt = page.get_size()
            scale = min(target.width() / width_pt, target.height() / height_pt)
            bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB, printer pixels
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_RGB888)
            painter.drawImage(QRect(0, 0, bitmap.width, bitmap.height), image)
        return len(document)
    finally:
        painter.end()
        document.close()


class PacketJob(QObject):
    """Packets made off the GUI thread behind a cancellable progress dialog.

    `work(session, step, cancelled)` makes the files and returns what `on_done` shows;
    `step(done, label)` may be called from the worker thread to move the progress bar.
    """

    stepped = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None, title: str, total: int,
                 work: Callable[[Session, Callable[[int, str], None], threading.Event], Any]):
        super().__init__(parent)
        self.parent_widget = parent
        self.cancelled = threading.Event()
        self.result: Any = None
        self.error: Exception | None = None
        self.message: QMessageBox | None = None  # what the user is shown at the end
        self.progress = QProgressDialog("Collecting the records...", "Cancel", 0, total, parent)
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setMinimumWidth(420)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self._on_cancel_clicked)
        self.stepped.connect(self._on_stepped)
        self.progress.show()
        self.task = run_in_background(
            ctx, lambda s: work(s, self.stepped.emit, self.cancelled),
            receiver=self, on_result=self._on_done, on_error=self._on_error)

    @property
    def done(self) -> bool:
        return self.task.done

    @Slot(int, str)
    def _on_stepped(self, done: int, label: str) -> None:
        if not self.cancelled.is_set():
            self.progress.setValue(done)
            self.progress.setLabelText(label)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self.task.done or self.cancelled.is_set():
            return
        self.cancelled.set()
        self.progress.setLabelText("Cancelling after the packet being made...")
        self.progress.setCancelButton(None)
        self.progress.show()

    def _on_done(self, result: Any) -> None:
        self.progress.close()
        self.result = result
        self.succeeded.emit(result)
        self.finished.emit()

    def _on_error(self, exc: Exception) -> None:
        self.progress.close()
        self.error = exc
        show_error(self.parent_widget, exc, "No packet")
        self.failed.emit(exc)
        self.finished.emit()

    def show_message(self, box: QMessageBox) -> None:
        """Show the closing message without blocking (tests find it as `message`)."""
        self.message = box
        box.open()


def _offer_open_or_print(job: PacketJob, path: Path) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "Packet ready",
                      f"The packet was saved as\n{path}", parent=job.parent_widget)
    open_button = box.addButton("&Open", QMessageBox.ButtonRole.AcceptRole)
    print_button = box.addButton("&Print...", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(open_button)
    print_button.setToolTip("Print the packet through the system print dialog")

    def clicked(button) -> None:
        if button is open_button:
            open_in_viewer(path)
        elif button is print_button:
            print_pdf(job.parent_widget, path)

    box.buttonClicked.connect(clicked)
    job.show_message(box)


def make_packet(ctx: Any, parent: QWidget | None, patient_id: str, start: dt.date,
                end: dt.date, path: Path | None = None) -> PacketJob | None:
    """Make one patient's packet for [start, end]; asks where to save it unless `path` is
    given. Returns the running job, or None when the user cancelled the file dialog."""
    try:
        patient = ctx.read(lambda s: reference.get_patient(s, patient_id))
    except Exception as exc:
        show_error(parent, exc, "No packet")
        return None
    if path is None:
        path = ask_pdf_path(parent, "Save documentation packet",
                            packet_filename(patient, start, end))
        if path is None:
            return None
    path = Path(path)
    actor = ctx.actor

    def work(session: Session, step, cancelled: threading.Event) -> Path | None:
        data = load_packet_data(session, patient_id=patient_id, start=start, end=end,
                                prepared_by=actor, created_at=_now())
        step(0, f"Laying out the packet for {patient.display_name}...")
        content = render_packet(data)
        if cancelled.is_set():
            return None
        write_pdf(content, path)
        return path

    job = PacketJob(ctx, parent, "Documentation packet", 0, work)

    def done(result: Path | None) -> None:
        if result is not None:
            record_packet(ctx, patient_id, result)
            _offer_open_or_print(job, result)

    job.succeeded.connect(done)
    return job



def ask_pdf_path(parent: QWidget | None, title: str, name: str) -> Path | None:
    """Where to save a PDF: the save dialog in the last folder used (or Documents/PerDiem),
    `name` suggested; ".pdf" added when missing. None when the user cancelled."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(default_folder() / name),
                                                  PDF_FILTER)
    if not chosen:
        return None
    path = Path(chosen)
    save_folder.remember(path)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

def record_packet(ctx: Any, patient_id: str, path: Path, detail: str = "") -> None:
    """A packet saved, in the audit trail (issue 12): who, which patient, which file."""
    from models.security import audit
    from ui.shell.signin import record_event

    record_event(ctx, audit.PACKET, patient_id=patient_id, detail=f"{path.name}{detail}")


def make_claim_packet(ctx: Any, parent: QWidget | None, claim: str,
                      path: Path | None = None) -> PacketJob | None:
    """Make the packet of the claim sent as `claim` (CLM01), its evidence as it stood when the
    claim was made; asks where to save it unless `path` is given. Returns the running job, or
    None when the user cancelled the file dialog."""
    try:
        patient = ctx.read(lambda s: reference.get_patient(s, find_claim(s, claim).patient_id))
    except Exception as exc:
        show_error(parent, exc, "No packet")
        return None
    if path is None:
        path = ask_pdf_path(parent, f"Save the packet of claim {claim}",
                            claim_packet_filename(patient, claim))
        if path is None:
            return None
    path = Path(path)
    actor = ctx.actor

    def work(session: Session, step, cancelled: threading.Event) -> Path | None:
        data = load_claim_packet_data(session, claim=claim, prepared_by=actor,
                                      created_at=_now())
        step(0, f"Laying out the packet of claim {claim}...")
        content = render_packet(data)
        if cancelled.is_set():
            return None
        write_pdf(content, path)
        return path

    job = PacketJob(ctx, parent, f"Packet of claim {claim}", 0, work)

    def done(result: Path | None) -> None:
        if result is not None:
            record_packet(ctx, patient.id, result, f", claim {claim}")
            _offer_open_or_print(job, result)

    job.succeeded.connect(done)
    return job


def make_month_packets(ctx: Any, parent: QWidget | None, year: int, month: int,
                       folder: Path | None = None) -> PacketJob | None:
    """One packet per patient with service days in the month, written into a folder the
    user picks (unless `folder` is given); cancelling keeps the packets already written."""
    start, end = month_period(year, month)
    try:
        patient_ids = ctx.read(lambda s: patients_with_service_days(s, start, end))
    except Exception as exc:
        show_error(parent, exc, "No packets")
        return None
    label = start.strftime("%B %Y")
    if not patient_ids:
        QMessageBox.information(parent, "No packets",
                                f"No patient has a service day in {label}.")
        return None
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(
            parent, f"Folder for the {label} packets", str(default_folder()))
        if not chosen:
            return None
        folder = Path(chosen)
        save_folder.remember(folder / "x")
    folder = Path(folder)
    actor = ctx.actor
    created = _now()

    def work(session: Session, step, cancelled: threading.Event) -> dict:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: the user's only
        written: list[Path] = []
        patients: list[str] = []
        for i, patient_id in enumerate(patient_ids):
            if cancelled.is_set():
                break
            data = load_packet_data(session, patient_id=patient_id, start=start, end=end,
                                    prepared_by=actor, created_at=created)
            step(i, f"Packet {i + 1} of {len(patient_ids)}: {data.patient.display_name}")
            path = folder / packet_filename(data, start, end)
            write_pdf(render_packet(data), path)
            written.append(path)
            patients.append(patient_id)
        return {"written": written, "patients": patients, "cancelled": cancelled.is_set()}

    job = PacketJob(ctx, parent, f"Packets for {label}", len(patient_ids), work)

    def done(result: dict) -> None:
        for patient_id, path in zip(result["patients"], result["written"], strict=True):
            record_packet(ctx, patient_id, path)
        n = len(result["written"])
        what = f"{n} packet{'s' if n != 1 else ''}"
        verb = "was" if n == 1 else "were"
        text = (f"Cancelled: {what} of {len(patient_ids)} {verb} written to\n{folder}"
                if result["cancelled"] else f"{what} for {label} {verb} written to\n{folder}")
        box = QMessageBox(QMessageBox.Icon.Information, f"Packets for {label}", text,
                          parent=parent)
        open_folder = box.addButton("&Open folder", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.buttonClicked.connect(
            lambda b: open_in_viewer(folder) if b is open_folder else None)
        job.show_message(box)

    job.succeeded.connect(done)
    return job


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)
