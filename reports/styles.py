"""Shared ReportLab look for PerDiem's printed documents: styles, tables, page header and footer.

Every report builds its story with these styles and `build_pdf`, which draws the running header
and a "Page X of Y" footer on every page (two passes: pages are numbered once the total is
known) and writes with `invariant=1`, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

import resources

PAGE_SIZE = LETTER
MARGIN_X = 0.6 * inch
HEADER_HEIGHT = 0.78 * inch  # the running header band, from the top edge
FOOTER_HEIGHT = 0.5 * inch
MARGIN_TOP = HEADER_HEIGHT + 0.22 * inch
MARGIN_BOTTOM = FOOTER_HEIGHT + 0.2 * inch

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6470")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#c5ccd6")
BAND = colors.HexColor("#eef2f7")
ZEBRA = colors.HexColor("#f7f9fb")
OK = colors.HexColor("#1e7b34")
WARN = colors.HexColor("#a15c00")
BAD = colors.HexColor("#b3261e")

def _register_fonts() -> tuple[str, str, str]:
    """DejaVu Sans Condensed, shipped in resources/fonts: unlike the PDF core fonts it has the
    letters of every European name (Łukasz, Nguyễn, Dvořák), so no name prints as boxes."""
    names = ("PerDiemSans", "PerDiemSans-Bold", "PerDiemSans-Oblique")
    files = ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
             "DejaVuSansCondensed-Oblique.ttf")
    for name, file in zip(names, files, strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(resources.path("fonts", file))))
    pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[2],
                       boldItalic=names[1])
    return names


FONT, BOLD, ITALIC = _register_fonts()


def _style(name: str, **kw) -> ParagraphStyle:
    base = dict(fontName=FONT, fontSize=9, leading=11.5, textColor=INK)
    base.update(kw)
    return ParagraphStyle(name, **base)


STYLES = {
    "title": _style("title", fontName=BOLD, fontSize=20, leading=24, textColor=ACCENT,
                    spaceAfter=4),
    "subtitle": _style("subtitle", fontSize=11, leading=14, textColor=MUTED, spaceAfter=14),
    "h1": _style("h1", fontName=BOLD, fontSize=14, leading=17, textColor=ACCENT, spaceAfter=8),
    "h2": _style("h2", fontName=BOLD, fontSize=10.5, leading=13, textColor=ACCENT,
                 spaceBefore=10, spaceAfter=4),
    "body": _style("body", spaceAfter=4),
    "small": _style("small", fontSize=8, leading=10, textColor=MUTED),
    "note": _style("note", fontName=ITALIC, fontSize=8.5, leading=11, textColor=MUTED,
                   spaceAfter=6),
    "cell": _style("cell", fontSize=8, leading=10),
    # ids, lot numbers, claim numbers: never split inside (the column is made wide enough)
    "ident": _style("ident", fontSize=8, leading=10, splitLongWords=0),
    "toc0": _style("toc0", fontSize=10, leading=15),
    "toc1": _style("toc1", fontSize=9, leading=12.5, leftIndent=14, textColor=MUTED),
    "cell_bold": _style("cell_bold", fontName=BOLD, fontSize=8, leading=10),
    "cell_head": _style("cell_head", fontName=BOLD, fontSize=7.5, leading=9,
                        textColor=colors.white),
    "label": _style("label", fontName=BOLD, fontSize=7.5, leading=10, textColor=MUTED),
    "value": _style("value", fontSize=9, leading=11.5),
    "box_title": _style("box_title", fontName=BOLD, fontSize=8, leading=10, textColor=ACCENT),
    "big": _style("big", fontName=BOLD, fontSize=11, leading=14),
    "right": _style("right", alignment=TA_RIGHT),
}


def text(value: object, style: str = "cell") -> Paragraph:
    """A wrapping paragraph of plain text (escaped; newlines kept)."""
    s = "" if value is None else str(value)
    return Paragraph(escape(s).replace("\n", "<br/>"), STYLES[style])


def markup(value: str, style: str = "cell") -> Paragraph:
    """A paragraph of trusted ReportLab markup (the caller escaped any data in it)."""
    return Paragraph(value, STYLES[style])


def fmt_date(value: dt.date | None) -> str:
    """MM/DD/YYYY, as the app and American payers write dates."""
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}" if value else ""


def fmt_datetime(value: dt.datetime | None) -> str:
    return f"{fmt_date(value)} {value:%H:%M}" if value else ""


def period_words(start: dt.date, end: dt.date) -> str:
    """A period in words: "October 1 to 31, 2026", "September 28 to October 3, 2026"."""
    if start == end:
        return f"{start:%B} {start.day}, {start.year}"
    if start.year != end.year:
        return f"{start:%B} {start.day}, {start.year} to {end:%B} {end.day}, {end.year}"
    if start.month != end.month:
        return f"{start:%B} {start.day} to {end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day} to {end.day}, {end.year}"


def fmt_zip(value: str | None) -> str:
    """ZIP+4 as 12345-6789; a five-digit ZIP as it is."""
    v = (value or "").strip()
    return f"{v[:5]}-{v[5:]}" if len(v) == 9 and v.isdigit() else v


def fmt_time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    extra: Sequence[tuple] = (),
) -> Table:
    """A grid whose header row repeats on every page it spans; cells wrap."""
    body = [[text(h, "cell_head") for h in header]]
    for row in rows:
        body.append([c if hasattr(c, "wrap") else text(c) for c in row])
    table = Table(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), ZEBRA) for i in range(2, len(body), 2)]
    table.setStyle(TableStyle(style + list(extra)))
    return table


def field_table(pairs: Sequence[tuple[str, object]], width: float, label_width: float = 1.45 * inch,
                columns: int = 1) -> Table:
    """Label / value pairs, in one or two column pairs, for a record's fields."""
    cells = [(text(label, "label"), v if hasattr(v, "wrap") else text(v, "value"))
             for label, v in pairs]
    per_row = columns
    rows = []
    for i in range(0, len(cells), per_row):
        chunk = cells[i:i + per_row]
        chunk += [(text(""), text(""))] * (per_row - len(chunk))
        rows.append([c for pair in chunk for c in pair])
    value_width = width / per_row - label_width
    table = Table(rows, colWidths=[label_width, value_width] * per_row, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def box(title: str, content: list, width: float) -> Table:
    """A titled panel (used on cover pages)."""
    table = Table([[text(title.upper(), "box_title")], [content]], colWidths=[width])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def band(title: str, width: float) -> Table:
    """A panel heading for content that may run over a page (a `box` cannot split)."""
    table = Table([[text(title.upper(), "box_title")]], colWidths=[width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), BAND),
        ("LINEABOVE", (0, 0), (-1, 0), 1, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


@dataclass(frozen=True)
class RunningHeader:
    """What the header and footer of every page say."""

    organization: str  # top left, bold (the pharmacy)
    document: str  # top right (the document's name)
    line: str  # second line: who and what the document is about (cut when too long)
    created_at: dt.datetime
    line_right: str = ""  # second line, right-aligned and never cut (e.g. the period)


def content_width(page_size: tuple[float, float] = PAGE_SIZE) -> float:
    return page_size[0] - 2 * MARGIN_X


def fit_text(canvas: Canvas, value: str, font: str, size: float, width: float) -> str:
    """Cut a header line that would run off the page, marking the cut."""
    if canvas.stringWidth(value, font, size) <= width:
        return value
    while value and canvas.stringWidth(value + "...", font, size) > width:
        value = value[:-1]
    return value + "..."


def draw_header_footer(canvas: Canvas, header: RunningHeader, page: int, total: int) -> None:
    """Draw the running header and the footer on the current page of `canvas`."""
    width, height = canvas._pagesize
    inner = width - 2 * MARGIN_X
    canvas.saveState()
    top = height - 0.42 * inch
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 10.5)
    doc_w = canvas.stringWidth(header.document, FONT, 8.5)
    canvas.drawString(MARGIN_X, top, fit_text(canvas, header.organization, BOLD, 10.5,
                                          inner - doc_w - 12))
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8.5)
    canvas.drawRightString(width - MARGIN_X, top, header.document)
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 8.5)
    right_w = canvas.stringWidth(header.line_right, FONT, 8.5)
    canvas.drawRightString(width - MARGIN_X, top - 13, header.line_right)
    canvas.drawString(MARGIN_X, top - 13, fit_text(canvas, header.line, FONT, 8.5,
                                                   inner - (right_w + 12 if right_w else 0)))
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN_X, height - HEADER_HEIGHT, width - MARGIN_X, height - HEADER_HEIGHT)

    base = FOOTER_HEIGHT - 0.18 * inch
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, FOOTER_HEIGHT, width - MARGIN_X, FOOTER_HEIGHT)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN_X, base, f"Created {fmt_datetime(header.created_at)}")
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 8)
    canvas.drawRightString(width - MARGIN_X, base, f"Page {page} of {total}")
    canvas.restoreState()


