"""Tests of models/interchange: validation, import and export."""
