"""Today's work list as a PDF to print (issue 16): a section per kind of work with its count,
one row per thing to do (patient, what), as the Today page shows it
(models/billing/worklist.py). A WorkList in, bytes out."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import inch
from reportlab.platypus import Spacer

from models.billing.worklist import SECTIONS, WorkList
from reports import styles


def render_worklist(work: WorkList, pharmacy: str, *,
                    created_at: dt.datetime | None = None) -> bytes:
    width = styles.content_width()
    day = styles.fmt_date(work.today)
    header = styles.RunningHeader(pharmacy or "PerDiem", "Work list",
                                  f"{len(work.items)} to do",
                                  created_at or dt.datetime.now().astimezone(),
                                  line_right=day)
    story: list = [styles.text(f"Work list for {work.today:%A} {day}", "title"),
                   Spacer(1, 0.1 * inch)]
    for key, title in SECTIONS.items():
        items = work.section(key)
        story.append(styles.band(f"{title} ({len(items)})", width))
        if items:
            story.append(styles.data_table(
                ["Done", "Patient", "What to do"],
                [["☐", i.patient_name, i.text] for i in items],
                [0.45 * inch, 1.9 * inch, width - 2.35 * inch]))
        else:
            story.append(styles.text("Nothing.", "note"))
        story.append(Spacer(1, 0.12 * inch))
    pdf, _pages = styles.build_pdf(story, header, title=f"Work list {work.today.isoformat()}",
                                   subject="What needs doing today")
    return pdf
