"""Where save dialogs start: the folder the user last saved an export in, else a PerDiem
folder under Documents (~/Documents/PerDiem), never the program's folder (issue 16).

`suggested(name)` is the path a save dialog proposes; `remember(path)` keeps the folder a file
was saved in for the next dialog (QSettings "exports/last_folder")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

KEY = "exports/last_folder"


def _settings() -> QSettings:
    return QSettings("PerDiem", "PerDiem")


def documents_folder() -> Path:
    """~/Documents/PerDiem (the home folder's PerDiem when there is no Documents folder)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return (Path(docs) if docs else Path.home()) / "PerDiem"


def export_folder(settings: QSettings | None = None, *, create: bool = True) -> Path:
    """The last folder saved in, if it still exists; else the Documents one (made if
    `create`, so the dialog opens in it)."""
    last = (settings or _settings()).value(KEY)
    if last and Path(str(last)).is_dir():
        return Path(str(last))
    folder = documents_folder()
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # read-only Documents: the dialog starts in the home folder
            return Path.home()
    return folder


def suggested(name: str, settings: QSettings | None = None) -> str:
    return str(export_folder(settings) / name)


def remember(path: str | Path, settings: QSettings | None = None) -> None:
    s = settings or _settings()
    s.setValue(KEY, str(Path(path).parent))
    s.sync()
