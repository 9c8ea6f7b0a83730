"""A damaged scan on file at packet time (stored by an older PerDiem, or damaged since): the
packet is made, the scan marked "not included: damaged" (issue 13, item 5)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader
from sqlalchemy import text

from models.billing.packet_data import load_packet_data
from models.db import unit_of_work
from reports.packet import render_packet
from tests.support import damaged_scans


def store(engine, name: str, content: bytes, media_type: str) -> None:
    """As an older PerDiem stored a scan, unchecked; its SHA-256 is its own (intact)."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO attachment (patient_id, record_kind, record_id, filename, media_type, "
            "size, sha256, added_by, added_at, voided, content) VALUES ('p-1001', 'patient', "
            "'p-1001', :f, :m, :s, :h, 'Jia Lee', '2026-11-01 10:00:00', 0, :c)"),
            {"f": name, "m": media_type, "s": len(content),
             "h": hashlib.sha256(content).hexdigest(), "c": content})


def test_damaged_scans_are_left_out_and_marked_and_the_packet_is_made(example_engine):
    store(example_engine, "truncated.png", damaged_scans.truncated("PNG"), "image/png")
    store(example_engine, "truncated.jpg", damaged_scans.truncated("JPEG"), "image/jpeg")
    store(example_engine, "broken.pdf", damaged_scans.broken_pdf(), "application/pdf")
    store(example_engine, "whole.png", damaged_scans.image("PNG"), "image/png")
    with unit_of_work(example_engine) as s:
        data = load_packet_data(s, patient_id="p-1001", start=dt.date(2026, 10, 1),
                                end=dt.date(2026, 10, 31), prepared_by="Jia Lee",
                                created_at=dt.datetime(2026, 11, 27, 9, 30))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    index = " ".join(" ".join(p.split()) for p in pages if "Scanned documents on file" in p)
    assert index.count("NOT INCLUDED: damaged") == 3
    assert "image file is truncated" in index and "page 1 cannot be read" in index
    assert "Verified" in index  # the whole scan is in
    assert "Attachment 4 of 4: whole.png" in pages[-1]
    assert not any("Attachment 1 of 4" in p for p in pages)
