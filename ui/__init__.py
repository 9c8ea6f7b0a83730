"""PerDiem's PySide6 desktop interface."""
