"""Writing output files whole or not at all, so no half-written export is ever left behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_file(path: Path | str, *, text: bool = False) -> Iterator[IO[Any]]:
    """A file to write (binary, or UTF-8 text with "\\n" line ends) that takes the place of
    `path` when the block ends; on any failure it is removed and `path` is left as it was.
    Lets a large output be written as it is made instead of held in memory whole."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name, e.g. {path / 'out'}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder")
    # mkstemp creates the file 0600 (its owner's only; issue 12): the finished file keeps it
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        mode = {"mode": "w", "encoding": "utf-8", "newline": "\n"} if text else {"mode": "wb"}
        with os.fdopen(fd, **mode) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder,
    then move it into place; on any failure the temporary file is removed."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(path) as f:
        f.write(content)
    return Path(path)
