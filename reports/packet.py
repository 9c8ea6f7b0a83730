"""The documentation packet: the PDF proving every per diem day billed for one patient and period.

`render_packet(PacketData) -> bytes` lays out a cover page, a per-day evidence checklist
(rules R7-R12), the evidence records and the attached scans, each page with the patient header
and "Page X of Y". It reads only the read objects it is given (models/billing/packet_data.py).
One module over 400 lines on purpose: the packet's sections, in the order they are printed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from models import codes
from models.billing.packet_data import PacketData
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, REASONS
from models.files import write_atomic
from models.records import registry, scans
from models.records.attachments import AttachmentFile
from reports.styles import (
    ACCENT,
    BAD,
    FONT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    OK,
    PAGE_SIZE,
    RULE,
    WARN,
    RunningHeader,
    band,
    box,
    build_pdf,
    content_width,
    data_table,
    draw_header_footer,
    field_table,
    fit_text,
    fmt_date,
    fmt_datetime,
    fmt_time,
    markup,
    text,
)

W = content_width()
DOCUMENT = "Per diem documentation packet"
STATUS_WORDS = {BILLABLE: "Billable", HOLD: "Hold", NOT_BILLABLE: "Not billable"}
STATUS_COLORS = {BILLABLE: OK, HOLD: WARN, NOT_BILLABLE: BAD}
HOLD_TINT = colors.HexColor("#fff7e6")
NOT_BILLABLE_TINT = colors.HexColor("#fdeeed")
# (column heading, reason code that means the evidence is missing)
EVIDENCE = (
    ("Signed order\n(R7)", "unsigned-order"),
    ("Plan of care\n(R8)", "missing-plan-of-care"),
    ("Prep note\n(R9)", "missing-prep-note"),
    ("Delivery\n(R10)", "missing-delivery"),
    ("MAR complete\n(R11)", "incomplete-mar"),
    ("Care note\n(R12)", "missing-care-note"),
)


# --- helpers ----------------------------------------------------------------------------------


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _colored(value: str, color, bold: bool = True) -> str:
    inner = f"<b>{_e(value)}</b>" if bold else _e(value)
    return f'<font color="{color.hexval()}">{inner}</font>'


def _status(status: str) -> object:
    return markup(_colored(STATUS_WORDS[status], STATUS_COLORS[status]))


def _name(first: str, last: str) -> str:
    return f"{last}, {first}"


def _money(value) -> str:
    return f"${value:,.2f}" if value is not None else ""


def _recorded(rec) -> str:
    out = f"v{rec.version}, {rec.recorded_by or 'unknown'}"
    if rec.recorded_at:
        out += f", {fmt_datetime(rec.recorded_at)}"
    return out


def header_of(data: PacketData) -> RunningHeader:
    p = data.patient
    members = ", ".join(data.member_ids) or "none"
    line = (f"Patient: {_name(p.first_name, p.last_name)}   DOB {fmt_date(p.birth_date)}   "
            f"Member ID {members}")
    # the period stands on its own: a long name or two member ids must not cut it off
    return RunningHeader(data.pharmacy.name, DOCUMENT, line, data.created_at,
                         f"Period {fmt_date(data.start)} to {fmt_date(data.end)}")


def _section(title: str, note: str | None = None) -> list:
    out: list = [PageBreak(), text(title, "h1")]
    if note:
        out.append(text(note, "note"))
    return out


def _none(what: str) -> object:
    return text(f"No {what} on file for this period.", "body")


# --- cover ------------------------------------------------------------------------------------


def _address(obj) -> str:
    lines = [obj.address_line1, obj.address_line2,
             f"{obj.city}, {obj.state} {obj.zip}" if obj.city else None]
    return "\n".join(x for x in lines if x)


def _cover(data: PacketData) -> list:
    ph, p = data.pharmacy, data.patient
    half = (W - 10) / 2
    story: list = [
        text("Per Diem Documentation Packet", "title"),
        text(f"{_name(p.first_name, p.last_name)}   |   service period {fmt_date(data.start)} "
             f"to {fmt_date(data.end)}   |   prepared by {data.prepared_by} on "
             f"{fmt_datetime(data.created_at)}", "subtitle"),
    ]
    pharmacy = field_table([
        ("Name", ph.name), ("NPI", ph.npi), ("Tax ID", ph.tax_id),
        ("Address", _address(ph)), ("Phone", _phone(ph.phone)),
    ], half - 12, label_width=0.8 * 72)
    patient = field_table([
        ("Name", _name(p.first_name, p.last_name)), ("Date of birth", fmt_date(p.birth_date)),
        ("Sex", p.sex), ("Patient ID", p.id), ("Address", _address(p)),
    ], half - 12, label_width=0.95 * 72)
    story.append(_side_by_side(box("Pharmacy", pharmacy, half), box("Patient", patient, half)))
    story.append(Spacer(1, 8))

    cov_rows = []
    for c in data.coverages:
        payer = data.payers.get(c.payer_id)
        cov_rows.append([payer.name if payer else c.payer_id, payer.payer_id if payer else "",
                         c.priority, c.member_id, c.group_number or "",
                         f"{fmt_date(c.start_date)} to {fmt_date(c.end_date) or 'open'}"])
    payers = (data_table(["Payer", "Payer ID", "Priority", "Member ID", "Group", "Coverage"],
                         cov_rows, [W * .27, W * .12, W * .1, W * .17, W * .11, W * .23])
              if cov_rows else text("No coverage in force during the period.", "body"))
    # by id: a payer often extends an authorization under the same number with new dates
    used = Counter(d.authorization_id for d in data.days if d.authorization_id)
    auth_rows = [[a.number, data.payers[a.payer_id].name if a.payer_id in data.payers
                  else a.payer_id, a.code,
                  f"{fmt_date(a.start_date)} to {fmt_date(a.end_date)}", a.units,
                  used.get(a.id, 0)] for a in data.authorizations]
    auths = (data_table(["Authorization", "Payer", "Code", "Dates", "Units", "Used in period"],
                        auth_rows, [W * .2, W * .27, W * .1, W * .23, W * .08, W * .12])
             if auth_rows else text("No prior authorization on file for the period.", "body"))
    gap = Spacer(1, 4)
    # panels below may run over a page, so they are a heading band and splittable tables
    story += [band("Payer and prior authorization", W), gap, payers, gap, auths, Spacer(1, 10)]
    story += [band("Therapy", W), gap, _therapy_table(data), Spacer(1, 10)]
    story += [band("Billed per diem days", W), gap, *_billed_summary(data)]
    return story


def _code_text(code: str) -> str:
    """The code's long description up to its boilerplate (the short one is abbreviated)."""
    found = codes.hcpcs_codes().get(code)
    if not found:
        return ""
    head = re.split(r"[,;] administrative", found.long_description)[0]
    return f"{head}, per diem" if head != found.long_description else head


