"""GUI tests of scanned documents (issue 10 item 7): attaching with the file dialog and by
dropping files, refusals naming the file and its problem, opening a scan from a private copy,
voiding with a reason, and the packet read back with pypdf (the attached scan in, the void one
out). Only Qt's static dialogs and QDesktopServices.openUrl are replaced; the database, the
services and the PDF reader are real."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from reportlab.pdfgen.canvas import Canvas

from models.billing.packet_data import load_packet_data
from models.db import unit_of_work
from models.records import attachments, reference, registry
from models.records.tables import PharmacyBase
from reports.packet import render_packet
from tests.support.gui_record_data import PATIENT, build_records
from tests.support.gui_wait import settle
from ui.forms import kit
from ui.records import scan_files
from ui.records.attachment_model import AttachmentsModel
from ui.records.documents_tab import DocumentsTab
from ui.records.orders_tab import OrdersTab
from ui.shell.context import AppContext

NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def ctx(engine, db_url, qtbot):
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


@pytest.fixture
def tab(ctx, qtbot):
    tab = DocumentsTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    tab.show()
    tab.set_patient(PATIENT)
    settle(qtbot)
    return tab


@pytest.fixture
def warnings(monkeypatch):
    """What QMessageBox.warning would have shown (title, text), instead of a modal box."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, title, text, *a: shown.append((title, text)))
    return shown


def scan_pdf(path: Path, text: str) -> Path:
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())
    return path


def scan_png(path: Path) -> Path:
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    path.write_bytes(bytes(buffer.data()))
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def on_file(engine, include_voided=True):
    """The patient's attachments read through the service in a fresh session."""
    with unit_of_work(engine) as s:
        return attachments.list_attachments(s, PATIENT, include_voided=include_voided)


def pick_files(monkeypatch, *paths: Path) -> list[tuple]:
    """Replace only QFileDialog's static call: it 'returns' `paths`; records its arguments."""
    asked: list[tuple] = []

    def fake(*args):
        asked.append(args)
        return [str(p) for p in paths], scan_files.SCAN_FILTER
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", fake)
    return asked


