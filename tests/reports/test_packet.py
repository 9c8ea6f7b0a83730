"""The documentation packet: content read back with pypdf, attachments, repeatability, CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import update

from models.billing.packet_data import load_packet_data
from models.db import unit_of_work
from models.errors import DomainError, FieldError
from models.records import attachments, clinical, reference, registry
from models.records.changes import changes_of
from models.records.tables import (
    Attachment,
    AuthorizationBase,
    CoverageBase,
    InfusionBase,
    OrderBase,
    PatientBase,
)
from reports.packet import claim_packet_filename, packet_filename, render_packet
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
CREATED = dt.datetime(2026, 11, 27, 9, 30)
HEADER = ("Riverbend Home Infusion", "Lindqvist, Maria", "DOB 04/18/1961", "Member ID XBP448812",
          "Period October 1 to 31, 2026")


def packet(engine, start=OCT[0], end=OCT[1], patient="p-1001") -> tuple[bytes, list[str]]:
    with unit_of_work(engine) as s:
        data = load_packet_data(s, patient_id=patient, start=start, end=end,
                                prepared_by="Jia Lee", created_at=CREATED)
    pdf = render_packet(data)
    return pdf, [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with wrapped lines joined, to find a sentence a table cell wrapped."""
    return " ".join(text.split())


def page_titled(pages: list[str], title: str) -> str:
    found = [p for p in pages if title in p and not p.startswith("Contents")]
    assert found, f"no page has {title!r}"
    return "\n".join(found)


