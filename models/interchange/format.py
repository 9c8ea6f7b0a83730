"""The interchange file format, version 1.1 (1 plus optional fields, docs/interchange.md; a
version 1 file still reads): its schema (resources/interchange-schema.json),
the collections it holds (the registry's record kinds, in writing order) and error paths."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

import resources
from models.records import registry
from models.records.registry import RecordKind

FORMAT, VERSION = "infusion-interchange", 1.1
VERSIONS = (1, 1.1)  # what an import reads
# collection -> the kind it holds, in the order of writing: each after the kinds it names
COLLECTIONS: dict[str, RecordKind[Any, Any]] = {k.collection: k for k in registry.KINDS}

Path = tuple[str | int, ...]  # where in a file: ("orders", 3, "prescriber")


@cache
def schema() -> dict:
    return json.loads(resources.path("interchange-schema.json").read_text(encoding="utf-8"))


@cache  # asked once per exported record
def properties(def_name: str) -> tuple[str, ...]:
    """The fields of one of the schema's $defs, in the schema's order."""
    return tuple(schema()["$defs"][def_name]["properties"])


def format_path(path: Iterable[str | int]) -> str:
    """`("orders", 3, "prescriber")` -> `orders[3].prescriber`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"
