"""The documentation packet: the PDF proving the per diem days billed, for one claim (what a
payer's auditor reads) or for one patient and period (internal review).

`render_packet(PacketData) -> bytes` lays out a cover page, a contents page, a per-day evidence
checklist (rules R7-R12, R27), the evidence records with when and by whom each was recorded
(R26), the reconciliation of doses with drug units (R21), for a claim what was added after it,
an attestation page and the attached scans (reports/packet_files.py); every section is a PDF
bookmark. It reads only the read objects it is given (models/billing/packet_data.py).
One module over 400 lines on purpose: the packet's sections, in the order they are printed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, KeepTogether, PageBreak, Spacer, Table, TableStyle

from models import codes
from models.billing.packet_data import PacketData, Recorded, changes_in_words
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, REASONS
from models.claims.claim import COMPONENT, DRUG
from models.claims.drafts import drug_units
from models.files import write_atomic
from models.records import registry
from models.records.components import component_lines
from models.vocab import ACCESS_DAYS
from reports import packet_visits
from reports.packet_files import area, attached_to, merge, prepare, stamp_pages
from reports.styles import (
    BAD,
    FONT,
    MUTED,
    OK,
    RULE,
    WARN,
    Bookmark,
    Mark,
    RunningHeader,
    band,
    box,
    build_pdf,
    content_width,
    data_table,
    field_table,
    fmt_date,
    fmt_datetime,
    fmt_time,
    fmt_zip,
    markup,
    period_words,
    text,
)

W = content_width()
DOCUMENT = "Per diem documentation packet"
STATUS_WORDS = {BILLABLE: "Billable", HOLD: "Hold", NOT_BILLABLE: "Not billable"}
STATUS_COLORS = {BILLABLE: OK, HOLD: WARN, NOT_BILLABLE: BAD}
HOLD_TINT = colors.HexColor("#fff7e6")
NOT_BILLABLE_TINT = colors.HexColor("#fdeeed")
RECORDED_W = 88  # the "Recorded" column of every evidence table
# (column heading, reason code that means the evidence is missing)
EVIDENCE = (
    ("Signed order\n(R7)", "unsigned-order"),
    ("Plan of care\n(R8)", "missing-plan-of-care"),
    ("Prep note\n(R9)", "missing-prep-note"),
    ("Delivery\n(R10)", "missing-delivery"),
    ("Full MAR\n(R11)", "incomplete-mar"),
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


def _id(value: object) -> object:
    """An id, lot or claim number: never split inside (see _id_width for its column)."""
    return text(value, "ident")


def _id_width(values, least: float) -> float:
    """A column wide enough for the widest of `values` on one line (with the cell padding)."""
    widest = max((stringWidth(str(v or ""), FONT, 8) for v in values), default=0)
    return max(least, widest + 9)


def _recorded(rec: Recorded) -> object:
    """The "Recorded" cell: date and user of the first save; a late entry says so (R26)."""
    if rec.late:
        return markup(_colored(rec.late, WARN, bold=False))
    if rec.at is None:
        return text(rec.by or "unknown")
    return text(f"{fmt_date(rec.at.date())}\nby {rec.by or 'unknown'}")


def _period(data: PacketData) -> str:
    return period_words(data.start, data.end)


def header_of(data: PacketData) -> RunningHeader:
    p = data.patient
    members = ", ".join(data.member_ids) or "none"
    line = (f"Patient: {_name(p.first_name, p.last_name)}   DOB {fmt_date(p.birth_date)}   "
            f"Member ID {members}")
    right = (f"Claim {data.claim.account_number}, {_period(data)}" if data.claim
             else f"Period {_period(data)}")
    # the period stands on its own: a long name or two member ids must not cut it off
    return RunningHeader(data.pharmacy.name, DOCUMENT, line, data.created_at, right)


def _section(title: str, note: str | None = None) -> list:
    out: list = [PageBreak(), Mark(title), text(title, "h1")]
    if note:
        out.append(text(note, "note"))
    return out


def _none(what: str, data: PacketData) -> object:
    scope = "for this claim" if data.claim else "for this period"
    return text(f"No {what} on file {scope}.", "body")


# --- cover ------------------------------------------------------------------------------------


def _address(obj) -> str:
    lines = [obj.address_line1, obj.address_line2,
             f"{obj.city}, {obj.state} {fmt_zip(obj.zip)}" if obj.city else None]
    return "\n".join(x for x in lines if x)


def _cover(data: PacketData) -> list:
    ph, p = data.pharmacy, data.patient
    half = (W - 10) / 2
    what = (f"claim {data.claim.account_number}   |   service dates {_period(data)}"
            if data.claim else f"service period {_period(data)}")
    story: list = [
        Mark("Cover"),
        text("Per Diem Documentation Packet", "title"),
        text(f"{_name(p.first_name, p.last_name)}   |   {what}   |   prepared by "
             f"{data.prepared_by} on {fmt_datetime(data.created_at)}", "subtitle"),
    ]
    if data.claim:
        story += [_claim_box(data), Spacer(1, 8)]
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
                         c.priority, _id(c.member_id), c.group_number or "",
                         f"{fmt_date(c.start_date)} to {fmt_date(c.end_date) or 'open'}"])
    payers = (data_table(["Payer", "Payer ID", "Priority", "Member ID", "Group", "Coverage"],
                         cov_rows, [W * .25, W * .12, W * .1, W * .17, W * .11, W * .25])
              if cov_rows else text("No coverage in force during the period.", "body"))
    # by id: a payer often extends an authorization under the same number with new dates
    used = Counter(d.authorization_id for d in data.days if d.authorization_id)
    used.update(v.authorization_id for v in data.visits  # R34: one 99601 unit a visit
                if v.authorization_id and v.status == BILLABLE)
    auth_rows = [[_id(a.number), data.payers[a.payer_id].name if a.payer_id in data.payers
                  else a.payer_id, a.code,
                  f"{fmt_date(a.start_date)} to {fmt_date(a.end_date)}", a.units,
                  used.get(a.id, 0)] for a in data.authorizations]
    used_head = "Used by this claim" if data.claim else "Used in period"
    auths = (data_table(["Authorization", "Payer", "Code", "Dates", "Units", used_head],
                        auth_rows, [W * .19, W * .25, W * .09, W * .27, W * .08, W * .12])
             if auth_rows else text("No prior authorization on file for these days.", "body"))
    gap = Spacer(1, 4)
    # panels below may run over a page, so they are a heading band and splittable tables
    story += [band("Payer and prior authorization", W), gap, payers, gap, auths, Spacer(1, 10)]
    story += [band("Therapy", W), gap, _therapy_table(data), Spacer(1, 10)]
    if data.claim:
        story += [band("Billed lines", W), gap, *_claim_lines(data)]
    else:
        story += [band("Billed per diem days", W), gap, *_billed_summary(data)]
    return story


def _claim_box(data: PacketData) -> Table:
    c = data.claim
    assert c is not None
    payer = data.payers.get(c.payer_id)
    kind = ("replacement (frequency 7) of " + (c.original_reference or "?")
            if c.frequency_code == "7" else "original (frequency 1)")
    diagnoses = ", ".join(c.diagnosis_codes) or "none"
    half = (W - 10) / 2
    left = field_table([
        ("Claim number", markup(f"<b>{_e(c.account_number)}</b> (CLM01)", "value")),
        ("Claim", kind),
        ("Payer's claim no.", c.payer_claim_number or "not recorded"),
        ("Batch", f"{c.batch_id} ({c.format.upper()}), made {fmt_datetime(c.batch_created_at)} "
                  f"by {c.batch_created_by}"),
    ], half - 12, label_width=1.05 * 72)
    right = field_table([
        ("Payer", f"{payer.name} ({payer.payer_id})" if payer else c.payer_id),
        ("Member ID", c.member_id or ""),
        ("Diagnoses", diagnoses),
        ("Total billed", markup(f"<b>{_money(c.total_charge)}</b>", "value")),
    ], half - 12, label_width=0.85 * 72)
    return _side_by_side(box("Claim", left, half), box("Billed to", right, half))


def _claim_lines(data: PacketData) -> list:
    c = data.claim
    assert c is not None
    rows = []
    for ln in c.lines:
        dates = fmt_date(ln.start) if ln.start == ln.end else \
            f"{fmt_date(ln.start)} to {fmt_date(ln.end)}"
        ndc = f", NDC {ln.ndc}" if ln.ndc else ""
        what = ("Drug" + ndc if ln.kind == DRUG else f"Component: {ln.description}{ndc}"
                if ln.kind == COMPONENT else "Per diem")
        rows.append([dates, ln.code, ":".join(ln.modifiers) or "", what, ln.order_id, ln.units,
                     markup(f"<para alignment='right'>{_money(ln.charge)}</para>")])
    rows.append(["", "", "", markup("<b>Total as recorded</b>"), "", "",
                 markup(f"<para alignment='right'><b>{_money(c.total_charge)}</b></para>")])
    out: list = [data_table(["Dates", "Code", "Modifiers", "Line", "Order", "Units", "Charge"],
                            rows, [W * .27, W * .09, W * .11, W * .25, W * .08, W * .07,
                                   W * .13])]
    if c.recomputed_total is None or c.recomputed_total != c.total_charge:
        out += [Spacer(1, 4), markup(_colored(
            "The lines above are the billing rules applied to the records as they stood when "
            f"the claim was made; they add up to {_money(c.recomputed_total or Decimal(0))}, "
            f"not the {_money(c.total_charge)} recorded with the claim: a payer or coverage "
            "changed since. The recorded total is what was sent.", WARN, bold=False), "body")]
    return out


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
        claims = sorted({data.claims[(d.order_id, d.date)] for d in run
                         if (d.order_id, d.date) in data.claims})
        rows.append([dates, len(run), first.order_id, first.code,
                     ":".join(first.modifiers) or "none",
                     _id(first.authorization_number or "not required"),
                     _id(", ".join(claims) or "not yet claimed")])
    table = data_table(["Dates", "Days", "Order", "Code", "Modifiers", "Authorization", "Claim"],
                       rows, [W * .26, W * .07, W * .09, W * .1, W * .12, W * .17, W * .19])
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


# --- contents ---------------------------------------------------------------------------------


def _contents(marks: list[Bookmark] | None) -> list:
    """The contents page: every bookmark with its page (placeholders on the first pass, which
    has the same layout, so the second pass puts the same pages where the first found them)."""
    story: list = [PageBreak(), Mark("Contents"), text("Contents", "h1")]
    rows = []
    for m in marks or []:
        if m.title in ("Cover", "Contents"):
            continue
        style = "toc0" if m.level == 0 else "toc1"
        rows.append([text(m.title, style), text(str(m.page), "toc0")])
    if marks is None:  # first pass: room for the rows the second pass fills in
        return story + [_ContentsSpace()]
    table = Table(rows, colWidths=[W - 50, 50], hAlign="LEFT")
    table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return story + [table]


class _ContentsSpace(Spacer):
    """Stands for the contents table on the first pass: the rest of the page."""

    def __init__(self) -> None:
        super().__init__(W, 1)


# --- checklist --------------------------------------------------------------------------------


def _signed_late(data: PacketData) -> dict[str, dt.date]:
    """R27: orders signed after some of their days here, by id, with the signed date."""
    signed = {o.id: o.signed_date for o in data.orders if o.signed_date}
    return {o: signed[o] for o in {d.order_id for d in data.days}
            if o in signed and any(d.order_id == o and d.date < signed[o] for d in data.days)}


def _checklist(data: PacketData) -> list:
    story = _section(
        "Evidence checklist by service day",
        "One row per service day (a date with at least one infusion entry, or an access day "
        "of a payer that pays every day on service, R29)"
        + (" billed on this claim" if data.claim else "") + ". Each evidence column is a billing "
        "rule: Yes means the record is on file, Missing means the rule is not met, Late that "
        "the day was served before the order was signed (R27). Days that cannot be billed for "
        "another reason (rules R1-R4) are not checked for evidence. Statuses are PerDiem's per "
        "diem rules R1-R18 applied to the records "
        + ("as they stood when the claim was made." if data.claim
           else "on file when this packet was prepared."),
    )
    if not data.days:
        story.append(text("There is no service day in this period.", "body"))
        return story + packet_visits.checklist_line(data)
    yes = markup(_colored("Yes", OK, bold=False))
    missing = markup(_colored("Missing", BAD))
    late = markup(_colored("Late", WARN))
    na = markup(_colored("n/a", MUTED, bold=False))
    signed = {o.id: o.signed_date for o in data.orders}
    rows = []
    for d in data.days:
        before_signature = bool(signed.get(d.order_id)) and d.date < signed[d.order_id]
        if d.status == NOT_BILLABLE:
            evidence = [na] * len(EVIDENCE)
        else:
            evidence = [missing if code in d.reasons else
                        late if code == "unsigned-order" and before_signature else yes
                        for _h, code in EVIDENCE]
        lines = [f"<b>{REASONS[r].rule}</b> {_e(REASONS[r].sentence)}" for r in d.reasons]
        if before_signature:
            lines.append(_colored(f"R27 Served before the order was signed on "
                                  f"{fmt_date(signed[d.order_id])}.", WARN, bold=False))
        if not d.reasons:
            bits = [":".join(d.modifiers)] if d.modifiers else []
            if d.authorization_number:
                bits.append(f"auth {d.authorization_number}")
            lines.insert(0, _e("; ".join(bits) or "no modifiers"))
        if d.basis == ACCESS_DAYS:
            lines.append(_e("Access day (R29): on service between doses"))
        if d.place_of_service != "12":
            lines.append(_e(f"Place of service {d.place_of_service}: infusion suite (R30)"))
        claim = data.claims.get((d.order_id, d.date), "")
        rows.append([fmt_date(d.date), _status(d.status), d.order_id, *evidence,
                     _id(claim), markup("<br/>".join(lines))])
    ev_w = 42
    claim_w = _id_width(data.claims.values(), 40)
    widths = [50, 46, 32] + [ev_w] * len(EVIDENCE) + [claim_w]
    widths.append(W - sum(widths))
    heads = ["Date", "Status", "Order", *(h for h, _c in EVIDENCE), "Claim",
             "Modifiers and authorization, or why not billable"]
    tint = {HOLD: HOLD_TINT, NOT_BILLABLE: NOT_BILLABLE_TINT}
    extra = [("BACKGROUND", (0, i), (-1, i), tint[d.status])
             for i, d in enumerate(data.days, 1) if d.status in tint]
    story.append(data_table(heads, rows, widths, extra))
    return story + packet_visits.checklist_line(data)


# --- evidence sections ------------------------------------------------------------------------


def _orders(data: PacketData) -> list:
    story = _section("Physician orders")
    if not data.orders:
        story.append(_none("order", data))
    late = _signed_late(data)
    for o in data.orders:
        doc = data.prescribers.get(o.prescriber_id)
        if not o.signed_date:
            signed = markup(_colored("Not signed (rule R7)", BAD), "value")
        elif o.id in late:
            before = [fmt_date(d.date) for d in data.days
                      if d.order_id == o.id and d.date < o.signed_date]
            signed = markup(f"{fmt_date(o.signed_date)}<br/>" + _colored(
                f"Signed after {len(before)} service day{'s' if len(before) != 1 else ''} "
                f"(R27): {', '.join(before)}", WARN, bold=False), "value")
        else:
            signed = text(fmt_date(o.signed_date), "value")
        unit = o.drug_dose_unit or ""
        rec = data.recorded_of(registry.ORDER, o)
        pairs = [
            ("Order ID", _id(o.id)),
            ("Prescriber", f"{doc.display_name}, NPI {doc.npi}" if doc else o.prescriber_id),
            ("Per diem code", f"{o.per_diem_code}: {_hcpcs_long(o.per_diem_code)}"),
            ("Per diem rate", _money(o.per_diem_rate)),
            ("Drug", o.drug_name),
            ("NDC", o.drug_ndc or ""),
            ("Drug HCPCS", f"{o.drug_hcpcs or ''}"
             + (f" (1 unit = {o.drug_hcpcs_unit_amount} {unit})"
                if o.drug_hcpcs and o.drug_hcpcs_unit_amount else "")),
            ("Drug unit charge", _money(o.drug_unit_charge)),
            *([("Components", markup("<br/>".join(_e(line) for line in component_lines(o)),
                                     "value"))] if o.components else []),
            ("Dose", o.dose or ""),
            ("Route", o.route or ""),
            ("Frequency", o.frequency or ""),
            ("Diagnosis codes", ", ".join(o.diagnosis_codes)),
            ("Start date", fmt_date(o.start_date)),
            ("End date", fmt_date(o.end_date) or "open"),
            ("Discontinued", fmt_date(o.discontinued_date) or "no"),
            ("Signed date", signed),
            ("Notes", o.notes or ""),
            ("Recorded", markup(_colored(rec.late, WARN, bold=False), "value") if rec.late
             else f"{fmt_datetime(rec.at)} by {rec.by or 'unknown'}"),
            ("Version shown", f"v{o.version}, saved {fmt_datetime(o.recorded_at)} by "
                              f"{o.recorded_by or 'unknown'}"
                              + (f" ({o.change_reason})" if o.version > 1 and o.change_reason
                                 else "")),
        ]
        title = f"Order {o.id}: {o.drug_name}"
        block = [Mark(title, 1), text(title, "h2"), field_table(pairs, W, 1.5 * 72)]
        # kept on one page when it fits one; a longer order (long notes) flows on, as keeping
        # it together would leave the page under the section title blank
        fits = sum(f.wrap(W, area()[3])[1] for f in block) <= area()[3] - 60
        story += [KeepTogether(block)] if fits else block
        story.append(Spacer(1, 8))
    return story


def _plans(data: PacketData) -> list:
    story = _section("Plans of care", "Plans of care of the orders above that cover any day of "
                     "the period (rule R8).")
    if not data.plans_of_care:
        return story + [_none("plan of care", data)]
    rows = [[_id(p.id), _id(p.order_id), fmt_date(p.start_date), fmt_date(p.end_date),
             fmt_date(p.signed_date) or markup(_colored("not signed", BAD)), p.summary or "",
             _recorded(data.recorded_of(registry.PLAN_OF_CARE, p))] for p in data.plans_of_care]
    ids = _id_width([p.id for p in data.plans_of_care], 36)
    story.append(data_table(["Plan", "Order", "From", "To", "Signed", "Summary", "Recorded"],
                            rows, [ids, 32, 50, 50, 50, W - ids - 182 - RECORDED_W,
                                   RECORDED_W]))
    return story


def _preps(data: PacketData) -> list:
    story = _section("Pharmacy preparation notes", "Compounding, drug utilization review (DUR), "
                     "lot and beyond-use date of each preparation used in the period (rule R9).")
    if not data.prep_notes:
        return story + [_none("preparation note", data)]
    rows = []
    for p in data.prep_notes:
        work = "<br/>".join(x for x in (
            f"<b>Compounding:</b> {_e(p.compounding)}" if p.compounding else "",
            f"<b>DUR:</b> {_e(p.dur)}" if p.dur else "") if x)
        rows.append([_id(p.id), _id(p.order_id), fmt_date(p.date), p.pharmacist,
                     markup(work or "none"), _id(p.lot or ""),
                     fmt_date(p.beyond_use_date) + (f" {p.beyond_use_time:%H:%M}"  # R28
                                                    if p.beyond_use_time else ""),
                     _recorded(data.recorded_of(registry.PREP_NOTE, p))])
    ids = _id_width([p.id for p in data.prep_notes], 34)
    lot = _id_width([p.lot for p in data.prep_notes], 40)
    fixed = ids + 32 + 50 + 62 + lot + 50 + RECORDED_W
    story.append(data_table(
        ["Note", "Order", "Prepared", "Pharmacist", "Compounding and DUR", "Lot", "Beyond use",
         "Recorded"], rows, [ids, 32, 50, 62, W - fixed, lot, 50, RECORDED_W]))
    return story


def _dose(entry, unit: str) -> str:
    if entry.dose_given is None:
        return ""
    return f"{entry.dose_given:,} {unit}".strip()


def _mar(data: PacketData) -> list:
    story = _section("Medication administration record",
                     "Every infusion entry of the "
                     + ("claim's days" if data.claim else "period")
                     + ", including held, refused and missed doses. Entries changed after they "
                     "were first saved are listed under Amendments with who changed them, when "
                     "and why.")
    if not data.mar:
        return story + [_none("infusion entry", data)]
    entry_w = _id_width([m.entry.id for m in data.mar], 36)
    lots = {p.id: p.lot or p.id for p in data.prep_notes}  # R28: the lot an entry names
    for order in data.orders:  # one table per order, so each drug's record reads on its own
        entries = [m.entry for m in data.mar if m.entry.order_id == order.id]
        if not entries:
            continue
        rows = []
        for e in entries:
            status = f"{_e(e.status)}<br/>{_e(e.setting)}"
            if e.voided:
                status += f"<br/>{_colored('VOID', BAD)}"
            times = f"{fmt_time(e.start_time) or '?'}\u2013{fmt_time(e.end_time) or '?'}"
            remarks = "\n".join(x for x in (
                f"Lot: {lots.get(e.prep_note, e.prep_note)}" if e.prep_note else "",
                f"Site: {e.site}" if e.site else "",
                f"Reaction: {e.reaction}" if e.reaction else "", e.notes or "",
                f"Voided: {e.void_reason}" if e.voided and e.void_reason else "") if x)
            rows.append([fmt_date(e.date), _id(e.id), times, markup(status),
                         _dose(e, order.drug_dose_unit or ""), e.administered_by or "",
                         remarks, _recorded(data.recorded_of(registry.INFUSION, e))])
        title = f"Order {order.id}: {order.drug_name}"
        story += [CondPageBreak(80), Mark(f"MAR, {title}", 1), text(title, "h2")]
        fixed = 50 + entry_w + 62 + 54 + 54 + 64 + RECORDED_W
        story.append(data_table(
            ["Date", "Entry", "Time", "Status", "Dose given", "Administered by",
             "Site, reaction, notes", "Recorded"],
            rows, [50, entry_w, 62, 54, 54, 64, W - fixed, RECORDED_W]))
    amended = [m for m in data.mar if len(m.versions) > 1]
    if amended:
        story += [CondPageBreak(90), Mark("MAR amendments", 1), text("Amendments", "h2")]
        rows = []
        for m in amended:
            for prev, ver in zip(m.versions, m.versions[1:], strict=False):
                changed = changes_in_words(prev.data, ver.data)
                if ver.action == "voided":
                    changed = "Entry voided: it stays on file but no longer counts for billing."
                rows.append([_id(m.entry.id), f"v{ver.version}", ver.action, ver.recorded_by,
                             fmt_datetime(ver.recorded_at), ver.reason or "", changed])
        story.append(data_table(["Entry", "Version", "Action", "By", "When", "Reason",
                                 "What changed"], rows,
                                [entry_w, 36, 40, 62, 74, 120, W - entry_w - 332]))
    return story


def _reconciliation(data: PacketData) -> list:
    """R21: each billed day's dose given against the drug units billed for it."""
    story = [Spacer(1, 14), CondPageBreak(120), Mark("Dose given and drug units (R21)", 0),
             text("Dose given and drug units billed (R21)", "h1"),
             text("Each billed day of an order whose drug has a HCPCS code and unit amount: the "
                  "doses of its administered entries, and the drug units they make (dose "
                  "given / unit amount, rounded up to a whole unit) beside the units "
                  + ("the claim billed." if data.claim else "a claim bills for the day."),
                  "note")]
    orders = {o.id: o for o in data.orders}
    given: dict[tuple[str, dt.date], list] = defaultdict(list)
    for m in data.mar:
        if not m.entry.voided and m.entry.administered:
            given[(m.entry.order_id, m.entry.date)].append(m.entry)
    billed_units = {}
    if data.claim:
        billed_units = {(ln.order_id, ln.start): ln.units for ln in data.claim.lines
                        if ln.kind == DRUG}
    rows = []
    for d in data.billed_days:
        o = orders.get(d.order_id)
        if o is None or not o.drug_hcpcs or not o.drug_hcpcs_unit_amount:
            continue
        entries = given[(d.order_id, d.date)]
        dose = sum((e.dose_given or Decimal(0) for e in entries), Decimal(0))
        units = drug_units(dose, o.drug_hcpcs_unit_amount)
        unit = o.drug_dose_unit or ""
        if data.claim:
            billed = billed_units.get((d.order_id, d.date))
            agrees = (markup(_colored("agrees", OK, bold=False)) if billed == units
                      else markup(_colored("differs", BAD)))
        else:
            billed, agrees = units, ""
        rows.append([fmt_date(d.date), _id(d.order_id), o.drug_hcpcs,
                     _id(", ".join(e.id for e in entries) or "none"),
                     f"{dose:,} {unit}".strip(), f"{o.drug_hcpcs_unit_amount} {unit}".strip(),
                     units, "" if billed is None else billed, agrees])
    if not rows:
        return story + [text("No billed day has a drug line (the order's drug has no HCPCS "
                             "code or unit amount).", "body")]
    story.append(data_table(
        ["Date", "Order", "Drug HCPCS", "Administered entries", "Dose given", "1 unit =",
         "Units (R21)", "Units billed" if data.claim else "Units to bill", "Check"],
        rows, [50, 34, 48, W - 412, 64, 56, 44, 50, 42]))
    return story


