"""Tests of ui/shell: the main window, first run, background work, import and export."""
