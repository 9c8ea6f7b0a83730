"""The Qt binding itself: a release that breaks the app is excluded in pyproject.toml."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 200
# references given back to True if the binding took them (so this test cannot crash later ones)
_given_back: list[bool] = []


class _Emitter(QObject):
    happened = Signal()


def test_emitting_a_signal_keeps_the_reference_counts():
    """PySide6 6.12.0 drops a reference to True on every Signal.emit() from Python; on Python
    3.11 True is then freed after some thousands of emits and the app aborts ("bool_dealloc:
    deallocating True or False"). The app emits on every read and change."""
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(EMITS):
        emitter.happened.emit()
    lost = before - sys.getrefcount(True)
    _given_back.extend([True] * max(lost, 0))
    assert lost < EMITS // 2, f"Signal.emit() dropped {lost} references to True"