def _deliveries(data: PacketData) -> list:
    story = _section("Deliveries", "Deliveries of the orders above from the earliest "
                     "preparation used in the period to its end (rule R10), with who received "
                     "each one.")
    if not data.deliveries:
        return story + [_none("delivery", data)]
    rows = [[_id(d.id), _id(d.order_id), fmt_date(d.date), d.method or "", d.items or "",
             d.received_by or markup(_colored("not recorded", BAD)),
             _recorded(data.recorded_of(registry.DELIVERY, d))] for d in data.deliveries]
    ids = _id_width([d.id for d in data.deliveries], 40)
    fixed = ids + 32 + 50 + 66 + 84 + RECORDED_W
    story.append(data_table(["Delivery", "Order", "Date", "Method", "Items", "Received by",
                             "Recorded"], rows,
                            [ids, 32, 50, 66, W - fixed, 84, RECORDED_W]))
    return story


def _care_notes(data: PacketData) -> list:
    story = _section("Care coordination notes", "Notes of the period and of the 30 days "
                     "before it, which rule R12 reads for the first days of the period.")
    if not data.care_notes:
        return story + [_none("care coordination note", data)]
    rows = [[fmt_date(n.date), _id(n.id), n.author, n.contact or "", n.text,
             _recorded(data.recorded_of(registry.CARE_NOTE, n))] for n in data.care_notes]
    ids = _id_width([n.id for n in data.care_notes], 34)
    fixed = 50 + ids + 66 + 50 + RECORDED_W
    story.append(data_table(["Date", "Note", "Author", "Contact", "Note text", "Recorded"],
                            rows, [50, ids, 66, 50, W - fixed, RECORDED_W]))
    return story


