"""Interchange documents in tests: the example file, changes made to it, and a dump of every
row to prove a refused import changed nothing."""

from __future__ import annotations

import copy
import json

from hypothesis import strategies as st
from sqlmodel import SQLModel

from tests.support import EXAMPLE


def dump(engine) -> dict[str, list[str]]:
    """Every row of every table, to prove a refused import changed nothing."""
    with engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(t.select()).all()))
                for t in SQLModel.metadata.sorted_tables}


def put(*path_and_value):
    """A change that sets the value at a path of a document (keys and list indexes)."""
    *path, value = path_and_value

    def apply(doc: dict) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return apply


def drop(*path):
    """A change that removes the value at a path of a document."""
    def apply(doc: dict) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return apply


def every(*changes):
    """Several changes made as one."""
    def apply(doc: dict) -> None:
        for change in changes:
            change(doc)
    return apply


def header(doc: dict) -> dict:
    """A document holding only the format, version and pharmacy of `doc`."""
    return {"format": doc["format"], "version": doc["version"],
            "pharmacy": copy.deepcopy(doc["pharmacy"])}


# any JSON value, small, with some that look like the example's ids, codes, dates and times
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12)
    | st.sampled_from(["2026-02-30", "o-1", "p-1001", "bcx", "S5035", "09:00"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, prefix + (key,))


# every path into the example file, for changes that damage it anywhere
EXAMPLE_PATHS = [p for p in _paths(json.loads(EXAMPLE.read_text(encoding="utf-8"))) if p]
