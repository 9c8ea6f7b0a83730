"""Issue 12 item 3 in the GUI: a row for each viewing, printing and exporting path (a
patient's record opened, a packet, a claim's packet, a month's packets, an export), and the
administrator's viewer with its filters and chain check (refused to other roles)."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings
from sqlmodel import select

from models.db import snapshot, unit_of_work
from models.security import accounts
from models.security.tables import AuditEvent
from tests.support.gui_wait import settle
from ui.claims import packet_actions
from ui.shell.audit_viewer import AuditViewer
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

PW = "correct horse 1"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture
def staffed(example_engine):
    with unit_of_work(example_engine) as s:
        accounts.add_account(s, actor="x", username="admin", roles=["administrator"],
                             password=PW, hasher=CHEAP)
        for name, role in (("nina", "nurse"), ("bill", "billing")):
            accounts.add_account(s, actor="admin", username=name, roles=[role], password=PW,
                                 hasher=CHEAP)
    return example_engine


def _rows(engine, user):
    with snapshot(engine) as s:
        return [(r.action, r.patient_id, r.detail) for r in s.exec(
            select(AuditEvent).where(AuditEvent.username == user).order_by(AuditEvent.id))]


def test_opening_a_patient_in_the_window_is_recorded(qtbot, staffed, db_url, tmp_path):
    ctx = AppContext(staffed, "nina", db_url)
    window = MainWindow(ctx, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    qtbot.waitUntil(lambda: window.security.active)
    window.select_patient("p-1001")
    settle(qtbot)
    qtbot.waitUntil(lambda: ("viewed", "p-1001", "") in _rows(staffed, "nina"))


def test_the_administrator_opening_a_patient_is_refused_and_covered(qtbot, staffed, db_url,
                                                                     tmp_path):
    ctx = AppContext(staffed, "admin", db_url)
    window = MainWindow(ctx, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    qtbot.waitUntil(lambda: window.security.active)
    window.select_patient("p-1001")
    settle(qtbot)
    qtbot.waitUntil(lambda: "may not open patients' clinical records"
                    in window.empty_hint.text())
    assert window.detail_stack.currentIndex() == 0
    assert ("viewed", "p-1001", "") not in _rows(staffed, "admin")


def test_each_packet_path_and_the_export_are_recorded(qtbot, staffed, db_url, tmp_path,
                                                      monkeypatch):
    monkeypatch.setattr(packet_actions, "_offer_open_or_print", lambda job, path: None)
    ctx = AppContext(staffed, "bill", db_url)
    job = packet_actions.make_packet(ctx, None, "p-1001", *OCT, path=tmp_path / "one.pdf")
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    job = packet_actions.make_month_packets(ctx, None, 2026, 10, folder=tmp_path / "oct")
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    rows = _rows(staffed, "bill")
    assert ("packet", "p-1001", "one.pdf") in rows
    assert any(a == "packet" and p == "p-1001" and d.startswith("2026-10")
               for a, p, d in rows)

    from ui.shell.import_export import ImportExport

    window = MainWindow(ctx, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    settle(qtbot)
    ie: ImportExport = window.import_export
    with qtbot.waitSignal(ie.exported, timeout=20000):
        ie.start_export(tmp_path / "all.json")
    assert _rows(staffed, "bill")[-1] == ("export", None, "all.json")


def test_the_viewer_filters_and_checks_the_chain_for_the_administrator(qtbot, staffed,
                                                                       db_url):
    ctx = AppContext(staffed, "admin", db_url)
    viewer = AuditViewer(ctx)
    qtbot.addWidget(viewer)
    total = viewer.table.rowCount()
    assert total == 4  # the import of the example, then the three accounts added
    viewer.user.setText("nobody")
    viewer.show_button.click()
    assert viewer.table.rowCount() == 0
    viewer.user.clear()
    viewer.start.setText("not a date")
    viewer.show_button.click()
    assert viewer.message.text() == 'from: "not a date" is not a date in the form YYYY-MM-DD'
    viewer.start.clear()
    viewer.verify_button.click()
    assert viewer.message.text().startswith("Every row follows the one before it")


def test_the_viewer_is_refused_to_a_nurse(qtbot, staffed, db_url):
    viewer = AuditViewer(AppContext(staffed, "nina", db_url))
    qtbot.addWidget(viewer)
    assert viewer.table.rowCount() == 0
    assert "nina (nurse) may not read the audit trail" in viewer.message.text()
