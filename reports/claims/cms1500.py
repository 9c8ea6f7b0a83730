"""CMS-1500 (02/12) claim forms drawn with ReportLab, as a full form or data only.

Positions follow the print grid pre-printed 1500 forms are made for: 10 characters an inch
across, 6 lines an inch down, the whole form 85 columns by 66 lines. Data is set in Courier
12 pt, whose characters are exactly 1/10 inch wide, so each field lands in its box. "full"
draws the red form with the data (for review); "data" draws the data alone, to print on
pre-printed red forms; `offset` (points right, points down) moves the data to suit a printer.
Six service lines fit a form, all under one authorization number (box 23); a claim with more
continues on another form (box 19 says "PAGE 2 OF 2"), and only its last form carries the
total charge. One module over 400 lines on purpose: the whole form, box by box, in one place.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from models.claims.claim import (
    BatchContext,
    ClaimDraft,
    ClaimLine,
    filing_indicator,
    workers_comp,
)
from models.records.tables import PharmacyRead, PrescriberRead

LINES_PER_FORM = 6
# Money fields, cents at their fixed columns: box 24F has six dollar digits (columns 49-54),
# box 28 seven (50-56); models.claims.checks refuses a CMS-1500 claim whose amounts do not fit.
CHARGE_WIDTH, TOTAL_WIDTH = 9, 10
CPI, LPI = 10, 6
COL = inch / CPI  # 7.2 pt
ROW = inch / LPI  # 12 pt
FULL, DATA = "full", "data"
RED = HexColor("#c8102e")
SHADE = Color(0.98, 0.88, 0.88)
LEFT = 0.25 * inch  # column 1 starts a quarter inch from the paper's left edge
LEFT_EDGE = 0.5  # the form's left rule, in columns
PAGE_W, PAGE_H = LETTER
DATA_FONT, DATA_SIZE = "Courier", 10
CHAR_SPACE = COL - 0.6 * DATA_SIZE  # Courier is 0.6 em wide: pad each character to 1/10 inch
POINTER_LETTERS = "ABCDEFGHIJKL"
RELATION_COL = {"self": 33, "spouse": 38, "child": 42, "other": 47}
# box 1 by claim filing indicator (R33), as the NUCC manual reads it: Medicare, Medicaid,
# TRICARE, CHAMPVA, group health plan (employer plans), FECA black lung; "Other" holds HMOs,
# liability, automobile and workers' compensation
INSURANCE_COL = {"MA": 1, "MB": 1, "16": 1, "MC": 8, "CH": 15, "VA": 24, "CI": 31, "BL": 31,
                 "12": 31, "13": 31, "14": 31, "15": 31, "FI": 31, "OF": 39}


def x_of(col: float) -> float:
    return LEFT + (col - 1) * COL


def y_top(line: float) -> float:
    """The top edge of grid line `line` (1-based), in ReportLab's bottom-up coordinates."""
    return PAGE_H - (line - 1) * ROW


def baseline(line: float) -> float:
    return y_top(line) - ROW + 2.5


def dollars_cents(value: Decimal, width: int) -> str:
    """Money as the form wants it: dollars right-aligned, a space for the point, cents."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    whole, cents = text.split(".")
    return f"{whole:>{width - 3}} {cents}"


def condensed(length: int, width: int) -> float:
    """The horizontal scale (percent) that fits `length` characters into `width` columns."""
    return 100.0 if length <= width else 100.0 * width / length


def mmddyy(day, year4: bool = False) -> str:
    return day.strftime("%m %d %Y" if year4 else "%m %d %y")


BLANK_FORM = "cms1500-blank"
COPY_MARK = "COPY"
BOX31_DATE_COL = 15  # after the DATE caption, clear of box 31's right rule (column 22)
BOX33_WIDTH, BOX33_ROWS = 29, 3  # the NUCC's 87 characters: three lines of 29


def render(drafts: list[ClaimDraft], ctx: BatchContext, mode: str = FULL,
           offset: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """Every claim as one or more forms in one PDF."""
    if mode not in (FULL, DATA):
        raise ValueError(f"mode is {FULL} or {DATA}")
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, invariant=1)
    canvas.setTitle("CMS-1500 claims")
    canvas.setAuthor(ctx.pharmacy.name)
    if mode == FULL:  # the red form is drawn once and placed on every page (a form XObject)
        canvas.beginForm(BLANK_FORM)
        _draw_form(canvas)
        canvas.endForm()
    for draft in drafts:
        pages = forms(draft.lines, draft)
        for number, lines in enumerate(pages, 1):
            if mode == FULL:
                canvas.doForm(BLANK_FORM)
            _Data(canvas, offset).claim(draft, ctx.pharmacy, lines, number, len(pages),
                                        ctx.created_at.date())
            if ctx.copy:  # drawn last: the page is the first export's, then the mark
                _copy_mark(canvas, offset)
            canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _copy_mark(canvas: Canvas, offset: tuple[float, float]) -> None:
    """COPY, in the white space above the title left of the carrier block: outside every box
    a payer's scanner reads (models/claims/copies.py)."""
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(x_of(24) + offset[0], baseline(3) - offset[1], COPY_MARK)
    canvas.restoreState()


