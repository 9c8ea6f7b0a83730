"""Scanned documents checked whole when attached and read in bounded chunks (issue 13,
item 5): a scan that starts right and then breaks is refused in words, nothing stored."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import text

import main
from models.records import scans
from tests.support import damaged_scans


def attachments_on_file(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM attachment")).scalar()


def attach(engine, path: Path, capsys) -> tuple[int, str]:
    engine.dispose()
    status = main.main(["--db", str(engine.url.database), "attach", "--patient", "p-1001",
                        str(path)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return status, out.err


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name, content, said", [
    ("scan.png", damaged_scans.truncated("PNG"), "image file is truncated"),
    ("scan.jpg", damaged_scans.truncated("JPEG"), "image file is truncated"),
    ("order.pdf", damaged_scans.broken_pdf(), "page 1 cannot be read"),
    ("order.pdf", encrypted_pdf(), "the PDF is encrypted"),
])
def test_a_damaged_scan_is_refused_when_attached(example_engine, tmp_path, capsys, name,
                                                  content, said):
    path = tmp_path / name
    path.write_bytes(content)
    status, err = attach(example_engine, path, capsys)
    assert status == 1
    assert f"file: {name} is damaged and was not attached: " in err and said in err
    assert attachments_on_file(example_engine) == 0


@pytest.mark.parametrize("name, content", [
    ("scan.png", damaged_scans.image("PNG")), ("scan.jpg", damaged_scans.image("JPEG")),
    ("order.pdf", damaged_scans.pdf_with_content(b"BT /F1 12 Tf 72 700 Td (fine) Tj ET")),
])
def test_a_whole_scan_is_attached(example_engine, tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    status, err = attach(example_engine, path, capsys)
    assert status == 0, err
    assert attachments_on_file(example_engine) == 1


def test_a_file_over_25_mb_is_refused_before_it_is_read(example_engine, tmp_path, capsys):
    """A 1 GB file (sparse here) is measured, not read: the refusal allocates next to nothing."""
    big = tmp_path / "huge.pdf"
    with open(big, "wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(scans.TooLarge, match="larger than 25 MB"):
            scans.read_limited(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
    status, err = attach(example_engine, big, capsys)
    assert status == 1 and "file: huge.pdf is larger than 25 MB" in err


def test_reading_stops_at_the_limit_even_when_the_size_said_less(tmp_path):
    path = tmp_path / "grows.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 3000)
    assert scans.read_limited(path, limit=4000) == path.read_bytes()
    with pytest.raises(scans.TooLarge):
        scans.read_limited(path, limit=2000)