def scan_pdf(marker: str, pages: int = 2) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    for i in range(pages):
        c.drawString(72, 700, f"{marker} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def assert_every_page_framed(pages: list[str]) -> None:
    for number, text in enumerate(pages, 1):
        for part in HEADER:
            assert part in text, f"page {number} lacks {part!r} in its header"
        assert f"Page {number} of {len(pages)}" in text
        assert "Created 11/27/2026 09:30" in text


def test_example_packet_matches_the_example(example_engine):
    pdf, pages = packet(example_engine)
    assert pdf.startswith(b"%PDF")
    assert_every_page_framed(pages)

    cover = pages[0]
    for expected in ("Riverbend Home Infusion", "1234567893", "371234567", "400 Market St",
                     "Lindqvist, Maria", "04/18/1961", "XBP448812", "Blue Prairie PPO",
                     "PA20261001", "S9338", "J1569", "00944270005", "Gammagard Liquid 10%",
                     "2 billed days", "prepared by Jia Lee on 11/27/2026 09:30"):
        assert expected in cover, expected
    # the billed days are listed, the not billable day is not (R1)
    assert "10/07/2026" in cover and "10/29/2026" in cover and "10/28/2026" not in cover
    assert re.search(r"10/07/2026\s+1\s+o-1\s+S9338\s+none\s+PA20261001\s+not yet claimed",
                     cover)
    assert re.search(r"10/29/2026\s+1\s+o-1\s+S9338\s+SS\s+PA20261001", cover)  # R16

    checklist = page_titled(pages, "Evidence checklist by service day")
    assert re.search(r"10/07/2026\s+Billable\b", checklist)
    assert re.search(r"10/28/2026\s+Not\s+billable", checklist)
    assert re.search(r"10/29/2026\s+Billable\b", checklist)
    # R1 said in words, not as a code
    assert "No dose was given this day (every entry is held, refused or missed)" in flat(
        checklist)
    assert "no-infusion" not in checklist


def test_an_order_longer_than_a_page_starts_under_its_section_title(example_engine):
    with unit_of_work(example_engine) as s:
        old = clinical.get_record(s, registry.ORDER, "o-1")
        data = OrderBase.model_validate(old).model_copy(
            update={"notes": "Titrate per protocol and record vitals each step. " * 60})
        clinical.edit_record(s, actor="t", kind=registry.ORDER, record_id="o-1", data=data,
                             reason="Protocol pasted in full")
    _pdf, pages = packet(example_engine)
    first = next(p for p in pages if "Physician orders" in p)
    assert "Order o-1: Gammagard Liquid 10%" in first  # not a page holding only the title


def test_an_authorization_extended_under_the_same_number_counts_its_own_units(example_engine):
    with unit_of_work(example_engine) as s:  # R13: each authorization counts its own units
        [pa1] = reference.list_authorizations(s, "p-1001")
        reference.save_authorization(s, actor="t", data=AuthorizationBase.model_validate(
            pa1).model_copy(update={"end_date": dt.date(2026, 10, 15)}))
        reference.save_authorization(s, actor="t", data=AuthorizationBase.model_validate(
            pa1).model_copy(update={"id": "pa-2", "start_date": dt.date(2026, 10, 16),
                                    "units": 4}))
    _pdf, pages = packet(example_engine)
    rows = re.findall(r"PA20261001\s+Blue Prairie PPO\s+S9338\s+(\S+) to (\S+)\s+(\d+)\s+(\d+)",
                      pages[0])
    assert rows == [("10/01/2026", "10/15/2026", "6", "1"), ("10/16/2026", "12/31/2026", "4", "1")]


def test_every_mar_entry_of_the_period_is_shown(example_engine):
    _pdf, pages = packet(example_engine)
    mar = page_titled(pages, "Medication administration record")
    assert re.search(r"mar-1\s+09:10.13:05\s+completed\s+home\s+30,000 mg\s+Kate Moss RN", mar)
    assert re.search(r"mar-2\s+09:00.\?\s+held", mar)
    # R26: the example's records were imported without recorded_at, so each is taken as
    # recorded on its own date: none is a late entry
    assert "Late entry" not in mar
    assert "10/07/2026 by" in flat(mar)
    assert "Temp 38.6 C; held per protocol, prescriber notified." in flat(mar)
    assert re.search(r"mar-3\s+09:20.12:40\s+partial\s+suite\s+20,000 mg", mar)
    assert "Chills at 200 mL/h; rate reduced, stopped at 20 g." in flat(mar)
    # evidence sections carry their records
    assert "LE12F044" in page_titled(pages, "Pharmacy preparation notes")
    assert "Premedicate with acetaminophen" in page_titled(pages, "Physician orders")
    assert "09/28/2026" in page_titled(pages, "Physician orders")  # the signed date (R7)
    assert "IVIG replacement for CVID" in page_titled(pages, "Plans of care")
    deliveries = page_titled(pages, "Deliveries")
    assert "pharmacy driver" in flat(deliveries) and "Maria Lindqvist" in flat(deliveries)
    assert "Reported fever" in page_titled(pages, "Care coordination notes")


def test_a_period_without_mar_entries_shows_none(example_engine):
    _pdf, pages = packet(example_engine, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert "There is no service day in this period." in page_titled(pages, "Evidence checklist")
    assert "0 billed days" in pages[0]
    assert "mar-1" not in page_titled(pages, "Medication administration record")


def test_hold_day_marks_the_missing_evidence_and_amendments_are_listed(example_engine):
    with unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="Jia Lee", kind=registry.CARE_NOTE, record_id="cn-1",
                             reason="Entered for the wrong patient")
        old = clinical.get_record(s, registry.INFUSION, "mar-1")
        data = InfusionBase.model_validate(old).model_copy(update={"dose_given": Decimal(29000)})
        clinical.edit_record(s, actor="Kate Moss RN", kind=registry.INFUSION, record_id="mar-1",
                             data=data, reason="Corrected from the pump log")
    _pdf, pages = packet(example_engine)
    checklist = page_titled(pages, "Evidence checklist by service day")
    row = re.search(r"10/07/2026\s+Hold\s+o-1\s+((?:\S+\s+){6})", checklist)
    assert row, checklist
    assert row.group(1).split() == ["Yes", "Yes", "Yes", "Yes", "Yes", "Missing"]  # R12
    assert "No care coordination note in the 30 days up to this day" in flat(checklist)
    assert "1 billed day" in pages[0]
    mar = page_titled(pages, "Medication administration record")
    assert "Amendments" in mar
    assert "Corrected from the pump log" in flat(mar)
    assert re.search(r"dose given: 30000\s*->\s*29000", mar)


def test_long_tables_split_with_the_header_repeated(example_engine):
    with unit_of_work(example_engine) as s:
        for n in range(60):
            day = dt.date(2026, 10, 1) + dt.timedelta(days=n)
            with today_is(day):  # R26: each entry saved on its day, none late
                clinical.create_record(s, actor="test", kind=registry.INFUSION, data=InfusionBase(
                    id=f"x-{n:02d}", order_id="o-1", date=day, status="completed",
                    start_time=dt.time(8), end_time=dt.time(9), dose_given=Decimal(30000),
                    administered_by="Kate Moss RN",
                    notes="Extra entry to make the table long.\nIt wraps over two lines."))
    _pdf, pages = packet(example_engine, dt.date(2026, 10, 1), dt.date(2026, 11, 29))
    mar_pages = [p for p in pages if re.search(r"x-\d\d", p) and "reaction, notes" in p]
    assert len(mar_pages) >= 2
    for text in mar_pages:
        assert re.search(r"Date\s+Entry\s+Time\s+Status\s+Dose given", text)
    shown = set(re.findall(r"x-\d\d", "\n".join(mar_pages)))
    assert shown == {f"x-{n:02d}" for n in range(60)}
    checklist_pages = [p for p in pages if re.search(r"Date\s+Status\s+Order\s+Signed", p)]
    assert len(checklist_pages) >= 2
    listed = re.findall(r"(1[01]/\d\d/2026)\s+(?:Billable|Hold|Not\s+billable)",
                        "\n".join(checklist_pages))
    assert len(set(listed)) == 60
    for number, text in enumerate(pages, 1):
        assert "Period October 1 to November 29, 2026" in text and "Lindqvist, Maria" in text
        assert f"Page {number} of {len(pages)}" in text


def test_attachments_are_appended_stamped_and_verified(example_engine):
    with unit_of_work(example_engine) as s:
        a = attachments.add_attachment(s, actor="Jia Lee", patient_id="p-1001",
                                       filename="signed-order.pdf",
                                       content=scan_pdf("SIGNED-ORDER-SCAN"),
                                       record_kind="order", record_id="o-1",
                                       description="Signed physician order")
        attachments.add_attachment(s, actor="Jia Lee", patient_id="p-1001",
                                   filename="ticket.png", content=png(),
                                   record_kind="delivery", record_id="d-2")
    assert a.media_type == "application/pdf" and len(a.sha256) == 64
    with unit_of_work(example_engine) as s:
        assert attachments.verify_attachment(s, a.id)
    pdf, pages = packet(example_engine)
    assert_every_page_framed(pages)
    index = page_titled(pages, "Scanned documents on file")
    assert "signed-order.pdf" in index and "ticket.png" in index and "Verified" in index
    assert "SIGNED-ORDER-SCAN page 1" in pages[-3]
    assert "SIGNED-ORDER-SCAN page 2" in pages[-2]
    assert "Attachment 1 of 2: signed-order.pdf" in pages[-3]
    assert "Attachment 2 of 2: ticket.png" in pages[-1]
    last = PdfReader(io.BytesIO(pdf)).pages[-1]
    xobjects = last["/Resources"]["/XObject"]
    assert any(xobjects[name]["/Subtype"] == "/Image" for name in xobjects)


def test_a_changed_attachment_is_flagged_not_included(example_engine):
    with unit_of_work(example_engine) as s:
        a = attachments.add_attachment(s, actor="Jia Lee", patient_id="p-1001",
                                       filename="signed-order.pdf",
                                       content=scan_pdf("ORIGINAL-SCAN", pages=1))
    with unit_of_work(example_engine) as s:
        s.exec(update(Attachment).where(Attachment.id == a.id)
               .values(content=scan_pdf("FORGED-SCAN", pages=1)))
    with unit_of_work(example_engine) as s:
        assert not attachments.verify_attachment(s, a.id)
    _pdf, pages = packet(example_engine)
    assert not any("FORGED-SCAN" in p or "ORIGINAL-SCAN" in p for p in pages)
    index = page_titled(pages, "Scanned documents on file")
    assert "NOT INCLUDED" in index and "no longer matches the SHA-256" in flat(index)
    assert_every_page_framed(pages)


def test_attachment_checks_and_void(example_engine):
    with unit_of_work(example_engine) as s:
        reference.save_patient(s, actor="t", data=PatientBase(
            id="p-2", first_name="Ann", last_name="Other", birth_date=dt.date(1970, 1, 1),
            sex="F", address_line1="1 Main St", city="Peoria", state="IL", zip="61602"),
            coverages=[])
    with unit_of_work(example_engine) as s, pytest.raises(FieldError, match="not a PDF, PNG"):
        attachments.add_attachment(s, actor="t", patient_id="p-1001", filename="notes.txt",
                                   content=b"hello")
    with unit_of_work(example_engine) as s, pytest.raises(FieldError, match="another patient"):
        attachments.add_attachment(s, actor="t", patient_id="p-2", filename="x.png",
                                   content=png(), record_kind="order", record_id="o-1")
    with unit_of_work(example_engine) as s, pytest.raises(FieldError, match="no delivery"):
        attachments.add_attachment(s, actor="t", patient_id="p-1001", filename="x.png",
                                   content=png(), record_kind="delivery", record_id="d-9")
    with unit_of_work(example_engine) as s:
        a = attachments.add_attachment(s, actor="t", patient_id="p-1001", filename="x.png",
                                       content=png())
        assert changes_of(s).touches("attachment")
    with unit_of_work(example_engine) as s, pytest.raises(FieldError, match="reason"):
        attachments.void_attachment(s, actor="t", attachment_id=a.id, reason=" ")
    with unit_of_work(example_engine) as s:
        void = attachments.void_attachment(s, actor="Jia Lee", attachment_id=a.id,
                                           reason="Scanned the wrong page")
        assert void.voided and void.voided_by == "Jia Lee"
        assert attachments.list_attachments(s, "p-1001") == []
        assert len(attachments.list_attachments(s, "p-1001", include_voided=True)) == 1
    with unit_of_work(example_engine) as s, pytest.raises(DomainError, match="already void"):
        attachments.void_attachment(s, actor="t", attachment_id=a.id, reason="again")
    _pdf, pages = packet(example_engine)
    # no attachment: one line, not a page of its own
    assert "No attachments on file for this patient or the records above." in pages[-2]
    assert not any("Scanned documents on file" in p for p in pages)


def test_same_input_gives_the_same_bytes(example_engine):
    with unit_of_work(example_engine) as s:
        attachments.add_attachment(s, actor="t", patient_id="p-1001", filename="scan.pdf",
                                   content=scan_pdf("SCAN"), added_at=CREATED)
        attachments.add_attachment(s, actor="t", patient_id="p-1001", filename="scan.png",
                                   content=png(), added_at=CREATED)
    first, _ = packet(example_engine)
    second, _ = packet(example_engine)
    assert first == second
    with unit_of_work(example_engine) as s:
        data = load_packet_data(s, patient_id="p-1001", start=OCT[0], end=OCT[1],
                                prepared_by="Jia Lee", created_at=CREATED + dt.timedelta(1))
    assert render_packet(data) != first


def test_period_checks(example_engine):
    with unit_of_work(example_engine) as s, pytest.raises(DomainError, match="ends before"):
        load_packet_data(s, patient_id="p-1001", start=OCT[1], end=OCT[0],
                         prepared_by="t", created_at=CREATED)


def test_file_names_sort_by_period_then_patient():
    p = PatientBase(id="p-1001", first_name="María", last_name="Lindqvist",
                    birth_date=dt.date(1961, 4, 18), sex="F", address_line1="x", city="y",
                    state="IL", zip="61602")
    assert packet_filename(p, *OCT, with_name=True) == "2026-10_lindqvist-maria_p-1001.pdf"
    assert (packet_filename(p, dt.date(2026, 10, 3), dt.date(2026, 10, 9))
            == "2026-10-03_2026-10-09_p-1001.pdf")
    assert packet_filename(p, dt.date(9999, 12, 1), dt.date.max) == \
        "9999-12_p-1001.pdf"  # the last month Python knows does not overflow
    assert packet_filename(p, dt.date(1, 1, 1), dt.date(1, 1, 31)) == \
        "0001-01_p-1001.pdf"  # four-digit years, so names keep sorting


def test_file_names_carry_no_patient_name_unless_chosen():
    """Issue 12 item 4: a file name shows in listings, backups and mail; the id suffices."""
    p = PatientBase(id="p-1001", first_name="María", last_name="Lindqvist",
                    birth_date=dt.date(1961, 4, 18), sex="F", address_line1="x", city="y",
                    state="IL", zip="61602")
    assert "lindqvist" not in packet_filename(p, *OCT)
    assert claim_packet_filename(p, "2610-1A") == "claim_2610-1a_p-1001.pdf"
    assert claim_packet_filename(p, "2610-1A", with_name=True) == (
        "claim_2610-1a_lindqvist-maria_p-1001.pdf")


def test_a_long_name_and_two_member_ids_do_not_cut_the_period_from_the_header(example_engine):
    with unit_of_work(example_engine) as s:
        old = reference.get_patient(s, "p-1001")
        reference.save_patient(
            s, actor="t", data=PatientBase.model_validate(old).model_copy(update={
                "first_name": "Maria Guadalupe", "last_name": "Vasquez-Montgomery"}),
            coverages=[CoverageBase(payer_id="bcx", member_id="XBP448812345",
                                    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 10, 15)),
                       CoverageBase(payer_id="ilmcd", member_id="ILMCD99887766",
                                    start_date=dt.date(2026, 10, 16))])
    _pdf, pages = packet(example_engine)
    for number, text in enumerate(pages, 1):
        assert "Period October 1 to 31, 2026" in text, f"page {number}"
        assert "Vasquez-Montgomery, Maria Guadalupe" in text


