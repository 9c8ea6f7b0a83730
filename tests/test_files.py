"""Output files are written whole or not at all (models.files.write_atomic)."""

from __future__ import annotations

import pytest

from models.files import write_atomic


def test_writes_text_and_bytes_and_replaces(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, "ü\n")
    assert target.read_bytes() == "ü\n".encode()
    write_atomic(target, b"%PDF")
    assert target.read_bytes() == b"%PDF"
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]


def test_a_folder_or_missing_folder_is_refused_in_words(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder: give a file name"):
        write_atomic(tmp_path, "x")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        write_atomic(tmp_path / "nope" / "out.csv", "x")


def test_a_failed_write_leaves_the_old_file_and_no_part_file(tmp_path, monkeypatch):
    target = tmp_path / "p.pdf"
    target.write_bytes(b"old")

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("models.files.os.replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert [f.name for f in tmp_path.iterdir()] == ["p.pdf"]
    assert target.read_bytes() == b"old"
