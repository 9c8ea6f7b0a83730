"""A damaged database in the app (issue 13, item 4): the reason, the good backups, Restore."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from models import backup, db
from ui.shell.damaged import DatabaseProblemDialog


def patients(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM patient ORDER BY id")).scalars().all()


@pytest.fixture
def damaged(example_engine) -> tuple[Path, db.DatabaseDamaged]:
    """The example database with today's copy taken, then overwritten with text."""
    path = Path(str(example_engine.url.database))
    example_engine.dispose()
    db.open_database(str(example_engine.url), daily_backup=True).dispose()
    path.write_text("not a database any more\n" * 300, encoding="utf-8")
    with pytest.raises(db.DatabaseDamaged) as caught:
        db.open_database(str(example_engine.url))
    return path, caught.value


def test_a_damaged_database_offers_its_good_backups_and_restores_one(qtbot, damaged):
    path, error = damaged
    (good,) = error.backups
    assert good.path == backup.daily_name(path, dt.date.today())
    broken_copy = backup.backup_folder(path) / "perdiem-2001-01-01.sqlite"
    broken_copy.write_bytes(b"\0" * 4096)  # a copy that fails the check is not offered

    dialog = DatabaseProblemDialog(path, db.DatabaseDamaged(path, error.problem))
    qtbot.addWidget(dialog)
    assert "cannot be opened as a PerDiem database" in dialog.message.text()
    assert "restore" in dialog.message.text()
    assert dialog.backups.count() == 1
    assert dialog.backups.item(0).data(Qt.ItemDataRole.UserRole) == str(good.path)
    assert dialog.restore_button.isEnabled()

    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == DatabaseProblemDialog.DialogCode.Accepted
    assert dialog.engine is not None
    assert patients(dialog.engine) == ["p-1001"]
    dialog.engine.dispose()
    (kept,) = backup.backup_folder(path).glob("perdiem-before-restore-*")
    assert kept.read_text(encoding="utf-8").startswith("not a database any more")


def test_without_a_good_backup_the_dialog_says_so_and_restores_nothing(qtbot, tmp_path):
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    with pytest.raises(db.DatabaseDamaged) as caught:
        db.open_database(f"sqlite:///{path}")
    assert "the file is empty (0 bytes)" in str(caught.value)
    dialog = DatabaseProblemDialog(path, caught.value)
    qtbot.addWidget(dialog)
    assert dialog.backups.count() == 0 and not dialog.restore_button.isEnabled()
    assert "No backup of it was found" in dialog.message.text()
    assert path.read_bytes() == b"", "an empty file never silently becomes an empty pharmacy"


def test_a_failed_upgrade_names_its_copy_in_the_dialog(qtbot, tmp_path):
    from alembic import command

    path = tmp_path / "old.sqlite"
    engine = db.make_engine(f"sqlite:///{path}")
    command.upgrade(db.alembic_config(engine), "0001")
    with engine.begin() as conn:  # a later migration's table, so the upgrade fails
        conn.execute(text("CREATE TABLE claim_batch (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(db.UpgradeFailed) as caught:
        db.open_database(f"sqlite:///{path}")
    dialog = DatabaseProblemDialog(path, caught.value)
    qtbot.addWidget(dialog)
    assert f"{path}.bak-0001" in dialog.message.text()
    assert "Nothing was changed" in dialog.message.text()
    assert [dialog.backups.item(i).toolTip() for i in range(dialog.backups.count())] == [
        f"{path}.bak-0001"]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