def _later(data: PacketData) -> list:
    """Claim packets: what was added, amended or voided after the claim was made."""
    c = data.claim
    assert c is not None
    story = _section("Added after the claim",
                     f"Records added, amended or voided after the claim was made "
                     f"({fmt_datetime(c.batch_created_at)}). The pages before show every record "
                     "as it stood then; these changes are not part of the claim's evidence.")
    if not data.later:
        return story + [text("Nothing was added or changed after the claim was made.", "body")]
    rows = [[fmt_datetime(x.recorded_at), x.recorded_by,
             markup(f"{_e(x.label.capitalize())}<br/><b>{_e(x.record_id)}</b>"),
             fmt_date(x.record_date), x.action, x.reason or "", x.what]
            for x in data.later]
    story.append(data_table(["Recorded", "By", "Record", "Its date", "Action", "Reason",
                             "What changed"], rows,
                            [62, 62, 80, 50, 40, 96, W - 390]))
    return story


def _attestation(data: PacketData, scans: bool) -> list:
    ph, p = data.pharmacy, data.patient
    what = (f"claim {data.claim.account_number} (service dates {_period(data)}), as they stood "
            f"when the claim was made on {fmt_date(data.claim.batch_created_at.date())}; records "
            "added or changed afterwards are listed apart under \"Added after the claim\""
            if data.claim else f"the service period {_period(data)}, as they stood when this "
            f"packet was prepared on {fmt_date(data.created_at.date())}")
    story = _section("Attestation")
    story.append(text(
        f"I attest that the records in this packet are true and complete copies of the records "
        f"kept by {ph.name} (NPI {ph.npi}) for {_name(p.first_name, p.last_name)} (date of "
        f"birth {fmt_date(p.birth_date)}) for {what}."
        + (" The scanned documents that follow were checked against the SHA-256 recorded when "
           "each was attached." if scans else ""), "body"))
    story.append(Spacer(1, 30))
    line = [["", ""]]
    for label in ("Pharmacist's signature", "Printed name", "License number and state",
                  "Date"):
        t = Table(line, colWidths=[W * .6, W * .4], hAlign="LEFT")
        t.setStyle(TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black),
                               ("TOPPADDING", (0, 0), (-1, -1), 18)]))
        story += [t, text(label, "small"), Spacer(1, 14)]
    return story


