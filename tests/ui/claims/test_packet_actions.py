"""Packets from the GUI (ui/claims/packet_actions.py): saved in the background, then opened or
printed; a month's packets, cancellable."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QPushButton

from models.billing.packet_data import load_packet_data
from models.db import transactions, unit_of_work
from reports.packet import render_packet
from ui.claims import packet_actions
from ui.shell.context import AppContext

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
CREATED = dt.datetime(2026, 11, 27, 9, 30)


@pytest.fixture
def gui_ctx(qtbot, example_engine, db_url):
    return AppContext(example_engine, "Jia Lee", db_url)


def test_gui_make_packet_saves_then_offers_open_or_print(gui_ctx, qtbot, tmp_path, monkeypatch):
    opened, told = [], []
    monkeypatch.setattr(packet_actions.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    monkeypatch.setattr(packet_actions, "print_pdf", lambda parent, path: told.append(path))
    out = tmp_path / "packet.pdf"
    job = packet_actions.make_packet(gui_ctx, None, "p-1001", *OCT, path=out)
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert "prepared by Jia Lee" in pages[0]
    box = job.message
    assert box is not None and box.isVisible() and str(out) in box.text()
    buttons = {b.text().replace("&", ""): b for b in box.buttons()}
    assert "Open" in buttons and "Print..." in buttons
    buttons["Open"].click()
    assert opened == [str(out)]
    buttons["Print..."].click()
    assert told == [out]


def test_print_paints_every_page_through_the_print_dialog(gui_ctx, qtbot, tmp_path,
                                                           monkeypatch):
    """Printing goes through QPrintDialog; here the 'printer' is a PDF file we read back."""


    with unit_of_work(gui_ctx.engine) as s:
        data = load_packet_data(s, patient_id="p-1001", start=OCT[0], end=OCT[1],
                                prepared_by="t", created_at=CREATED)
    source = tmp_path / "packet.pdf"
    source.write_bytes(render_packet(data))
    printed = tmp_path / "printed.pdf"

    def accept(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert packet_actions.print_pdf(None, source) is True
    assert len(PdfReader(printed).pages) == len(PdfReader(source).pages)
    monkeypatch.setattr(QPrintDialog, "exec", lambda d: QPrintDialog.DialogCode.Rejected)
    assert packet_actions.print_pdf(None, source) is False


def test_gui_month_packets_write_one_file_per_patient(gui_ctx, qtbot, tmp_path):
    job = packet_actions.make_month_packets(gui_ctx, None, 2026, 10, folder=tmp_path / "oct")
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert [p.name for p in job.result["written"]] == ["2026-10_p-1001.pdf"]
    assert (tmp_path / "oct" / "2026-10_p-1001.pdf").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "oct").stat().st_mode & 0o777 == 0o700
    assert job.message.text().startswith("1 packet for October 2026 was written")
    job.message.close()


def test_gui_month_packets_can_be_cancelled(gui_ctx, qtbot, tmp_path, monkeypatch):
    gate = threading.Event()
    real = packet_actions.render_packet
    monkeypatch.setattr(packet_actions, "render_packet",
                        lambda data: gate.wait(10) and real(data))
    job = packet_actions.make_month_packets(gui_ctx, None, 2026, 10, folder=tmp_path / "oct")

    job.progress.findChild(QPushButton).click()  # Cancel: the worker stops before the next one
    gate.set()
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert job.result["cancelled"]
    assert job.message.text().startswith("Cancelled:")
    assert len(list((tmp_path / "oct").glob("*.pdf"))) == len(job.result["written"]) <= 1
    job.message.close()


def test_gui_packet_for_a_claim_from_the_day_panel(gui_ctx, qtbot, tmp_path, monkeypatch):
    """The claim shown in the billing calendar's day panel has "Packet for this claim...": it
    asks where to save (suggesting the claim's name) and makes that claim's packet."""
    from PySide6.QtWidgets import QPushButton

    from models.claims import batches
    from reports.claims import claims_csv
    from ui.billing.calendar_view import PatientCalendar

    result = batches.export_claims(transactions(gui_ctx.engine), actor="Biller Bo",
                                   start=OCT[0], end=OCT[1], fmt="csv",
                                   out=tmp_path / "oct.csv", render=claims_csv.render)
    claim = result.written[0].account_number
    cal = PatientCalendar(gui_ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT[0])
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(dt.date(2026, 10, 7))
    out = tmp_path / "claim.pdf"
    asked = []

    def save_as(parent, caption, suggested, filters):
        asked.append((caption, suggested))
        return str(out.with_suffix("")), filters  # the .pdf is added

    monkeypatch.setattr(packet_actions.QFileDialog, "getSaveFileName", save_as)
    (button,) = [b for b in cal.panel.findChildren(QPushButton, "claim-packet")
                 if b.isVisibleTo(cal.panel)]
    assert button.text() == "Packet for this claim…"
    button.click()
    job = cal.packet_job
    with qtbot.waitSignal(job.finished, timeout=30000):
        pass
    assert asked[0][0] == f"Save the packet of claim {claim}"
    assert asked[0][1].endswith(f"claim_{claim.lower()}_p-1001.pdf")  # no name (issue 12)
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert f"{claim} (CLM01)" in pages[0] and "prepared by Jia Lee" in " ".join(pages[0].split())
    assert "Attestation" in "\n".join(pages)
    assert job.message is not None and str(out) in job.message.text()


def test_gui_packet_for_an_unknown_claim_says_so(gui_ctx, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(packet_actions, "show_error",
                        lambda parent, exc, title: shown.append((title, str(exc))))
    assert packet_actions.make_claim_packet(gui_ctx, None, "2610-NOPE") is None
    assert shown and shown[0][0] == "No packet" and "2610-NOPE" in shown[0][1]
