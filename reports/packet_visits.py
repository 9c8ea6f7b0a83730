"""The packet's nursing visits (R34): the checklist's line for them and their own section,
each visit with its times, nurse, type, the MAR entries given during it, its 99601/99602
units and its status or what holds it. Kept apart from reports/packet.py, which calls it."""

from __future__ import annotations

from xml.sax.saxutils import escape

from models.billing.packet_data import PacketData
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.billing.visits import VISIT_REASONS, codes_text
from reports.styles import BAD, MUTED, OK, WARN, data_table, fmt_date, markup, text

STATUS_COLOUR = {BILLABLE: OK, HOLD: WARN, NOT_BILLABLE: BAD}


def _coloured(value: str, colour) -> str:
    return f"<font color='{colour.hexval()}'><b>{escape(value)}</b></font>"


def checklist_line(data: PacketData) -> list:
    """Under the day checklist: how many visits, billable, on hold, not billable (R34); for a
    claim, the visits it bills."""
    if data.claim is not None:
        if not data.visits:
            return [text("Nursing visits (R34): this claim bills none.", "body")]
        n = len(data.visits)
        return [text(f"Nursing visits (R34): this claim bills {n} visit{'s' if n != 1 else ''} "
                     f"({', '.join(v.visit_id for v in data.visits)}); see Nursing visits.",
                     "body")]
    if not data.visits:
        return [text("Nursing visits (R34): none in this period.", "body")]
    counts = {s: sum(1 for v in data.visits if v.status == s)
              for s in (BILLABLE, HOLD, NOT_BILLABLE)}
    n = len(data.visits)
    words = (f"Nursing visits (R34): {n} visit{'s' if n != 1 else ''}: "
             f"{counts[BILLABLE]} billable, {counts[HOLD]} on hold, "
             f"{counts[NOT_BILLABLE]} not billable; see Nursing visits.")
    return [text(words, "body")]


def visits_section(data: PacketData, width: float, section) -> list:
    """The Nursing visits section (`section` makes its page-break, bookmark and title)."""
    story = section("Nursing visits", "Each nurse's visit of the period (R34): 99601 for the "
                    "first two hours, 99602 for each further hour once more than 30 minutes "
                    "of it passed (over 150 minutes); an end before the start is the next "
                    "morning. A visit's status does not depend on the per diem day's.")
    if data.claim is not None:
        story.append(text("The visits this claim bills, as they stood when it was made; their "
                          "statuses are R34 applied to those versions.", "body"))
        if not data.visits:
            return story + [text("This claim bills no nursing visit.", "body")]
    elif not data.visits:
        return story + [text("No nursing visit on file for this period.", "body")]
    rows = []
    for r in data.visits:
        v = data.visit_records[r.visit_id]
        times = (f"{v.start_time:%H:%M}-{v.end_time:%H:%M}"
                 if v.start_time and v.end_time else "incomplete")
        why = [f"<b>{VISIT_REASONS[c].rule}</b> {escape(VISIT_REASONS[c].sentence)}"
               for c in r.reasons]
        if r.authorization_number:
            why.insert(0, escape(f"auth {r.authorization_number}"))
        status = _coloured(r.status.capitalize(), STATUS_COLOUR[r.status])
        rows.append([fmt_date(r.date), r.visit_id, times, v.nurse or "", v.visit_type,
                     ", ".join(v.infusions), codes_text(r), markup(status),
                     markup("<br/>".join(why) or
                            f"<font color='{MUTED.hexval()}'>no reason</font>"),
                     v.note or ""])
    widths = [50, 34, 56, 64, 42, 44, 64, 46]
    rest = width - sum(widths)
    widths += [rest * 0.45, rest * 0.55]
    story.append(data_table(["Date", "Visit", "Time", "Nurse", "Type", "MAR", "Codes",
                             "Status", "Why", "Note"], rows, widths, []))
    return story
