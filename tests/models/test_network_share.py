"""Issue 14 (docs/server.md, "what never to do"): a SQLite file on a network share is refused
with the reason, on Windows too: a UNC path (\\\\server\\share) or a drive letter Windows
reports as a mapped network drive (GetDriveTypeW = DRIVE_REMOTE). Linux's network file
systems are tests/models/test_one_writer.py's."""

from __future__ import annotations

from pathlib import Path

from models import dbfile

REMOTE, FIXED = dbfile.DRIVE_REMOTE, 3


def test_a_unc_path_is_a_network_share():
    assert dbfile.windows_share(r"\\nas\pharmacy\perdiem.sqlite") == \
        r"a network share (\\nas\pharmacy)"
    assert dbfile.windows_share("//nas/pharmacy/perdiem.sqlite") is not None


def test_a_mapped_drive_is_a_network_share_and_a_local_disk_is_not():
    asked: list[str] = []

    def drive_type(root: str) -> int:
        asked.append(root)
        return REMOTE if root.upper().startswith("Z") else FIXED

    assert dbfile.windows_share(r"Z:\PerDiem\perdiem.sqlite", drive_type) == \
        "a mapped network drive (Z:)"
    assert dbfile.windows_share(r"C:\Users\biller\perdiem.sqlite", drive_type) is None
    assert asked == ["Z:\\", "C:\\"]


def test_the_refusal_names_the_place_the_reason_and_the_server(monkeypatch):
    monkeypatch.setattr(dbfile, "ON_WINDOWS", True)
    monkeypatch.setattr(dbfile, "windows_share", lambda path: "a network share (\\\\nas\\x)")
    problem = dbfile.network_problem(Path("/x/perdiem.sqlite"))
    assert problem is not None and "is on a network share" in problem
    assert "cannot lock a file there reliably" in problem and "PostgreSQL server" in problem
