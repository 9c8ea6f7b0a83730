"""Tests of reports/: packets read back with pypdf."""
