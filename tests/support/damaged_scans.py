"""Scans as a failing scanner or a broken upload leaves them: they start right, then break."""

from __future__ import annotations

import io
import random

from pypdf import PdfWriter
from pypdf.generic import NameObject, StreamObject


def _noise(fmt: str) -> bytes:
    from PIL import Image

    rng = random.Random(7)
    image = Image.frombytes("RGB", (240, 160), rng.randbytes(240 * 160 * 3))
    buf = io.BytesIO()
    image.save(buf, format=fmt)
    return buf.getvalue()


def image(fmt: str = "PNG") -> bytes:
    """A whole scan (PNG or JPEG) of noise, which no compression shortens much."""
    return _noise(fmt)


def truncated(fmt: str = "PNG") -> bytes:
    """The first half of a scan: the header is fine, the pixels end early."""
    whole = _noise(fmt)
    return whole[: len(whole) // 2]


def pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF whose page content stream is `content`."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = StreamObject()
    stream._data = content
    page[NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def broken_pdf() -> bytes:
    """A PDF whose page content cannot be parsed: a string that never closes."""
    return pdf_with_content(b"BT /F1 12 Tf 72 700 Td (never closed ET")
