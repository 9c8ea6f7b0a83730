"""Runs a command and writes its wall time and peak memory (JSON) to a file.

    python -S benchmarks/launch.py REPORT.json COMMAND [ARGS...]

On Linux a process's peak resident memory (ru_maxrss) counts the memory of the process that
forked it, so a large benchmark harness would inflate every figure: this small process, which
imports nothing from the project, is the one that forks.
"""

import json
import os
import sys
import time


def main() -> int:
    report, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"seconds": wall, "maxrss_kb": usage.ru_maxrss}, f)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by a signal: 128 + its number


if __name__ == "__main__":
    sys.exit(main())
