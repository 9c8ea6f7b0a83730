"""What the per-patient tabs share: they read in the background, and only while in front."""

from __future__ import annotations

from PySide6.QtGui import QColor

# the colour of "Loading…" / "Computing…" words, quieter than data and unlike an error's red
LOADING_COLOR = QColor("#6b5d00")
LOADING_STYLE = f"color: {LOADING_COLOR.name()}; font-style: italic;"


class LoadsInFront:
    """Mixin for a patient tab (a QWidget whose `reload()` starts its background read).

    While the tab is behind another one, a new patient or a data change only marks it stale;
    it reads when it comes to the front, so selecting a patient reads for the one tab being
    looked at. A tab standing alone (a test, a dialog) is always in front. `reload()` starts
    with `if self.deferred(): return`."""

    _in_front = True
    _stale = False

    def set_in_front(self, in_front: bool) -> None:
        self._in_front = in_front
        if in_front and self._stale:
            self.reload()

    def deferred(self) -> bool:
        """True (and the tab marked stale) when the tab is behind another one."""
        if not self._in_front:
            self._stale = True
            return True
        self._stale = False
        return False

    def reload(self) -> None:  # pragma: no cover - every tab has its own
        raise NotImplementedError
