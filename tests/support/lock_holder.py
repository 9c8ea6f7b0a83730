"""Another PerDiem holding a database's writer lock, until its stdin closes (run as a process).

    python -m tests.support.lock_holder DB_PATH USER
"""

from __future__ import annotations

import sys
from pathlib import Path

from models.dbfile import WriterLock

if __name__ == "__main__":
    with WriterLock(Path(sys.argv[1]), sys.argv[2]):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes it