def _hcpcs_long(code: str) -> str:
    found = codes.hcpcs_codes().get(code)
    return found.long_description if found else ""


def _phone(value: str | None) -> str:
    if value and len(value) == 10:
        return f"({value[:3]}) {value[3:6]}-{value[6:]}"
    return value or ""


def _side_by_side(left, right) -> Table:
    t = Table([[left, right]], colWidths=[(W - 10) / 2 + 10, (W - 10) / 2], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (0, 0), 10),
                           ("RIGHTPADDING", (1, 0), (1, 0), 0),
                           ("TOPPADDING", (0, 0), (-1, -1), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _therapy_table(data: PacketData) -> Table:
    rows = []
    for o in data.orders:
        mods = sorted({m for d in data.billed_days if d.order_id == o.id for m in d.modifiers})
        code = o.per_diem_code
        desc = _code_text(code)
        drug = o.drug_name
        drug_codes = "\n".join(x for x in (
            f"HCPCS {o.drug_hcpcs}" if o.drug_hcpcs else "",
            f"NDC {o.drug_ndc}" if o.drug_ndc else "") if x)
        doc = data.prescribers.get(o.prescriber_id)
        rows.append([
            o.id, markup(f"<b>{_e(code)}</b><br/>{_e(desc)}"),
            ", ".join(mods) or "none", drug, drug_codes or "none",
            f"{doc.display_name}\nNPI {doc.npi}" if doc else o.prescriber_id,
        ])
    if not rows:
        return text("No order in force during the period.", "body")
    return data_table(["Order", "Per diem code", "Modifiers billed", "Drug", "Drug codes",
                       "Prescriber"], rows,
                      [W * .08, W * .27, W * .12, W * .2, W * .15, W * .18])


def _billed_summary(data: PacketData) -> list:
    billed = data.billed_days
    counts = Counter(d.status for d in data.days)
    head = markup(
        f"<b>{len(billed)}</b> billed day{'s' if len(billed) != 1 else ''}"
        f" &nbsp;&nbsp;<font color='{MUTED.hexval()}'>of {len(data.days)} service "
        f"day{'s' if len(data.days) != 1 else ''} in the period: {counts[BILLABLE]} billable, "
        f"{counts[HOLD]} on hold, {counts[NOT_BILLABLE]} not billable</font>", "big")
    if not billed:
        return [head, text("No day of the period can be billed as it stands; the checklist "
                           "says why.", "body")]
    rows = []
    for run in _runs(billed):
        first, last = run[0], run[-1]
        dates = fmt_date(first.date) if len(run) == 1 else \
            f"{fmt_date(first.date)} to {fmt_date(last.date)}"
        rows.append([dates, len(run), first.order_id, first.code,
                     ":".join(first.modifiers) or "none",
                     first.authorization_number or "not required"])
    table = data_table(["Dates", "Days", "Order", "Code", "Modifiers", "Authorization"], rows,
                       [W * .3, W * .08, W * .12, W * .12, W * .14, W * .24])
    return [head, Spacer(1, 5), table]


def _runs(days: list) -> list[list]:
    """Billed days grouped into runs of consecutive dates with one order, modifiers and
    authorization, by first date."""
    runs: list[list] = []
    for d in sorted(days, key=lambda d: (d.order_id, d.date)):
        prev = runs[-1][-1] if runs else None
        if (prev and prev.order_id == d.order_id and prev.modifiers == d.modifiers
                and prev.authorization_number == d.authorization_number
                and d.date - prev.date == dt.timedelta(days=1)):
            runs[-1].append(d)
        else:
            runs.append([d])
    return sorted(runs, key=lambda r: (r[0].date, r[0].order_id))


# --- checklist --------------------------------------------------------------------------------


def _checklist(data: PacketData) -> list:
    story = _section(
        "Evidence checklist by service day",
        "One row per service day (a date with at least one infusion entry). Each evidence column "
        "is a billing rule: Yes means the record is on file, Missing means the rule is not met. "
        "Days that cannot be billed for another reason (rules R1-R4) are not checked for "
        "evidence. Statuses are PerDiem's per diem rules R1-R18 applied to the records on file "
        "when this packet was prepared.",
    )
    if not data.days:
        story.append(text("There is no service day in this period.", "body"))
        return story
    yes = markup(_colored("Yes", OK, bold=False))
    missing = markup(_colored("Missing", BAD))
    na = markup(_colored("n/a", MUTED, bold=False))
    rows = []
    for d in data.days:
        if d.status == NOT_BILLABLE:
            evidence = [na] * len(EVIDENCE)
        else:
            evidence = [missing if code in d.reasons else yes for _h, code in EVIDENCE]
        if d.reasons:
            notes = markup("<br/>".join(
                f"<b>{REASONS[r].rule}</b> {_e(REASONS[r].sentence)}" for r in d.reasons))
        else:
            bits = [":".join(d.modifiers)] if d.modifiers else []
            if d.authorization_number:
                bits.append(f"auth {d.authorization_number}")
            notes = text("; ".join(bits) or "no modifiers")
        rows.append([fmt_date(d.date), _status(d.status), d.order_id, *evidence, notes])
    ev_w = 44  # wide enough for "complete" in the bold header
    widths = [52, 50, 34] + [ev_w] * len(EVIDENCE)
    widths.append(W - sum(widths))
    heads = ["Date", "Status", "Order", *(h for h, _c in EVIDENCE),
             "Modifiers and authorization, or why not billable"]
    tint = {HOLD: HOLD_TINT, NOT_BILLABLE: NOT_BILLABLE_TINT}
    extra = [("BACKGROUND", (0, i), (-1, i), tint[d.status])
             for i, d in enumerate(data.days, 1) if d.status in tint]
    story.append(data_table(heads, rows, widths, extra))
    return story


# --- evidence sections ------------------------------------------------------------------------


def _orders(data: PacketData) -> list:
    story = _section("Physician orders")
    if not data.orders:
        story.append(_none("order"))
    for o in data.orders:
        doc = data.prescribers.get(o.prescriber_id)
        signed = (text(fmt_date(o.signed_date), "value") if o.signed_date
                  else markup(_colored("Not signed (rule R7)", BAD), "value"))
        unit = o.drug_dose_unit or ""
        pairs = [
            ("Order ID", o.id),
            ("Prescriber", f"{doc.display_name}, NPI {doc.npi}" if doc else o.prescriber_id),
            ("Per diem code", f"{o.per_diem_code}: {_hcpcs_long(o.per_diem_code)}"),
            ("Per diem rate", _money(o.per_diem_rate)),
            ("Drug", o.drug_name),
            ("NDC", o.drug_ndc or ""),
            ("Drug HCPCS", f"{o.drug_hcpcs or ''}"
             + (f" (1 unit = {o.drug_hcpcs_unit_amount} {unit})"
                if o.drug_hcpcs and o.drug_hcpcs_unit_amount else "")),
            ("Drug unit charge", _money(o.drug_unit_charge)),
            ("Dose", o.dose or ""),
            ("Route", o.route or ""),
            ("Frequency", o.frequency or ""),
            ("Diagnosis codes", ", ".join(o.diagnosis_codes)),
            ("Start date", fmt_date(o.start_date)),
            ("End date", fmt_date(o.end_date) or "open"),
            ("Discontinued", fmt_date(o.discontinued_date) or "no"),
            ("Signed date", signed),
            ("Notes", o.notes or ""),
            ("Recorded", _recorded(o)),
        ]
        block = [text(f"Order {o.id}: {o.drug_name}", "h2"), field_table(pairs, W, 1.5 * 72)]
        # kept on one page when it fits one; a longer order (long notes) flows on, as keeping
        # it together would leave the page under the section title blank
        fits = sum(f.wrap(W, _area()[3])[1] for f in block) <= _area()[3] - 60
        story += [KeepTogether(block)] if fits else block
        story.append(Spacer(1, 8))
    return story


def _plans(data: PacketData) -> list:
    story = _section("Plans of care", "Plans of care of the orders above that cover any day of "
                     "the period (rule R8).")
    if not data.plans_of_care:
        return story + [_none("plan of care")]
    rows = [[p.id, p.order_id, fmt_date(p.start_date), fmt_date(p.end_date),
             fmt_date(p.signed_date) or markup(_colored("not signed", BAD)), p.summary or "",
             _recorded(p)] for p in data.plans_of_care]
    story.append(data_table(["Plan", "Order", "From", "To", "Signed", "Summary", "Recorded"],
                            rows, [44, 34, 52, 52, 52, W - 234 - 90, 90]))
    return story


def _preps(data: PacketData) -> list:
    story = _section("Pharmacy preparation notes", "Compounding, drug utilization review (DUR), "
                     "lot and beyond-use date of each preparation used in the period (rule R9).")
    if not data.prep_notes:
        return story + [_none("preparation note")]
    rows = [[p.id, p.order_id, fmt_date(p.date), p.pharmacist, p.compounding or "",
             p.dur or "", p.lot or "", fmt_date(p.beyond_use_date)] for p in data.prep_notes]
    story.append(data_table(
        ["Note", "Order", "Prepared", "Pharmacist", "Compounding", "DUR", "Lot", "Beyond use"],
        rows, [36, 34, 52, 62, W - 36 - 34 - 52 - 62 - 110 - 50 - 54, 110, 50, 54]))
    return story


def _dose(entry, unit: str) -> str:
    if entry.dose_given is None:
        return ""
    return f"{entry.dose_given:,} {unit}".strip()


def _changes(before: dict, after: dict) -> str:
    skip = {"id"}
    out = []
    for key in after:
        if key in skip or before.get(key) == after.get(key):
            continue
        out.append(f"{key.replace('_', ' ')}: {before.get(key) or 'blank'} -> "
                   f"{after.get(key) or 'blank'}")
    return "\n".join(out)


def _mar(data: PacketData) -> list:
    story = _section("Medication administration record",
                     "Every infusion entry of the period, including held, refused and missed "
                     "doses. Entries changed after they were first saved are listed under "
                     "Amendments with who changed them, when and why.")
    if not data.mar:
        return story + [_none("infusion entry")]
    for order in data.orders:  # one table per order, so each drug's record reads on its own
        entries = [m.entry for m in data.mar if m.entry.order_id == order.id]
        if not entries:
            continue
        rows = []
        for e in entries:
            status = e.status
            if e.voided:
                status = markup(f"{_e(e.status)}<br/>{_colored('VOID', BAD)}")
            times = f"{fmt_time(e.start_time) or '?'}\u2013{fmt_time(e.end_time) or '?'}"
            remarks = "\n".join(x for x in (
                f"Reaction: {e.reaction}" if e.reaction else "", e.notes or "",
                f"Voided: {e.void_reason}" if e.voided and e.void_reason else "") if x)
            rows.append([fmt_date(e.date), e.id, times, status, e.setting,
                         _dose(e, order.drug_dose_unit or ""), e.administered_by or "",
                         e.site or "", remarks])
        story += [CondPageBreak(80), text(f"Order {order.id}: {order.drug_name}", "h2")]
        story.append(data_table(
            ["Date", "Entry", "Time", "Status", "Setting", "Dose given", "Administered by",
             "Site", "Reaction / notes"],
            rows, [52, 40, 58, 52, 36, 50, 64, 76, W - 428]))
    amended = [m for m in data.mar if len(m.versions) > 1]
    if amended:
        story += [CondPageBreak(90), text("Amendments", "h2")]
        rows = []
        for m in amended:
            for prev, ver in zip(m.versions, m.versions[1:], strict=False):
                changed = _changes(prev.data, ver.data)
                if ver.action == "voided":
                    changed = "Entry voided: it stays on file but no longer counts for billing."
                rows.append([m.entry.id, f"v{ver.version}", ver.action, ver.recorded_by,
                             fmt_datetime(ver.recorded_at), ver.reason or "", changed])
        story.append(data_table(["Entry", "Version", "Action", "By", "When", "Reason",
                                 "What changed"], rows,
                                [40, 40, 40, 62, 80, 120, W - 382]))
    return story


def _deliveries(data: PacketData) -> list:
    story = _section("Deliveries", "Deliveries of the orders above from the earliest "
                     "preparation used in the period to its end (rule R10).")
    if not data.deliveries:
        return story + [_none("delivery")]
    rows = [[d.id, d.order_id, fmt_date(d.date), d.method or "", d.items or "",
             d.received_by or "", _recorded(d)] for d in data.deliveries]
    story.append(data_table(["Delivery", "Order", "Date", "Method", "Items", "Received by",
                             "Recorded"], rows,
                            [44, 34, 52, 72, W - 44 - 34 - 52 - 72 - 80 - 90, 80, 90]))
    return story


def _care_notes(data: PacketData) -> list:
    story = _section("Care coordination notes", "Notes of the period and of the 30 days "
                     "before it, which rule R12 reads for the first days of the period.")
    if not data.care_notes:
        return story + [_none("care coordination note")]
    rows = [[fmt_date(n.date), n.id, n.author, n.contact or "", n.text]
            for n in data.care_notes]
    story.append(data_table(["Date", "Note", "Author", "Contact", "Note text"], rows,
                            [52, 40, 70, 60, W - 222]))
    return story


# --- attachments ------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """An attachment ready to append: its pages, or the problem that keeps it out."""

    file: AttachmentFile
    pages: list  # pypdf pages, or one ImageReader for an image
    problem: str | None = None


def _prepare(files: list[AttachmentFile]) -> list[_Prepared]:
    out = []
    for f in files:
        if not f.intact:
            out.append(_Prepared(f, [], "NOT INCLUDED: the stored file no longer matches the "
                                        "SHA-256 recorded when it was attached; attach the "
                                        "original again."))
            continue
        problem = scans.damage(f.content, f.info.media_type)
        pages: list = []
        if problem is None:
            try:
                pages = _trial(f)
            except Exception as exc:  # noqa: BLE001 - a damaged scan must not stop the packet
                problem = " ".join(str(exc).split()) or type(exc).__name__
        if problem is not None:
            out.append(_Prepared(f, [], f"NOT INCLUDED: damaged ({problem[:160]})."))
            continue
        out.append(_Prepared(f, pages))
    return out


def _trial(f: AttachmentFile) -> list:
    """The attachment's pages, after placing each of them once the way the packet will (an
    image drawn, a PDF page merged and written), so a page that cannot be is found here."""
    if f.info.media_type != "application/pdf":
        image = ImageReader(io.BytesIO(f.content))
        c = Canvas(io.BytesIO(), pagesize=PAGE_SIZE, invariant=1)
        c.drawImage(image, 0, 0, *_fit_box(*image.getSize())[2:])
        c.save()
        return [image]
    pages = list(PdfReader(io.BytesIO(f.content)).pages)
    writer = PdfWriter()
    for page in pages:
        upright, w, h = _upright(page)
        target = writer.add_blank_page(*PAGE_SIZE)
        target.merge_transformed_page(page, upright.scale(0.5, 0.5))
    writer.write(io.BytesIO())
    return pages


def _attached_to(info) -> str:
    kind = registry.kind(info.record_kind)
    return kind.label if kind is registry.PATIENT else f"{kind.label} {info.record_id}"


def _attachment_index(prepared: list[_Prepared]) -> list:
    story = _section("Attachments", "Scanned documents on file for this patient and for the "
                     "orders, plans of care and deliveries above, appended after this page in "
                     "this order. Each file's SHA-256 was recorded when it was attached and "
                     "checked again when this packet was made.")
    if not prepared:
        return story + [text("No attachments on file.", "body")]
    rows = []
    for i, p in enumerate(prepared, 1):
        info = p.file.info
        n = len(p.pages)
        status = (markup(_colored(p.problem, BAD)) if p.problem else markup(
            f"{_colored('Verified', OK)}<br/>{n} page{'s' if n != 1 else ''}"))
        file_cell = markup(f"<b>{_e(info.filename)}</b>"
                           + (f"<br/>{_e(info.description)}" if info.description else ""))
        rows.append([str(i), file_cell, _attached_to(info),
                     f"{info.added_by}\n{fmt_datetime(info.added_at)}",
                     markup(f'<font face="Courier" size="6.3">{info.sha256[:32]}<br/>'
                            f'{info.sha256[32:]}</font>'), status])
    story.append(data_table(["#", "File", "Attached to", "Added", "SHA-256", "Status"], rows,
                            [18, W - 18 - 72 - 80 - 138 - 96, 72, 80, 138, 96]))
    return story


def _stamp_pages(prepared: list[_Prepared], header: RunningHeader, first: int,
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
                       f"{page_no} of {len(p.pages)}  |  attached to {_attached_to(info)} by "
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


def _area() -> tuple[float, float, float, float]:
    width, height = PAGE_SIZE
    return MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM - 6


def _fit_box(w: float, h: float) -> tuple[float, float, float, float]:
    """Scale (w, h) to fit the content area, centred horizontally, at the top."""
    x0, y0, aw, ah = _area()
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


def _merge(report: bytes, prepared: list[_Prepared], stamps: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report)))
    stamp_pages = iter(PdfReader(io.BytesIO(stamps)).pages)
    for p in prepared:
        for page in p.pages:
            target = writer.add_page(next(stamp_pages))
            if not isinstance(page, ImageReader):
                upright, w, h = _upright(page)
                x, y, fw, _fh = _fit_box(w, h)
                s = fw / w
                target.merge_transformed_page(page, upright.scale(s, s).translate(x, y))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the packet -------------------------------------------------------------------------------


