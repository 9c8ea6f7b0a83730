"""Issue 14: when the pharmacy server is away. On a PostgreSQL server of this test's own (the
suite's shared one must stay up), stopped with `pg_ctl stop` mid-session: a save in the patient
form fails with a message naming the server and offering Retry, the form keeps every field
and nothing is saved; the command line prints one line and exits 1; once the server is
started again, Retry saves what was typed, and the listener for other desks' saves is back
and has every view read again."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

import main
from models.db import open_database, snapshot
from models.records import reference
from models.server import ServerAway, host_of, server_away
from tests.support import EXAMPLE, postgres
from ui.forms.patient_form import PatientDialog
from ui.shell.context import AppContext
from ui.shell.other_desks import listen_to_other_desks

YEAR = ["--from", "2026-01-01", "--to", "2026-12-31"]


@pytest.fixture
def own_server(pg_server):  # pg_server first: no binaries -> the same loud failure or skip
    server = postgres.Server.start()
    yield server
    server.stop()


def answer_server_box(qtbot, seen: list[str], button, before=None) -> None:
    """When the "server not reached" box shows: note its text, run `before`, press `button`."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "serverAway":
            QTimer.singleShot(20, look)
            return
        seen.append(box.text())
        if before is not None:
            before()
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, look)


def fill(qtbot, dlg: PatientDialog) -> None:
    qtbot.keyClicks(dlg.first_name, "Rosa")
    qtbot.keyClicks(dlg.last_name, "Delgado")
    qtbot.keyClicks(dlg.birth_date, "03/18/1978")
    dlg.sex.setCurrentIndex(dlg.sex.findData("F"))
    qtbot.keyClicks(dlg.address_line1, "22 Elm St")
    qtbot.keyClicks(dlg.city, "Peoria")
    qtbot.keyClicks(dlg.state, "il")
    qtbot.keyClicks(dlg.zip, "61604")
    cov = dlg.coverage_editors()[0]
    qtbot.keyClicks(cov.member_id, "XBP990011")
    qtbot.keyClicks(cov.start_date, "01/01/2026")


def rosas(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM patient WHERE last_name = 'Delgado'")
                            ).scalar()


def test_a_save_while_the_server_is_stopped_keeps_the_form_and_retry_saves(
        qtbot, own_server, capsys):
    url = own_server.create("pharmacy")
    assert main.main(["--db", url, "import", "-q", str(EXAMPLE)]) == 0
    capsys.readouterr()
    engine = open_database(url)
    ctx = AppContext(engine, "tester", url)
    dlg = PatientDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    fill(qtbot, dlg)
    listener = listen_to_other_desks(ctx)  # other desks' notices: reconnects after the gap
    assert listener is not None and listener.listening.wait(10)
    heard: list = []
    ctx.data_changed.connect(heard.append)
    try:
        own_server.halt()  # pg_ctl stop: the session's pooled connection is cut

        seen: list[str] = []
        answer_server_box(qtbot, seen, QMessageBox.StandardButton.Cancel)
        assert dlg.save() is False
        assert len(seen) == 1
        assert seen[0].startswith(f"The pharmacy server at {own_server.folder} cannot be "
                                  "reached (")
        assert "what you typed is kept" in seen[0] and "Retry" in seen[0]
        assert "Traceback" not in seen[0] and "psycopg" not in seen[0]
        assert dlg.isVisible()
        assert (dlg.first_name.text(), dlg.last_name.text(), dlg.zip.text()) == (
            "Rosa", "Delgado", "61604")
        assert dlg.coverage_editors()[0].member_id.text() == "XBP990011"

        # the command line meanwhile: one line, exit 1 (at its open: models/server.unreachable)
        code = main.main(["--db", url, "billable-days", *YEAR])
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "PerDiem cannot reach the database server for postgresql" in err
        assert str(own_server.folder).replace("/", "%2F") in err or \
            str(own_server.folder) in err

        # Save again: still away, so the box again; the server is started, then Retry
        again: list[str] = []
        answer_server_box(qtbot, again, QMessageBox.StandardButton.Retry,
                          before=own_server.resume)
        with qtbot.waitSignal(dlg.patient_saved, timeout=10000) as saved:
            assert dlg.save() is True
        assert len(again) == 1
        # the listener is back on the server: every view reads again (notices were missed)
        qtbot.waitUntil(lambda: any(c.touches("patient", "order", "care_note")
                                    and not c.patient_ids for c in heard), timeout=10000)
    finally:
        listener.stop()
        engine.dispose()
    check = open_database(url)
    try:
        assert rosas(check) == 1
        with snapshot(check) as s:
            assert reference.get_patient(s, saved.args[0]).birth_date == dt.date(1978, 3, 18)
    finally:
        check.dispose()


def test_only_connection_failures_are_the_server_away():
    import psycopg
    from sqlalchemy.exc import OperationalError

    refused = OperationalError("SELECT 1", {}, psycopg.OperationalError(
        "connection failed: connection to server at \"10.0.0.5\", port 5432 failed: "
        "Connection refused\n\tIs the server running on that host?"))
    away = server_away(refused, "postgresql://biller@10.0.0.5:5432/pharmacy")
    assert isinstance(away, ServerAway)
    assert str(away) == ("The pharmacy server at 10.0.0.5:5432 cannot be reached (connection to "
                         "server at \"10.0.0.5\", port 5432 failed: Connection refused).")
    assert server_away(refused, "sqlite:///tmp/x.sqlite") is None
    assert host_of("postgresql://u@/db?host=/run/postgresql") == "/run/postgresql"