def _attachment_index(data: PacketData, prepared: list) -> list:
    if not prepared:  # one line, not a page
        return [Spacer(1, 10), Mark("Attachments"), text("Attachments", "h2"),
                text("No attachments on file for this patient or the records above.", "body")]
    story = _section("Attachments", "Scanned documents on file for this patient and for the "
                     "orders, plans of care and deliveries above, appended at the end of the "
                     "packet in this order. Each file's SHA-256 was recorded when it was "
                     "attached and checked again when this packet was made.")
    after = data.claim.batch_created_at if data.claim else None
    rows = []
    for i, p in enumerate(prepared, 1):
        info = p.file.info
        n = len(p.pages)
        status = (markup(_colored(p.problem, BAD)) if p.problem else markup(
            f"{_colored('Verified', OK)}<br/>{n} page{'s' if n != 1 else ''}"))
        file_cell = markup(f"<b>{_e(info.filename)}</b>"
                           + (f"<br/>{_e(info.description)}" if info.description else "")
                           + ("<br/>" + _colored("Added after the claim", WARN)
                              if after and info.added_at > after else ""))
        rows.append([str(i), file_cell, attached_to(info),
                     f"{info.added_by}\n{fmt_datetime(info.added_at)}",
                     markup(f'<font face="Courier" size="6.3">{info.sha256[:32]}<br/>'
                            f'{info.sha256[32:]}</font>'), status])
    story.append(data_table(["#", "File", "Attached to", "Added", "SHA-256", "Status"], rows,
                            [18, W - 18 - 72 - 80 - 138 - 96, 72, 80, 138, 96]))
    return story


