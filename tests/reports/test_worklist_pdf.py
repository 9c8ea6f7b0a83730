"""The printable work list (issue 16 item 5), read back with pypdf: every section with its
count and every line of the demo pharmacy's list."""

from __future__ import annotations

import io

from pypdf import PdfReader

from models.billing import worklist
from models.db import snapshot
from reports.worklist_pdf import render_worklist
from tests.support.databases import DEMO_TODAY


def test_the_work_list_prints_every_line(demo_engine):
    with snapshot(demo_engine) as s:
        work = worklist.build_worklist(s, DEMO_TODAY)
    pdf = render_worklist(work, "Lakeshore Home Infusion")
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Work list for Friday 11/27/2026" in text
    for key, title in worklist.SECTIONS.items():
        assert f"{title.upper()} ({len(work.section(key))})" in text
    for item in work.items:
        assert item.patient_name in text
        assert " ".join(item.text.split()[:3]) in text