def test_a_period_from_the_first_date_python_knows(example_engine):
    """--from 0001-01-01 (a typing slip, or "everything") must give a packet, not a crash in
    the 30-day look-back of the care notes (R12)."""
    _pdf, pages = packet(example_engine, dt.date.min, dt.date(2026, 12, 31))
    assert "Reported fever" in page_titled(pages, "Care coordination notes")
    assert "2 billed days" in pages[0]


def test_cli_packet_packets_and_attach(example_engine, db_url, tmp_path, capsys):
    from main import main

    with unit_of_work(example_engine) as s:  # a patient with no service day in October
        reference.save_patient(s, actor="t", data=PatientBase(
            id="p-2", first_name="Ann", last_name="Abbott", birth_date=dt.date(1970, 1, 1),
            sex="F", address_line1="1 Main St", city="Peoria", state="IL", zip="61602"),
            coverages=[CoverageBase(payer_id="bcx", member_id="M2",
                                    start_date=dt.date(2026, 1, 1))])
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf("CLI-SCAN", pages=1))
    assert main(["--db", db_url, "--user", "Jia Lee", "attach", "--patient", "p-1001",
                 "--order", "o-1", "--description", "signed order", str(scan)]) == 0
    assert "SHA-256" in capsys.readouterr().out
    bad = tmp_path / "notes.txt"
    bad.write_text("not a scan")
    assert main(["--db", db_url, "attach", "--patient", "p-1001", str(bad)]) == 1
    assert "not a PDF, PNG or JPEG" in capsys.readouterr().err

    out = tmp_path / "one.pdf"
    assert main(["--db", db_url, "--user", "Jia Lee", "packet", "--patient", "p-1001",
                 "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out)]) == 0
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert "prepared by Jia Lee" in pages[0]
    assert "CLI-SCAN page 1" in pages[-1]
    assert main(["--db", db_url, "packet", "--patient", "p-1001", "--from", "2026-10-31",
                 "--to", "2026-10-01", "--out", str(out)]) == 1

    folder = tmp_path / "october"
    assert main(["--db", db_url, "packets", "--month", "2026-10", "--out", str(folder)]) == 0
    assert sorted(f.name for f in folder.iterdir()) == ["2026-10_p-1001.pdf"]
    assert folder.stat().st_mode & 0o777 == 0o700, "issue 12: a folder PerDiem makes is private"
    assert (folder / "2026-10_p-1001.pdf").stat().st_mode & 0o777 == 0o600
    named = tmp_path / "named"
    assert main(["--db", db_url, "packets", "--month", "2026-10", "--out", str(named),
                 "--patient-names"]) == 0
    assert [f.name for f in named.iterdir()] == ["2026-10_lindqvist-maria_p-1001.pdf"]
    empty = tmp_path / "september"
    assert main(["--db", db_url, "packets", "--month", "2026-09", "--out", str(empty)]) == 0
    assert list(empty.iterdir()) == []


def test_names_outside_latin_1_print_as_letters_on_every_page(example_engine):
    """The packet's font has the letters of Polish, Czech and Vietnamese names."""
    with unit_of_work(example_engine) as s:
        p = reference.get_patient(s, "p-1001")
        data = PatientBase(**p.model_dump(exclude={"coverages"}))
        data.first_name, data.last_name = "Łucja", "Dvořák-Nguyễn"
        reference.save_patient(s, actor="t", data=data, coverages=p.coverages)
    _pdf, pages = packet(example_engine)
    assert all("Dvořák-Nguyễn, Łucja" in page for page in pages)
