"""An edit made from a stale form (issue 13, item 2): another workstation saved a correction
meanwhile; the form's save is refused with both versions shown, nothing typed is lost, and
the correction stays."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.clinical import StaleEdit
from tests.support.gui_record_data import PATIENT, build_records
from ui.forms import kit
from ui.forms.record_forms import make_record_dialog
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot):
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def prep_note(engine):
    with unit_of_work(engine) as s:
        return clinical.get_record(s, kind=registry.PREP_NOTE, record_id="rx-1")


def correct_elsewhere(engine, bud: dt.date) -> None:
    """Another workstation's correction, saved while the form is open."""
    with unit_of_work(engine) as s:
        note = clinical.get_record(s, kind=registry.PREP_NOTE, record_id="rx-1")
        data = registry.PREP_NOTE.base.model_validate(note.model_dump())
        data.beyond_use_date = bud
        clinical.edit_record(s, actor="Sam Ortiz", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=data, reason="BUD from the pharmacy label",
                             base_version=note.version)


def test_a_form_opened_before_a_correction_cannot_save_over_it(ctx, engine, qtbot,
                                                               monkeypatch):
    dialog = make_record_dialog(ctx, None, registry.PREP_NOTE, patient_id=PATIENT, record_id="rx-1")
    qtbot.addWidget(dialog)
    dialog.show()
    opened = prep_note(engine)
    correct_elsewhere(engine, dt.date(2026, 11, 21))

    bud = dialog.form.fields["beyond_use_date"]
    bud.selectAll()
    bud.clear()
    qtbot.keyClicks(bud, "11/19/2026")
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "BUD misread")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and bud.text() == "11/19/2026", "nothing typed is lost"
    message = dialog.form.message.text()
    assert 'was changed by Sam Ortiz' in message
    assert f"(version {opened.version + 1}) after you opened version {opened.version}" in message
    assert "beyond_use_date: 2026-11-21 / 2026-11-19" in message, "both versions shown"
    saved = prep_note(engine)
    assert (saved.version, saved.beyond_use_date, saved.recorded_by) == (
        opened.version + 1, dt.date(2026, 11, 21), "Sam Ortiz")


def test_a_stale_edit_is_refused_by_the_service_with_nothing_saved(engine):
    build_records(engine)
    note = prep_note(engine)
    correct_elsewhere(engine, dt.date(2026, 11, 21))
    data = registry.PREP_NOTE.base.model_validate(note.model_dump())
    data.beyond_use_date = dt.date(2026, 11, 19)
    with pytest.raises(StaleEdit) as refused, unit_of_work(engine) as s:
        clinical.edit_record(s, actor="Jia Lee", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=data, reason="BUD misread", base_version=note.version)
    assert refused.value.saved_version == note.version + 1
    with pytest.raises(StaleEdit), unit_of_work(engine) as s:
        clinical.void_record(s, actor="Jia Lee", kind=registry.PREP_NOTE, record_id="rx-1",
                             reason="duplicate", base_version=note.version)
    assert prep_note(engine).beyond_use_date == dt.date(2026, 11, 21)


def test_a_void_from_a_list_read_before_a_correction_is_refused(ctx, engine, qtbot,
                                                               monkeypatch):
    """The list was read before another workstation's correction: voiding from it is refused
    with the correction named, and the corrected record stays in force."""
    from tests.support.gui_wait import settle
    from ui.records import record_list
    from ui.records.documents_tab import DocumentsTab

    tab = DocumentsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    tab.show_section(registry.PREP_NOTE)
    panel = tab.panels[registry.PREP_NOTE]
    settle(qtbot)
    panel.select("rx-1")
    correct_elsewhere(engine, dt.date(2026, 11, 21))
    shown = []
    monkeypatch.setattr(record_list, "show_error",
                        lambda parent, exc, title="": shown.append((title, str(exc))))
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "duplicate")
    qtbot.mouseClick(panel.void_button, Qt.MouseButton.LeftButton)
    assert [title for title, _ in shown] == ["Not voided"]
    assert "Sam Ortiz" in shown[0][1]
    saved = prep_note(engine)
    assert not saved.voided and saved.beyond_use_date == dt.date(2026, 11, 21)
