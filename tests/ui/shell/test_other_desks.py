"""Issue 14: other desks' saves appear within about a second. Two desks (two contexts, each
with its own engine) on one real PostgreSQL server: a save through one makes the other's open
patient list read again (LISTEN/NOTIFY, models/notify.py and ui/shell/other_desks.py), while a
desk's own save is announced once, not twice; a rolled-back write tells nobody."""

from __future__ import annotations

import datetime as dt

import pytest

from models import notify
from models.db import open_database, unit_of_work
from models.records import reference
from models.records.changes import Changes
from models.records.tables import PatientBase
from tests.support.gui_wait import settle
from ui.records.patients import PatientListPanel
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.other_desks import listen_to_other_desks

NEW = PatientBase(id="p-77", first_name="Ines", last_name="Okonkwo",
                  birth_date=dt.date(1958, 2, 14), sex="F", address_line1="4 Oak St",
                  city="Peoria", state="IL", zip="61602")


@pytest.fixture
def two_desks(pg_server, pg_example_template):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    engines = [open_database(url), open_database(url)]
    desks = [AppContext(engine, "tester", url) for engine in engines]
    listeners = []
    yield desks, listeners
    for listener in listeners:
        listener.stop()
    for engine in engines:
        engine.dispose()
    pg_server.drop(name)


def shown(panel: PatientListPanel) -> set[str]:
    return set(panel.model.patient_ids())


def test_a_save_at_one_desk_refreshes_the_other_desks_patient_list(qtbot, two_desks):
    (desk_a, desk_b), listeners = two_desks
    listener = listen_to_other_desks(desk_b)
    assert listener is not None
    listeners.append(listener)
    assert listener.listening.wait(10)
    panel = PatientListPanel(desk_b)
    qtbot.addWidget(panel)
    settle(qtbot)
    assert "p-77" not in shown(panel)
    heard: list[Changes] = []
    desk_b.data_changed.connect(heard.append)

    ops.WriteOp(desk_a, lambda s: reference.save_patient(s, actor="tester", data=NEW,
                                                         coverages=[])).run()

    qtbot.waitUntil(lambda: "p-77" in shown(panel), timeout=5000)
    assert heard and heard[0].touches("patient") and "p-77" in heard[0].patient_ids


def test_a_desk_announces_its_own_save_once_and_a_rollback_tells_nobody(qtbot, two_desks):
    (desk_a, desk_b), listeners = two_desks
    listeners += [listen_to_other_desks(desk_a), listen_to_other_desks(desk_b)]
    assert all(listener.listening.wait(10) for listener in listeners)
    on_a: list[Changes] = []
    on_b: list[Changes] = []
    desk_a.data_changed.connect(on_a.append)
    desk_b.data_changed.connect(on_b.append)

    with pytest.raises(RuntimeError), unit_of_work(desk_a.engine) as s:
        reference.save_patient(s, actor="tester", data=NEW, coverages=[])
        raise RuntimeError("the user's save failed after the flush")
    ops.WriteOp(desk_a, lambda s: reference.save_patient(
        s, actor="tester", data=NEW.model_copy(update={"id": "p-78"}), coverages=[])).run()

    qtbot.waitUntil(lambda: bool(on_b), timeout=5000)
    settle(qtbot)
    assert [c.patient_ids for c in on_b] == [{"p-78"}]  # not p-77: it was rolled back
    assert [c.patient_ids for c in on_a] == [{"p-78"}]  # WriteOp's own notice, not the echo


def test_a_notice_for_many_patients_is_split_under_the_servers_limit():
    many = Changes(kinds={"patient"}, patient_ids={f"p-{n:05}" for n in range(3000)})
    payloads = notify.payloads(many, "desk")
    assert len(payloads) > 1
    assert all(len(p.encode()) < 8000 for p in payloads)
    back = [notify.parse(p) for p in payloads]
    assert {pid for _, c in back for pid in c.patient_ids} == many.patient_ids
    assert notify.parse("not json") is None
