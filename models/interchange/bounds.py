"""Bounds on an interchange file before its schema is checked: size, nesting, strings, numbers.

A hostile or broken file must end in a message, never a traceback: JSON nested 1,000 deep
made the parser (and the schema's checks) recurse until Python gave up, a lone surrogate
(`"\\ud800"`) reached the record models as a string no encoder can write (NaN, Infinity and
`1e400`, which Python's parser takes, are worded by models/interchange/validate.py). These
bounds are far beyond any real pharmacy's file (its deepest field is 4 levels down, its longest text
a care note) and are checked in one pass over the parsed document, with the JSON path of each
problem. The bounds on what a value means (a dose, an amount) are the record checks'
(models/records/checks.py), shared with the forms.
"""

from __future__ import annotations

import re
from typing import Any

from models.interchange.format import Path

MAX_FILE_BYTES = 1 << 30  # 1 GiB: five years of a large pharmacy are about a tenth of it
MAX_DEPTH = 16  # levels of objects and lists; the format's deepest field is 4 down
MAX_STRING = 20_000  # characters in one string; the longest field allows 4,000
MAX_PROBLEMS = 50  # a file wrong everywhere is reported by its first problems
_SURROGATE = re.compile("[\ud800-\udfff]")


def problems(doc: Any) -> list[tuple[Path, str]]:
    """What in `doc` is beyond the bounds, as (path, problem); empty when nothing is. One
    pass, with an explicit stack (no recursion, whatever the depth)."""
    found: list[tuple[Path, str]] = []
    stack: list[tuple[Path, Any]] = [((), doc)]
    while stack and len(found) < MAX_PROBLEMS:
        path, value = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                found.append((path, f"is {len(value):,} characters long; at most "
                                    f"{MAX_STRING:,} are read"))
            elif not value.isascii() and _SURROGATE.search(value):
                at = _SURROGATE.search(value)
                assert at is not None
                found.append((path, f"holds \\u{ord(at.group()):04x}, half of a character "
                                    "pair (a lone surrogate), which is no character"))
        elif isinstance(value, dict | list):
            if len(path) >= MAX_DEPTH:
                found.append((path, f"is nested more than {MAX_DEPTH} levels deep"))
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            children = [(path + (key,), item) for key, item in items
                        if isinstance(item, str | dict | list)]
            stack.extend(reversed(children))
            if isinstance(value, dict):
                bad = [k for k in value if len(k) > MAX_STRING or (
                    not k.isascii() and _SURROGATE.search(k))]
                if bad:
                    found.append((path, "has a field name that is too long or holds a lone "
                                        "surrogate"))
    return sorted(found[:MAX_PROBLEMS], key=lambda p: [str(x) for x in p[0]])


def deep_point(text: str) -> tuple[Path, int]:
    """Where JSON `text` first goes deeper than MAX_DEPTH: the path (as far as it can be
    told) and the character offset. Scans the text itself, for a document too deep for the
    parser to return."""
    stack: list[list[Any]] = []  # [is_object, key or index, expecting a key]
    in_string = escaped = False
    start = 0
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
                if stack and stack[-1][0] and stack[-1][2]:
                    stack[-1][1], stack[-1][2] = text[start:i], False
            continue
        if ch == '"':
            in_string, start = True, i + 1
        elif ch in "[{":
            if len(stack) >= MAX_DEPTH:
                return tuple(level[1] for level in stack if level[1] is not None), i
            stack.append([ch == "{", None if ch == "{" else 0, ch == "{"])
        elif ch in "]}":
            if stack:
                stack.pop()
        elif ch == "," and stack:
            if stack[-1][0]:
                stack[-1][2] = True
            else:
                stack[-1][1] += 1
    return (), len(text)
