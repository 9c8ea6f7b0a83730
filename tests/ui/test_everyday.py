"""Everyday touches (issue 16 item 5): save dialogs start in ~/Documents/PerDiem and then in
the last folder saved in; counts read "1 patient", "2 patients"."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from models.words import plural
from ui import save_folder


def test_exports_start_in_documents_then_remember_the_last_folder(tmp_path, monkeypatch):
    docs = tmp_path / "Documents"
    monkeypatch.setattr(save_folder, "documents_folder", lambda: docs / "PerDiem")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert save_folder.suggested("month.csv", settings) == str(docs / "PerDiem" / "month.csv")
    assert (docs / "PerDiem").is_dir()  # made, so the dialog opens in it
    elsewhere = tmp_path / "claims"
    elsewhere.mkdir()
    save_folder.remember(elsewhere / "oct.837", settings)
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)  # the next run
    assert save_folder.export_folder(again) == elsewhere
    elsewhere.rmdir()  # a remembered folder that is gone: back to Documents
    assert save_folder.export_folder(again) == docs / "PerDiem"


def test_documents_folder_is_perdiem_under_documents():
    assert save_folder.documents_folder().name == "PerDiem"


def test_plurals():
    assert plural(1, "patient") == "1 patient"
    assert plural(2, "patient") == "2 patients"
    assert plural(0, "billable day") == "0 billable days"
    assert plural(3, "entry") == "3 entries"
    assert plural(2, "plan of care") == "2 plans of care"