# --- the packet -------------------------------------------------------------------------------


def _story(data: PacketData, prepared: list, marks: list[Bookmark] | None) -> list:
    story = (_cover(data) + _contents(marks) + _checklist(data) + _orders(data) + _plans(data)
             + _preps(data) + _mar(data) + _reconciliation(data) + _deliveries(data)
             + _care_notes(data) + packet_visits.visits_section(data, W, _section))
    if data.claim:
        story += _later(data)
    return story + _attachment_index(data, prepared) + _attestation(data, bool(prepared))


def render_packet(data: PacketData) -> bytes:
    """The packet as PDF bytes; the same data (with the same created_at) gives the same bytes.

    Laid out twice: the first pass finds the page of every bookmark, the second prints them
    on the contents page (which has the same height both times)."""
    header = header_of(data)
    prepared = prepare(data.attachments)
    extra = sum(len(p.pages) for p in prepared if not p.problem)
    p = data.patient
    title = (f"{DOCUMENT}: claim {data.claim.account_number}, " if data.claim
             else f"{DOCUMENT}: ") + f"{_name(p.first_name, p.last_name)}, {_period(data)}"
    meta = dict(title=title, subject=f"Patient {p.id}", author=data.pharmacy.name,
                pages_after=extra)
    marks: list[Bookmark] = []
    build_pdf(_story(data, prepared, None), header, marks=marks, **meta)
    report, pages = build_pdf(_story(data, prepared, marks), header, **meta)
    if not extra:
        return report
    stamps = stamp_pages(prepared, header, pages + 1, pages + extra)
    return merge(report, prepared, stamps)