def _filled(words: Sequence[str], width: int) -> list[str]:
    """Words laid on lines of `width` characters, as many to a line as fit (a word longer
    than a line has one of its own)."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def box33_lines(ph: PharmacyRead) -> list[str]:
    """Box 33's three lines (the NUCC's 1st line name, 2nd address, 3rd city, state and ZIP),
    each within the box's 29 characters, never condensed while the words fit: an address too
    long for its line wraps onto the third, ahead of the city (the suite, `address_line2`, goes
    there whole when it can), the city, state and ZIP kept together at the end. Only a name
    and address that fit no way into the box's 87 characters keep the three plain lines, each
    condensed to fit by `put`, never cut."""
    name = " ".join((ph.name or "").split())
    street = " ".join(" ".join(filter(None, [ph.address_line1, ph.address_line2])).split())
    city = " ".join(f"{ph.city or ''} {ph.state or ''} {ph.zip or ''}".split())
    plain = [name, street, city]
    candidates = [plain]
    if ph.address_line1 and ph.address_line2:
        line1 = " ".join(ph.address_line1.split())
        candidates.append([name, line1, " ".join([*ph.address_line2.split(), city])])
    candidates.append([name, *_filled([*street.split(), city], BOX33_WIDTH)])
    for lines in candidates:
        if len(lines) <= BOX33_ROWS and all(len(t) <= BOX33_WIDTH for t in lines):
            return lines
    return plain


def forms(lines: Sequence[ClaimLine], draft: ClaimDraft | None = None
          ) -> list[list[ClaimLine]]:
    """The claim's lines, six to a form, a form's lines sharing one authorization number
    (box 23 holds one, and each line's number goes with it, R23) and one ordering provider
    (box 17 holds one)."""
    by_number: dict[tuple[str | None, str | None], list[ClaimLine]] = {}
    for ln in lines:
        who = _orderer(draft, ln)
        by_number.setdefault((ln.authorization_number, who.id if who else None), []).append(ln)
    return [group[i:i + LINES_PER_FORM] for group in by_number.values()
            for i in range(0, len(group), LINES_PER_FORM)] or [[]]


def _orderer(draft: ClaimDraft | None, ln: ClaimLine) -> PrescriberRead | None:
    return draft.line_prescribers.get(ln.order_id) if draft is not None else None


def render_data_only(drafts: list[ClaimDraft], ctx: BatchContext) -> bytes:
    return render(drafts, ctx, mode=DATA)


class _Data:
    """Puts data on the grid."""

    def __init__(self, canvas: Canvas, offset: tuple[float, float]):
        self.c = canvas
        self.dx, self.dy = offset
        canvas.setFillColor(black)
        canvas.setFont(DATA_FONT, DATA_SIZE)

    def put(self, line: int, col: int, text: object, width: int = 80) -> None:
        """`text` at a grid cell, within `width` columns: a longer value is condensed to fit,
        never cut, since a cut address, name or number would state something else."""
        value = str(text or "").upper().rstrip()
        if value.strip():
            text = self.c.beginText(x_of(col) + self.dx, baseline(line) - self.dy)
            text.setFont(DATA_FONT, DATA_SIZE)
            text.setCharSpace(CHAR_SPACE)
            text.setHorizScale(condensed(len(value), width))
            text.textOut(value)
            self.c.drawText(text)

    def x(self, line: int, col: int, on: bool = True) -> None:
        if on:
            self.put(line, col, "X", 1)

    def claim(self, d: ClaimDraft, ph: PharmacyRead, lines: Sequence[ClaimLine], page: int,
              pages: int, written: dt.date) -> None:
        put, cov, pat, payer = self.put, d.coverage, d.patient, d.payer
        # carrier block
        put(2, 50, payer.name, 30)
        put(3, 50, payer.address_line1, 30)
        if payer.city:
            put(4, 50, f"{payer.city} {payer.state or ''} {payer.zip or ''}", 30)
        # 1, 1a
        self.x(8, INSURANCE_COL.get(filing_indicator(payer) or "", 45))
        put(8, 50, cov.member_id, 29)
        # 2, 3, 4
        put(10, 1, f"{pat.last_name}, {pat.first_name}", 28)
        put(10, 31, mmddyy(pat.birth_date, year4=True))
        self.x(10, 42, pat.sex == "M")
        self.x(10, 47, pat.sex == "F")
        self_pay = cov.relationship == "self"
        ins_last = pat.last_name if self_pay else cov.subscriber_last_name
        ins_first = pat.first_name if self_pay else cov.subscriber_first_name
        put(10, 50, f"{ins_last}, {ins_first}", 29)
        # 5, 6, 7
        put(12, 1, " ".join(filter(None, [pat.address_line1, pat.address_line2])), 28)
        self.x(12, RELATION_COL.get(cov.relationship, 47))
        put(14, 1, pat.city, 24)
        put(14, 26, pat.state, 2)
        put(16, 1, pat.zip, 10)
        if pat.phone:
            put(16, 15, pat.phone[:3], 3)
            put(16, 19, f"{pat.phone[3:6]}-{pat.phone[6:]}", 8)
        if self_pay:
            put(12, 50, " ".join(filter(None, [pat.address_line1, pat.address_line2])), 29)
            put(14, 50, pat.city, 23)
            put(14, 74, pat.state, 2)
            put(16, 50, pat.zip, 10)
        # 10a-c: employment (YES for workers' compensation), no accidents; 11, 11a-d
        wc = workers_comp(payer)
        self.x(20, 35 if wc else 41)
        for line in (22, 24):
            self.x(line, 41)
        if wc and cov.employer_claim_number:
            put(22, 50, f"Y4 {cov.employer_claim_number}", 29)  # 11b, qualifier Y4
        if wc and cov.injury_date:
            put(32, 2, mmddyy(cov.injury_date, year4=True), 10)  # 14, qualifier 431
            put(32, 21, "431", 3)
        put(18, 50, cov.group_number, 29)
        birth = pat.birth_date if self_pay else cov.subscriber_birth_date
        sex = pat.sex if self_pay else cov.subscriber_sex
        if birth:
            put(20, 53, mmddyy(birth, year4=True))
        self.x(20, 68, sex == "M")
        self.x(20, 75, sex == "F")
        put(24, 50, payer.name, 29)
        self.x(26, 57)
        # 12, 13
        put(29, 7, "SIGNATURE ON FILE")
        put(29, 55, "SIGNATURE ON FILE")
        # 17, 17b: the ordering provider (DK) of the form's lines, First MI Last (NUCC)
        orderer = _orderer(d, lines[0]) if lines else d.prescriber
        if orderer:
            put(34, 1, "DK", 2)
            put(34, 4, f"{orderer.first_name} {orderer.last_name}", 25)
            put(34, 33, orderer.npi, 10)
        # 19, 20
        if pages > 1:
            more = " CONTINUED" if page < pages else ""
            put(36, 1, f"PAGE {page} OF {pages}{more}", 40)
        self.x(36, 57)
        # 21: ICD indicator 0 (ICD-10-CM), codes A-L across three rows
        put(37, 42, "0", 1)
        for i, code in enumerate(d.diagnosis_codes[:12]):
            put(38 + i // 4, 3 + 13 * (i % 4), code.replace(".", ""), 8)
        # 22, 23
        if d.frequency_code in ("7", "8"):  # a replacement or void names the payer's number
            put(38, 50, d.frequency_code, 2)
            put(38, 62, d.original_reference, 17)
        put(40, 50, lines[0].authorization_number if lines else d.authorization_number, 29)
        # 24
        for i, ln in enumerate(lines):
            self.service_line(44 + 2 * i, ln)
        # 25-30
        put(56, 1, ph.tax_id, 15)
        self.x(56, 19)
        put(56, 23, d.account_number, 14)
        self.x(56, 38)
        if page == pages:  # a continued claim shows its total on its last form only
            put(56, 50, dollars_cents(d.total_charge, TOTAL_WIDTH), TOTAL_WIDTH)
        # 31: signed, dated the day the claim was written (MMDDYY, after the DATE caption)
        put(60, 1, "SIGNATURE ON FILE", 20)
        put(61, BOX31_DATE_COL, f"{written:%m%d%y}", 6)
        # 33: phone right of the caption; name, address, city state ZIP on the box's lines
        if ph.phone:
            put(57, 66, ph.phone[:3], 3)
            put(57, 70, f"{ph.phone[3:6]}-{ph.phone[6:]}", 8)
        for i, text in enumerate(box33_lines(ph)):
            put(58 + i, 50, text, BOX33_WIDTH)
        put(61, 51, ph.npi, 10)
        if ph.taxonomy:
            put(61, 63, f"ZZ{ph.taxonomy}", 16)

    def service_line(self, line: int, ln: ClaimLine) -> None:
        put = self.put
        if ln.ndc and ln.ndc_quantity is not None:
            # the shaded supplemental line: N4 and the NDC in positions 1-13, the unit
            # qualifier and quantity from position 17 (CMS's 1500 instructions for 24A)
            put(line - 1, 1, f"N4{ln.ndc}", 13)
            put(line - 1, 17, f"{ln.ndc_unit}{ln.ndc_quantity:f}", 8)
        put(line, 1, f"{mmddyy(ln.start)} {mmddyy(ln.end)}", 17)
        put(line, 19, ln.place_of_service, 2)  # 24B (R30: 49 for a suite day billed so)
        put(line, 25, ln.code, 6)
        for i, m in enumerate(ln.modifiers[:4]):
            put(line, 33 + 3 * i, m, 2)
        put(line, 45, "".join(POINTER_LETTERS[p - 1] for p in ln.pointers if p <= 12), 4)
        put(line, 49, dollars_cents(ln.charge, CHARGE_WIDTH), CHARGE_WIDTH)
        put(line, 59, str(ln.units), 3)


# --- the red form ---------------------------------------------------------------------------


def _edge(col: float) -> float:
    """The form's left edge runs half a column left of column 1, so data there clears it."""
    return LEFT_EDGE if col == 1 else col


class _Form:
    """Draws the form's rules, boxes and captions in red on the data grid."""

    def __init__(self, canvas: Canvas):
        self.c = canvas

    def hline(self, line: float, col1: float, col2: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x_of(_edge(col1)), y_top(line), x_of(col2), y_top(line))

    def vline(self, col: float, line1: float, line2: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x_of(_edge(col)), y_top(line1), x_of(_edge(col)), y_top(line2))

    def label(self, line: float, col: float, text: str, size: float = 5.2,
              font: str = "Helvetica") -> None:
        """A caption at the top of grid line `line`, clear of the data at its foot."""
        self.c.setFont(font, size)
        self.c.drawString(x_of(col) + 1.5, y_top(line) - size - 0.6, text)

    def tiny(self, line: float, col: float, text: str, size: float = 4.6) -> None:
        """A caption on the data line itself, for captions beside a check box."""
        self.c.setFont("Helvetica", size)
        self.c.drawString(x_of(col), baseline(line) + 0.5, text)

    def box(self, line: float, col: float) -> None:
        """A check box around the cell where the data's X is printed."""
        self.c.setLineWidth(0.5)
        self.c.rect(x_of(col) - 1, baseline(line) - 1.5, COL + 2, ROW - 3.5)

    def yes_no(self, line: float, yes: int, no: int) -> None:
        for col, text in ((yes, "YES"), (no, "NO")):
            self.box(line, col)
            self.tiny(line, col + 1.4, text)


def _draw_form(c: Canvas) -> None:
    c.saveState()
    c.setStrokeColor(RED)
    c.setFillColor(RED)
    f = _Form(c)

    # title block and the side captions of the real form
    c.setFont("Helvetica-Bold", 13)
    c.drawString(x_of(1), baseline(5), "HEALTH INSURANCE CLAIM FORM")
    f.label(6, 1, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12", 5)
    c.setFont("Helvetica", 6)
    c.drawRightString(x_of(81), baseline(6) + 1, "PICA")
    for text, line1, line2 in (("CARRIER", 1, 6), ("PATIENT AND INSURED INFORMATION", 7, 31),
                               ("PHYSICIAN OR SUPPLIER INFORMATION", 31, 62)):
        c.saveState()
        c.setFont("Helvetica-Bold", 5.5)
        c.translate(x_of(81) + 7, (y_top(line1) + y_top(line2)) / 2)
        c.rotate(-90)
        c.drawCentredString(0, 0, text)
        c.restoreState()
    f.hline(7, 1, 81, 1.2)
    f.hline(62, 1, 81, 1.2)
    f.vline(1, 7, 62, 1.2)
    f.vline(81, 7, 62, 1.2)

    # 1, 1a
    f.label(7, 1, "1.")
    for text, col in (("MEDICARE", 1), ("MEDICAID", 8), ("TRICARE", 15), ("CHAMPVA", 24),
                      ("GROUP HEALTH PLAN", 31), ("FECA BLK LUNG", 39), ("OTHER", 45)):
        f.label(7, col + (1 if col == 1 else 0), text, 4.6)
        f.box(8, col)
    f.label(7, 49, "1a. INSURED'S I.D. NUMBER                      (For Program in Item 1)")
    # 2-8
    for line, left, mid, right in (
        (9, "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)",
         "3. PATIENT'S BIRTH DATE           SEX",
         "4. INSURED'S NAME (Last Name, First Name, Middle Initial)"),
        (11, "5. PATIENT'S ADDRESS (No., Street)", "6. PATIENT RELATIONSHIP TO INSURED",
         "7. INSURED'S ADDRESS (No., Street)"),
        (13, "CITY", "8. RESERVED FOR NUCC USE", "CITY"),
        (15, "ZIP CODE", "", "ZIP CODE"),
    ):
        f.hline(line, 1, 81)
        f.label(line, 1, left)
        f.label(line, 30, mid)
        f.label(line, 49, right)
    f.label(13, 25, "STATE")
    f.label(13, 73, "STATE")
    f.label(15, 13, "TELEPHONE (Include Area Code)")
    f.label(15, 63, "TELEPHONE (Include Area Code)")
    f.vline(24.5, 13, 15, 0.3)
    f.vline(72.5, 13, 15, 0.3)
    f.vline(12.5, 15, 17, 0.3)
    f.vline(62.5, 15, 17, 0.3)
    f.vline(30, 9, 27)
    f.vline(49, 7, 31)
    f.label(9.55, 31, "MM     DD      YY", 4.4)
    for col, text in ((42, "M"), (47, "F")):
        f.box(10, col)
        f.tiny(10, col - 0.9, text)
    for col, text in ((33, "Self"), (38, "Spouse"), (42, "Child"), (47, "Other")):
        f.label(11.55, col - 0.8, text, 4.4)
        f.box(12, col)
    # 9-11
    f.hline(17, 1, 81)
    f.label(17, 1, "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)")
    f.label(17, 30, "10. IS PATIENT'S CONDITION RELATED TO:")
    f.label(17, 49, "11. INSURED'S POLICY GROUP OR FECA NUMBER")
    for line, left, mid, right in (
        (19, "a. OTHER INSURED'S POLICY OR GROUP NUMBER", "a. EMPLOYMENT? (Current or Previous)",
         "a. INSURED'S DATE OF BIRTH                          SEX"),
        (21, "b. RESERVED FOR NUCC USE", "b. AUTO ACCIDENT?           PLACE (State)",
         "b. OTHER CLAIM ID (Designated by NUCC)"),
        (23, "c. RESERVED FOR NUCC USE", "c. OTHER ACCIDENT?",
         "c. INSURANCE PLAN NAME OR PROGRAM NAME"),
        (25, "d. INSURANCE PLAN NAME OR PROGRAM NAME", "10d. CLAIM CODES (Designated by NUCC)",
         "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?"),
    ):
        f.hline(line, 1, 81, 0.3)
        f.label(line, 1, left)
        f.label(line, 30, mid)
        f.label(line, 49, right)
    for line in (20, 22, 24):
        f.yes_no(line, 35, 41)
    f.label(19.55, 53, "MM     DD      YY", 4.4)
    for col, text in ((68, "M"), (75, "F")):
        f.box(20, col)
        f.tiny(20, col - 0.9, text)
    f.yes_no(26, 52, 57)
    # 12, 13
    f.hline(27, 1, 81)
    f.label(27, 1, "READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.", 5.2,
            "Helvetica-Bold")
    f.label(27.55, 1, "12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE I authorize the release "
            "of any medical or other information necessary", 4.4)
    f.label(28.05, 1, "to process this claim. I also request payment of government benefits "
            "either to myself or to the party who accepts assignment below.", 4.4)
    f.tiny(29, 1.3, "SIGNED")
    f.tiny(29, 33, "DATE")
    f.label(27.55, 49, "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE I authorize payment", 4.4)
    f.label(28.05, 49, "of medical benefits to the undersigned physician or supplier for services "
            "described below.", 4.4)
    f.tiny(29, 49.3, "SIGNED")
    # 14-20
    for line, parts in (
        (31, ((1, "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)"),
              (30, "15. OTHER DATE"),
              (49, "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION"))),
        (33, ((1, "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE"), (30, "17a."),
              (49, "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES"))),
        (35, ((1, "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)"),
              (49, "20. OUTSIDE LAB?                              $ CHARGES"))),
    ):
        f.hline(line, 1, 81)
        for col, text in parts:
            f.label(line, col, text)
    f.hline(34, 30, 49, 0.3)
    f.tiny(34, 30.2, "17b. NPI", 4.2)
    f.vline(30, 31, 35)
    f.vline(3.5, 33.6, 35, 0.3)
    f.yes_no(36, 52, 57)
    # 21-23
    f.hline(37, 1, 81)
    f.label(37, 1, "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line "
            "below (24E)")
    f.tiny(37, 37.2, "ICD Ind.", 4.6)
    f.c.setLineWidth(0.3)
    f.c.rect(x_of(42) - 1, baseline(37) - 1.5, COL + 2, ROW - 3.5)
    for i, letter in enumerate(POINTER_LETTERS):
        line, col = 38 + i // 4, 1 + 13 * (i % 4)
        f.tiny(line, col + 0.3, f"{letter}.", 5)
        c.setLineWidth(0.3)
        c.line(x_of(col + 2), baseline(line) - 1.5, x_of(col + 11.5), baseline(line) - 1.5)
    f.label(37, 49, "22. RESUBMISSION CODE")
    f.label(37, 62, "ORIGINAL REF. NO.")
    f.vline(61, 37.6, 39, 0.3)
    f.hline(39, 49, 81)
    f.label(39, 49, "23. PRIOR AUTHORIZATION NUMBER")
    f.vline(49, 37, 41)
    # 24: captions, then six shaded/white line pairs with their column rules
    f.hline(41, 1, 81)
    for col, text in ((1, "24. A.        DATE(S) OF SERVICE"), (18, "B."), (21.6, "C."),
                      (24, "D. PROCEDURES, SERVICES, OR SUPPLIES"), (44, "E."), (49, "F."),
                      (58.5, "G."), (62.5, "H."), (64.5, "I."), (67, "J.")):
        f.label(41, col, text, 4.8)
    for col, text in ((1, "From"), (9, "To"), (18, "PLACE OF"), (24, "(Explain Unusual "
                      "Circumstances)"), (44, "DIAGNOSIS"), (58.5, "DAYS OR"),
                      (62.5, "EPSDT"), (64.5, "ID."), (67, "RENDERING")):
        f.label(41.5, col, text, 4.2)
    for col, text in ((1, "MM"), (3.9, "DD"), (6.9, "YY"), (9, "MM"), (12, "DD"), (15, "YY"),
                      (18, "SERVICE"), (21.5, "EMG"), (24, "CPT/HCPCS"), (34, "MODIFIER"),
                      (44.4, "POINTER"), (50, "$ CHARGES"), (58.5, "UNITS"), (62.5, "Family"),
                      (64.5, "QUAL."), (67, "PROVIDER ID. #")):
        f.label(42.05, col, text, 4.2)
    for i in range(LINES_PER_FORM):
        shaded = 43 + 2 * i
        c.setFillColor(SHADE)
        c.rect(x_of(LEFT_EDGE), y_top(shaded + 1), x_of(81) - x_of(LEFT_EDGE), ROW, stroke=0,
               fill=1)
        c.setFillColor(RED)
        f.hline(shaded, 1, 81, 0.6)
        f.hline(shaded + 1, 64.5, 81, 0.2)
        c.setFont("Helvetica-Bold", 7)
        c.drawRightString(x_of(LEFT_EDGE) - 2, baseline(shaded + 1), str(i + 1))
        f.tiny(shaded + 1, 64.7, "NPI", 4.2)
    f.hline(55, 1, 81, 1)
    for i in range(LINES_PER_FORM):  # date and cents dividers: white part only, clear of NDCs
        for col in (3.5, 6.5, 12.5, 15.5, 55.5):
            f.vline(col, 44 + 2 * i, 45 + 2 * i, 0.2)
    for col in (9, 18, 21.5, 24, 32, 35, 38, 41, 44, 49, 58.5, 62.5, 64.5, 67.5):
        f.vline(col, 44 if col in (9, 35, 38, 41) else 43, 55, 0.4)
    # 25-30
    for col, text in ((1, "25. FEDERAL TAX I.D. NUMBER"), (16.4, "SSN EIN"),
                      (23, "26. PATIENT'S ACCOUNT NO."), (38, "27. ACCEPT ASSIGNMENT?"),
                      (49.5, "28. TOTAL CHARGE"), (61.5, "29. AMOUNT PAID"),
                      (71, "30. Rsvd for NUCC Use")):
        f.label(55, col, text)
    for col in (22, 37.5, 49, 61, 70.5):
        f.vline(col, 55, 57)
    f.vline(57.5, 55.6, 57, 0.2)
    f.vline(67.5, 55.6, 57, 0.2)
    for col in (17, 19):
        f.box(56, col)
    f.yes_no(56, 38, 43)
    # 31-33
    f.hline(57, 1, 81)
    f.label(57, 1, "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 4.8)
    f.label(57.5, 1, "INCLUDING DEGREES OR CREDENTIALS", 4.8)
    f.label(57, 23, "32. SERVICE FACILITY LOCATION INFORMATION", 4.8)
    f.label(57, 49, "33. BILLING PROVIDER INFO & PH #", 4.8)
    f.tiny(61, 1.3, "SIGNED")
    f.tiny(61, 13, "DATE")
    f.vline(22, 57, 62)
    f.vline(49, 57, 62)
    f.hline(61, 22, 81, 0.3)
    for col, text in ((22.2, "a.NPI"), (32.6, "b."), (49.2, "a.NPI"), (61.6, "b.")):
        f.label(61, col, text, 3.8)
    f.vline(32.5, 61, 62, 0.3)
    f.vline(61.5, 61, 62, 0.3)
    c.setFont("Helvetica-Bold", 6)
    c.drawString(x_of(1), y_top(62) - 8, "NUCC Instruction Manual available at: www.nucc.org")
    c.drawString(x_of(32), y_top(62) - 8, "PLEASE PRINT OR TYPE")
    c.drawRightString(x_of(81), y_top(62) - 8, "APPROVED OMB-0938-1197 FORM 1500 (02-12)")
    c.restoreState()
