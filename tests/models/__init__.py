"""Tests of models/: no Qt here (tests/test_layers.py checks it)."""
