"""CSV cells a spreadsheet reads as text: never as a formula it would run.

A cell starting with `=`, `+`, `-` or `@` (or a TAB or a CR, which some spreadsheets skip
before one of those) is run as a formula when the file is opened: a patient named
`=HYPERLINK("http://...")` became a link in the month CSV. Such a cell is written with a
leading apostrophe, which spreadsheets show as text; a plain number (`-2.50`) is no formula
and stays a number. Every CSV writer of the project writes its cells through `cell`
(the month table, the billable days, the claims CSV).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def cell(value: Any) -> str:
    """`value` as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def row(values: Iterable[Any]) -> list[str]:
    return [cell(v) for v in values]


def record(values: Mapping[str, Any]) -> dict[str, str]:
    return {k: cell(v) for k, v in values.items()}
