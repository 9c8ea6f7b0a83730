"""Waiting in GUI tests for the background reads that views start (ui.shell.workers)."""

from __future__ import annotations

from ui.shell import workers


def settle(qtbot, timeout: int = 20000) -> None:
    """Wait until every background job started so far has been delivered and shown."""
    qtbot.waitUntil(lambda: workers.pending_jobs() == 0, timeout=timeout)