def _slug(value: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "x"


def _who(p, with_name: bool) -> str:
    """The patient in a file name: the id, and the name only when the user chose it (a file
    name shows in folder listings, backups and e-mail attachments: issue 12)."""
    return (f"{_slug(p.last_name)}-{_slug(p.first_name)}_{_slug(p.id)}" if with_name
            else _slug(p.id))


def packet_filename(data_or_patient, start: dt.date, end: dt.date, *,
                    with_name: bool = False) -> str:
    """A file name that sorts by period then patient, e.g. 2026-10_p-1001.pdf (with the
    patient's name, 2026-10_lindqvist-maria_p-1001.pdf)."""
    p = getattr(data_or_patient, "patient", data_or_patient)
    first_of_month = start.day == 1 and (start.year, start.month) == (end.year, end.month) \
        and end.day == calendar.monthrange(end.year, end.month)[1]
    period = start.isoformat()[:7] if first_of_month else f"{start}_{end}"  # 0001-01, not 1-01
    return f"{period}_{_who(p, with_name)}.pdf"


def claim_packet_filename(data_or_patient, claim: str, *, with_name: bool = False) -> str:
    """A claim's packet, e.g. claim_2610-1a2b3c4d_p-1001.pdf (with the patient's name,
    claim_2610-1a2b3c4d_lindqvist-maria_p-1001.pdf)."""
    p = getattr(data_or_patient, "patient", data_or_patient)
    return f"claim_{_slug(claim)}_{_who(p, with_name)}.pdf"


def write_pdf(content: bytes, path: Path) -> None:
    """Write the packet whole or not at all (a half-written packet must never be left behind)."""
    write_atomic(path, content)

