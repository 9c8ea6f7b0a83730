"""The billing month as a PDF to print (issue 16): one row per patient (as the month view
shows it, after its filters), a column per day with the day's status as a letter (B billable,
H hold, N not billable, C claimed; the legend says so, and the letters read in black and white),
and the totals. Rows of models/billing/month.py in, bytes out."""

from __future__ import annotations

import calendar
import datetime as dt

from reportlab.lib.units import inch
from reportlab.platypus import Spacer

from models.billing import month
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.words import plural
from reports import styles

LETTER = {BILLABLE: "B", HOLD: "H", NOT_BILLABLE: "N", month.CLAIMED: "C"}
LEGEND = "B billable · H on hold (the reason is in the app) · N not billable · C claimed"


def render_month(first: dt.date, rows: list[month.PatientMonth], pharmacy: str, *,
                 created_at: dt.datetime | None = None) -> bytes:
    width = styles.content_width()
    last = calendar.monthrange(first.year, first.month)[1]
    title = f"{calendar.month_name[first.month]} {first.year}"
    header = styles.RunningHeader(pharmacy or "PerDiem", "Billing month",
                                  plural(len(rows), "patient"),
                                  created_at or dt.datetime.now().astimezone(), line_right=title)
    name_w, total_w = 1.35 * inch, 0.3 * inch
    day_w = (width - name_w - 4 * total_w) / last
    body = []
    for r in rows:
        cells = [styles.text(r.name, "small")]
        for d in range(1, last + 1):
            shown = month.combined_shown(r.days.get(d, []), r.claimed)
            cells.append(LETTER.get(shown, "") if shown else "")
        totals = r.totals
        cells += [str(totals.get(BILLABLE, 0) - r.claimed_count), str(totals.get(HOLD, 0)),
                  str(totals.get(NOT_BILLABLE, 0)), str(r.claimed_count)]
        body.append(cells)
    table = styles.data_table(
        ["Patient", *(str(d) for d in range(1, last + 1)), "B", "H", "N", "C"], body,
        [name_w, *([day_w] * last), *([total_w] * 4)],
        extra=[("FONTSIZE", (1, 0), (-1, -1), 6.5), ("LEFTPADDING", (1, 0), (-1, -1), 1),
               ("RIGHTPADDING", (1, 0), (-1, -1), 1), ("ALIGN", (1, 0), (-1, -1), "CENTER")])
    story = [styles.text(f"Billing month: {title}", "title"), Spacer(1, 0.06 * inch),
             styles.text(LEGEND, "note"), Spacer(1, 0.1 * inch), table]
    pdf, _pages = styles.build_pdf(story, header, title=f"Billing month {first:%Y-%m}",
                                   subject="Every patient's billing days")
    return pdf