def drop(widget, paths: list[Path], pos: QPoint) -> tuple[bool, bool]:
    """Drag local files onto `widget` at `pos` and drop them: (drag accepted, drop accepted)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return enter.isAccepted(), event.isAccepted()


def test_attach_scan_from_the_scans_list_saves_it_as_the_user_with_its_sha256(
        tab, engine, qtbot, tmp_path, monkeypatch, warnings):
    scan = scan_pdf(tmp_path / "signed order.pdf", "SIGNED ORDER SCAN")
    asked = pick_files(monkeypatch, scan)
    tab.show_section("attachment")
    panel = tab.scans
    assert panel.choose_target("order", "o-1")

    qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)

    assert asked[0][2] == scan_files.documents_folder()  # starts in Documents
    assert "*.pdf" in asked[0][3] and "*.png" in asked[0][3] and "*.jpeg" in asked[0][3]
    [saved] = on_file(engine)
    assert (saved.filename, saved.media_type, saved.size, saved.sha256) == (
        "signed order.pdf", "application/pdf", scan.stat().st_size, sha(scan))
    assert (saved.record_kind, saved.record_id, saved.added_by) == ("order", "o-1", "Jia Lee")
    assert warnings == []
    settle(qtbot)
    assert panel.model.rowCount() == 1
    assert panel.selected().id == saved.id  # the new scan is selected, its details shown
    details = panel.details.text()
    assert saved.sha256 in details and "Jia Lee" in details and "order o-1" in details
    assert tab.sections.tabText(5) == "Scans (1)"  # after the nursing visits


def test_attach_scan_on_a_plan_of_care_and_an_order_attaches_to_the_selected_record(
        ctx, tab, engine, qtbot, tmp_path, monkeypatch, warnings):
    plan_scan = scan_png(tmp_path / "plan.png")
    pick_files(monkeypatch, plan_scan)
    tab.show_section(registry.PLAN_OF_CARE)
    scans = tab.record_scans[registry.PLAN_OF_CARE]
    assert not scans.button.isEnabled()  # nothing selected yet
    tab.panels[registry.PLAN_OF_CARE].select("poc-1")
    qtbot.mouseClick(scans.button, Qt.MouseButton.LeftButton)

    orders = OrdersTab(ctx)
    qtbot.addWidget(orders)
    orders.set_patient(PATIENT)
    settle(qtbot)
    order_scan = scan_pdf(tmp_path / "order.pdf", "ORDER")
    pick_files(monkeypatch, order_scan)
    orders.panel.select("o-1")
    qtbot.mouseClick(orders.scans.button, Qt.MouseButton.LeftButton)

    assert [(a.filename, a.media_type, a.record_kind, a.record_id, a.added_by)
            for a in on_file(engine)] == [
        ("plan.png", "image/png", "plan_of_care", "poc-1", "Jia Lee"),
        ("order.pdf", "application/pdf", "order", "o-1", "Jia Lee")]
    assert warnings == []


def test_refused_files_are_named_with_their_problem_and_nothing_of_them_is_saved(
        tab, engine, qtbot, tmp_path, monkeypatch, warnings):
    not_a_scan = tmp_path / "notes.pdf"
    not_a_scan.write_text("just text, named like a PDF")
    empty = tmp_path / "blank.jpg"
    empty.write_bytes(b"")
    too_big = tmp_path / "huge.pdf"
    with too_big.open("wb") as f:  # a real PDF header, then more than the limit (sparse)
        f.write(b"%PDF-1.4\n")
        f.truncate(attachments.MAX_BYTES + 10)
    missing = tmp_path / "gone.png"
    good = scan_pdf(tmp_path / "good.pdf", "GOOD")
    pick_files(monkeypatch, not_a_scan, empty, too_big, missing, good)
    tab.show_section("attachment")

    qtbot.mouseClick(tab.scans.attach_button, Qt.MouseButton.LeftButton)

    [(title, text)] = warnings
    assert title == "Not attached"
    assert "4 files were not attached" in text
    assert "notes.pdf is not a PDF, PNG or JPEG file" in text  # the type, from the content
    assert "blank.jpg is empty" in text
    assert "huge.pdf is larger than 25 MB" in text
    assert "gone.png could not be read (No such file or directory)" in text
    assert "1 other file was attached" in text
    assert [a.filename for a in on_file(engine)] == ["good.pdf"]


def test_files_dropped_on_a_delivery_row_attach_to_that_delivery(
        tab, engine, qtbot, tmp_path, warnings):
    tab.show_section(registry.DELIVERY)
    panel = tab.panels[registry.DELIVERY]
    assert panel.selected_record() is None
    row = panel.view.visualRect(panel.proxy.index(0, 0)).center()
    receipt = scan_png(tmp_path / "delivery receipt.png")
    slip = scan_pdf(tmp_path / "packing slip.pdf", "SLIP")

    accepted = drop(panel.view.viewport(), [receipt, slip], row)

    assert accepted == (True, True)
    assert [(a.filename, a.record_kind, a.record_id, a.added_by) for a in on_file(engine)] == [
        ("delivery receipt.png", "delivery", "d-1", "Jia Lee"),
        ("packing slip.pdf", "delivery", "d-1", "Jia Lee")]
    assert panel.selected_id() == "d-1"
    assert warnings == []


def test_a_drop_of_no_files_is_refused_and_a_drop_on_the_scans_list_uses_attach_to(
        tab, engine, qtbot, tmp_path, warnings):
    tab.show_section("attachment")
    viewport = tab.scans.view.viewport()
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert not enter.isAccepted()

    assert tab.scans.choose_target("patient", None)
    card = scan_png(tmp_path / "insurance card.png")
    assert drop(viewport, [card], QPoint(20, 20)) == (True, True)

    [saved] = on_file(engine)
    assert (saved.filename, saved.record_kind, saved.record_id) == (
        "insurance card.png", "patient", PATIENT)
    assert warnings == []


def test_open_gives_the_viewer_a_private_copy_with_the_same_sha256(
        ctx, tab, engine, qtbot, tmp_path, monkeypatch, warnings):
    scan = scan_pdf(tmp_path / "consent.pdf", "CONSENT")
    tab.scans.attach([scan])
    settle(qtbot)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    tab.scans.select(on_file(engine)[0].id)

    qtbot.mouseClick(tab.scans.open_button, Qt.MouseButton.LeftButton)

    [url] = opened
    copy = Path(url.toLocalFile())
    assert copy.name.endswith("consent.pdf") and copy.parent != tmp_path
    assert sha(copy) == sha(scan) == on_file(engine)[0].sha256
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600  # only this user can read it
    assert stat.S_IMODE(os.stat(copy.parent).st_mode) == 0o700
    assert warnings == []


def test_void_attachment_asks_why_keeps_it_on_file_struck_and_out_of_the_packet(
        tab, engine, qtbot, tmp_path, monkeypatch, warnings):
    """The packet of November read back with pypdf: the kept scan's page and name are in it,
    the void scan is in neither the index nor the pages."""
    kept = scan_pdf(tmp_path / "kept order.pdf", "KEPT-SCAN-4417")
    wrong = scan_pdf(tmp_path / "wrong patient.pdf", "VOIDED-SCAN-9023")
    tab.show_section("attachment")
    panel = tab.scans
    assert panel.choose_target("order", "o-1")
    panel.attach([kept, wrong])
    settle(qtbot)
    wrong_id = next(a.id for a in on_file(engine) if a.filename == "wrong patient.pdf")
    panel.select(wrong_id)
    asked = []
    monkeypatch.setattr(kit, "ask_reason",
                        lambda *args: asked.append(args) or "Scan of another patient's order")

    qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)

    assert asked and asked[0][3] == "Void attachment"  # the button names the act
    void = next(a for a in on_file(engine) if a.id == wrong_id)
    assert (void.voided, void.void_reason, void.voided_by) == (
        True, "Scan of another patient's order", "Jia Lee")
    assert [a.filename for a in on_file(engine, include_voided=False)] == ["kept order.pdf"]
    settle(qtbot)
    assert panel.model.rowCount() == 1  # hidden until Show voided
    assert tab.sections.tabText(5) == "Scans (1)"  # after the nursing visits
    panel.show_voided.setChecked(True)
    settle(qtbot)
    row = panel.model.row_of(wrong_id)
    index = panel.model.index(row, 0)
    assert index.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert "Scan of another patient's order" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert panel.model.index(row, 7).data() == "Scan of another patient's order"
    panel.select(wrong_id)
    assert not panel.void_button.isEnabled()
    assert "Void: Scan of another patient" in panel.details.text()
    assert warnings == []

    with unit_of_work(engine) as s:
        reference.save_pharmacy(s, actor="setup", data=PharmacyBase(
            name="Riverbend Home Infusion", npi="1497758544", tax_id="371234567",
            address_line1="1 Main St", city="Peoria", state="IL", zip="616021234"))
    with unit_of_work(engine) as s:
        data = load_packet_data(s, patient_id=PATIENT, start=NOV[0], end=NOV[1],
                                prepared_by="Jia Lee", created_at=dt.datetime(2026, 11, 21, 9))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages)
    assert "KEPT-SCAN-4417" in text and "kept order.pdf" in text
    assert "VOIDED-SCAN-9023" not in text and "wrong patient.pdf" not in text


def test_the_attachments_model_passes_qtmodeltester(tab, tmp_path, qtbot, qtmodeltester):
    tab.scans.attach([scan_pdf(tmp_path / "a.pdf", "A"), scan_png(tmp_path / "b.png")])
    settle(qtbot)
    model = tab.scans.model
    assert isinstance(model, AttachmentsModel) and model.rowCount() == 2
    qtmodeltester.check(model)
