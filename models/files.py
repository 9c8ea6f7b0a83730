"""Writing output files whole or not at all, so no half-written export is ever left behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder,
    then move it into place; on any failure the temporary file is removed."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name, e.g. {path / 'out'}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder")
    content = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
