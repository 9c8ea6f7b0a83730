"""Counts in words: "1 patient", "2 patients", "1 day", "3 entries" (one spelling for the
GUI, the command line and the reports)."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "delivery": "deliveries", "day(s)": "days",
             "plan of care": "plans of care", "batch": "batches"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """The count with its noun in the right number: plural(1, "patient") is "1 patient"."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        last = word.rsplit(" ", 1)[-1]
        many = (word[: len(word) - len(last)] + IRREGULAR[last] if last in IRREGULAR
                else IRREGULAR.get(word, word + "s"))
    return f"{n} {many}"