def render_packet(data: PacketData) -> bytes:
    """The packet as PDF bytes; the same data (with the same created_at) gives the same bytes."""
    header = header_of(data)
    prepared = _prepare(data.attachments)
    extra = sum(len(p.pages) for p in prepared if not p.problem)
    story = (_cover(data) + _checklist(data) + _orders(data) + _plans(data) + _preps(data)
             + _mar(data) + _deliveries(data) + _care_notes(data) + _attachment_index(prepared))
    p = data.patient
    report, pages = build_pdf(
        story, header, pages_after=extra,
        title=f"{DOCUMENT}: {_name(p.first_name, p.last_name)}, {fmt_date(data.start)} to "
              f"{fmt_date(data.end)}",
        subject=f"Patient {p.id}", author=data.pharmacy.name,
    )
    if not extra:
        return report
    stamps = _stamp_pages(prepared, header, pages + 1, pages + extra)
    return _merge(report, [x for x in prepared if not x.problem], stamps)


def _slug(value: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "x"


def packet_filename(data_or_patient, start: dt.date, end: dt.date) -> str:
    """A file name that sorts by period then patient, e.g. 2026-10_lindqvist-maria_p-1001.pdf."""
    p = getattr(data_or_patient, "patient", data_or_patient)
    first_of_month = start.day == 1 and (start.year, start.month) == (end.year, end.month) \
        and end.day == calendar.monthrange(end.year, end.month)[1]
    period = start.isoformat()[:7] if first_of_month else f"{start}_{end}"  # 0001-01, not 1-01
    return f"{period}_{_slug(p.last_name)}-{_slug(p.first_name)}_{_slug(p.id)}.pdf"


def write_pdf(content: bytes, path: Path) -> None:
    """Write the packet whole or not at all (a half-written packet must never be left behind)."""
    write_atomic(path, content)

