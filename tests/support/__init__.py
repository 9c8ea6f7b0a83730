"""Helpers shared by the tests: data builders and checkers (no test module imports another)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the project folder
DATA = ROOT / "tests" / "data"
EXAMPLE = DATA / "example.json"  # a copy of ../shared/interchange/example.json