class Mark(Flowable):
    """A bookmark (PDF outline entry) at this place of the story; draws nothing."""

    def __init__(self, title: str, level: int = 0):
        super().__init__()
        self.title, self.level = title, level
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        mark = getattr(self.canv, "mark", None)
        if mark is not None:
            mark(self.title, self.level, self.canv.absolutePosition(0, 0)[1])


@dataclass(frozen=True)
class Bookmark:
    """Where a `Mark` landed: its page (1-based), title, level and height on the page."""

    page: int
    title: str
    level: int
    top: float


def _numbered_canvas(header: RunningHeader, pages_after: int,
                     marks: list[Bookmark]) -> type[Canvas]:
    """A canvas class that holds its pages until the end, then stamps each with its number
    out of the total (this document's pages plus `pages_after` appended later) and its
    bookmarks (collected in `marks`)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def mark(self, title: str, level: int, top: float) -> None:
            marks.append(Bookmark(len(self._saved) + 1, title, level, top))

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved) + pages_after
            for number, state in enumerate(self._saved, 1):
                self.__dict__.update(state)
                draw_header_footer(self, header, number, total)
                for i, m in enumerate(marks):
                    if m.page == number:
                        self.bookmarkPage(f"m{i}", fit="XYZ", left=0, top=m.top + 16)
                        self.addOutlineEntry(m.title, f"m{i}", m.level, closed=m.level > 0)
                Canvas.showPage(self)
            if marks:
                self.showOutline()
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(story: list, header: RunningHeader, *, title: str, subject: str = "",
              author: str = "", pages_after: int = 0,
              marks: list[Bookmark] | None = None) -> tuple[bytes, int]:
    """Lay out `story` on letter pages with the running header; return the PDF and its page
    count. `pages_after` pages to be appended later count in every "of Y". The story's
    `Mark`s become the PDF's outline, and are appended to `marks` when given."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=PAGE_SIZE, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title, subject=subject,
        author=author, creator="PerDiem", invariant=1,
    )
    found: list[Bookmark] = [] if marks is None else marks
    doc.build(story, canvasmaker=_numbered_canvas(header, pages_after, found))
    return buf.getvalue(), doc.page
