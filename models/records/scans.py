"""Checking a scanned document whole before it is stored, and reading one in bounded chunks.

A scan that only starts like a PNG or a PDF used to be stored and then made its patient's
packet impossible (a truncated scan, a PDF whose page content cannot be parsed), and a 1 GB
file was read whole before the 25 MB refusal. Here a file is measured before it is read and
read in chunks up to the limit; an image is decoded to its last pixel (Pillow, which ReportLab
already brings), a PDF parsed by pypdf down to every page's content stream. The packet
(reports/packet.py) runs the same check again and leaves a damaged attachment out, marked,
instead of stopping.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

MAX_BYTES = 25 * 1024 * 1024  # a scanned multi-page order is a few MB; more is a wrong file
MAX_PIXELS = 120_000_000  # a 600 dpi letter page is 34 million; more is a decompression bomb
MAX_PAGES = 500
CHUNK = 1 << 20


class TooLarge(ValueError):
    """The file is over MAX_BYTES; nothing of it was kept."""


def read_limited(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of `path`, refused (TooLarge) before reading when its size is over `limit`,
    and read in chunks that stop at the limit (a file growing meanwhile is refused too)."""
    if path.stat().st_size > limit:
        raise TooLarge(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
    parts, total = [], 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            total += len(chunk)
            if total > limit:
                raise TooLarge(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
            parts.append(chunk)
    return b"".join(parts)


def damage(content: bytes, media_type: str) -> str | None:
    """Why the file cannot be shown in a packet, or None: an image that does not decode to
    its last pixel, a PDF that pypdf cannot parse down to each page's content."""
    try:
        if media_type == "application/pdf":
            return _pdf_damage(content)
        return _image_damage(content)
    except Exception as exc:  # noqa: BLE001 - any failure to read is the answer asked for
        return _said(exc)


def _said(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _image_damage(content: bytes) -> str | None:
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return f"the image is {width} x {height} pixels, more than a scan has"
            image.load()  # decodes every pixel: a truncated file fails here
    return None


def _pdf_damage(content: bytes) -> str | None:
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        return "the PDF is encrypted (password protected)"
    pages = reader.pages
    if len(pages) == 0:
        return "the PDF has no pages"
    if len(pages) > MAX_PAGES:
        return f"the PDF has {len(pages)} pages; a scan has at most {MAX_PAGES}"
    for number, page in enumerate(pages, 1):
        box = page.mediabox
        if not (float(box.width) > 0 and float(box.height) > 0):
            return f"page {number} has no size"
        contents = page.get_contents()
        if contents is not None:
            try:
                ContentStream(contents, reader).operations  # noqa: B018 - parses the stream
            except Exception as exc:  # noqa: BLE001
                return f"page {number} cannot be read ({_said(exc)})"
    return None
