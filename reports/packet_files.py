"""The scanned documents of a documentation packet: each read and checked against its SHA-256,
then appended after the packet's own pages, each page stamped with the running header, a
caption and "Page X of Y" (PDF pages merged in upright and scaled, images drawn)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from models.records import registry
from models.records.attachments import AttachmentFile
from reports.styles import (
    ACCENT,
    FONT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_SIZE,
    RULE,
    RunningHeader,
    draw_header_footer,
    fit_text,
    fmt_date,
)


def attached_to(info) -> str:
    kind = registry.kind(info.record_kind)
    return kind.label if kind is registry.PATIENT else f"{kind.label} {info.record_id}"


@dataclass
class Prepared:
    """An attachment ready to append: its pages, or the problem that keeps it out."""

    file: AttachmentFile
    pages: list  # pypdf pages, or one ImageReader for an image
    problem: str | None = None


def prepare(files: list[AttachmentFile]) -> list[Prepared]:
    out = []
    for f in files:
        if not f.intact:
            out.append(Prepared(f, [], "NOT INCLUDED: the stored file no longer matches the "
                                        "SHA-256 recorded when it was attached; attach the "
                                        "original again."))
            continue
        try:
            if f.info.media_type == "application/pdf":
                reader = PdfReader(io.BytesIO(f.content))
                pages = list(reader.pages)
                if not pages:
                    raise ValueError("no pages")
            else:
                image = ImageReader(io.BytesIO(f.content))
                image.getSize()
                pages = [image]
        except Exception as exc:  # a damaged or encrypted scan must not stop the packet
            out.append(Prepared(f, [], f"NOT INCLUDED: the file could not be read ({exc})."))
            continue
        out.append(Prepared(f, pages))
    return out


def stamp_pages(prepared: list[Prepared], header: RunningHeader, first: int,
                 total: int) -> bytes:
    """One page per appended attachment page: header, footer, a caption, and for images the
    image itself (PDF pages are merged onto these pages afterwards)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=PAGE_SIZE, invariant=1)
    width, height = PAGE_SIZE
    number = first
    included = [p for p in prepared if not p.problem]
    for index, p in enumerate(prepared, 1):
        if p.problem:
            continue
        info = p.file.info
        for page_no, page in enumerate(p.pages, 1):
            draw_header_footer(c, header, number, total)
            c.setFont(FONT, 8)
            c.setFillColor(ACCENT)
            caption = (f"Attachment {index} of {len(prepared)}: {info.filename}  |  page "
                       f"{page_no} of {len(p.pages)}  |  attached to {attached_to(info)} by "
                       f"{info.added_by} on {fmt_date(info.added_at.date())}  |  SHA-256 verified")
            c.drawString(MARGIN_X, height - MARGIN_TOP + 4,
                         fit_text(c, caption, FONT, 8, width - 2 * MARGIN_X))
            if isinstance(page, ImageReader):
                x, y, w, h = _fit_box(*page.getSize())
                c.drawImage(page, x, y, w, h)
            else:
                x, y, w, h = _fit_box(*_upright(page)[1:])
            c.setStrokeColor(RULE)  # a scan's white margins would otherwise fade into the page
            c.setLineWidth(0.5)
            c.rect(x, y, w, h)
            c.showPage()
            number += 1
    if not included:
        return b""
    c.save()
    return buf.getvalue()


def area() -> tuple[float, float, float, float]:
    width, height = PAGE_SIZE
    return MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM - 6


def _fit_box(w: float, h: float) -> tuple[float, float, float, float]:
    """Scale (w, h) to fit the content area, centred horizontally, at the top."""
    x0, y0, aw, ah = area()
    s = min(aw / w, ah / h)
    return x0 + (aw - w * s) / 2, y0 + ah - h * s, w * s, h * s


def _upright(page) -> tuple[Transformation, float, float]:
    """A transformation drawing `page` upright with its lower left corner at the origin (its
    /Rotate applied to the content), and the width and height it then has."""
    box_ = page.mediabox
    w, h = float(box_.width), float(box_.height)
    t = Transformation().translate(-float(box_.left), -float(box_.bottom))
    rotation = (page.rotation or 0) % 360
    if rotation == 90:
        return t.rotate(-90).translate(0, w), h, w
    if rotation == 180:
        return t.rotate(180).translate(w, h), w, h
    if rotation == 270:
        return t.rotate(90).translate(h, 0), h, w
    return t, w, h


def merge(report: bytes, prepared: list[Prepared], stamps: bytes) -> bytes:
    """The packet with the attachments' pages after its own (those without a problem), each
    attachment bookmarked."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report)))
    stamp_pages_ = iter(PdfReader(io.BytesIO(stamps)).pages)
    for number, p in enumerate(prepared, 1):
        if p.problem:
            continue
        first = len(writer.pages)
        for page in p.pages:
            target = writer.add_page(next(stamp_pages_))
            if not isinstance(page, ImageReader):
                upright, w, h = _upright(page)
                x, y, fw, _fh = _fit_box(w, h)
                s = fw / w
                target.merge_transformed_page(page, upright.scale(s, s).translate(x, y))
        writer.add_outline_item(title=f"Attachment {number}: {p.file.info.filename}",
                                page_number=first)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
