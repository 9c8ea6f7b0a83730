"""Tests of the benchmark harness's plumbing (no timing asserted)."""
