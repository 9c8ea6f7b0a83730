"""Output files are written whole or not at all (models.files.write_atomic)."""

from __future__ import annotations

import pytest

from models.files import atomic_file, write_atomic


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


def test_atomic_file_streams_text_and_leaves_nothing_on_a_failure(tmp_path):
    target = tmp_path / "big.json"
    with atomic_file(target, text=True) as f:
        f.write("ü\r\n")
        f.write("line\n")
    assert target.read_bytes() == "ü\r\nline\n".encode()  # line ends as written, on any OS
    with pytest.raises(ValueError), atomic_file(target, text=True) as f:
        f.write("half")
        raise ValueError("the export failed half-way")
    assert target.read_bytes() == "ü\r\nline\n".encode()
    assert [f.name for f in tmp_path.iterdir()] == ["big.json"]
