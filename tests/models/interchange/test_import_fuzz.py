"""Fuzzing the importer (issue 13, item 6): any file, however broken, is imported or refused
in words (a DomainError), never a traceback, and a refused file leaves the database as it was.

hypothesis starts from the example file and breaks it: a value anywhere replaced by any JSON
value (huge and tiny numbers, NaN, infinities, lone surrogates, long strings, nested lists and
objects), a field dropped or added, a record doubled, a value nested hundreds deep. Each file
is written to disk and read by `read.read_file` as the command line and the app read it.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from models.db import unit_of_work
from models.errors import DomainError
from models.interchange import read
from tests.support import EXAMPLE, databases

BASE = json.loads(EXAMPLE.read_text(encoding="utf-8"))
DEEP, LONG = "__DEEP__", "__LONG__"  # put in after dumping: a value nested deep, a long one
TABLES = ("pharmacy", "payer", "prescriber", "patient", "coverage", "authorization", "orders",
          "plan_of_care", "prep_note", "delivery", "infusion", "care_note", "record_version",
          "attachment", "claim_batch")

scalars = (
    st.none() | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(exclude_categories=()), max_size=30)
    | st.sampled_from(["", " ", "2026-10-05", "2026-02-30", "24:10", "o-1", "p-1001", "S9338",
                       "=1+1", "\ud800", "1e25", "completed", "home", DEEP, LONG])
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def places(doc: Any, path: tuple = ()) -> list[tuple]:
    """Every (path to a container, key) in `doc`."""
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(
        doc, list) else ()
    for key, value in items:
        out.append((path, key))
        out += places(value, path + (key,))
    return out


def at(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def broken_files(draw) -> str:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path, key = draw(st.sampled_from(places(doc)))
        container = at(doc, path)
        how = draw(st.sampled_from(["replace", "replace", "drop", "add", "double"]))
        if how == "replace":
            container[key] = draw(values)
        elif how == "drop":
            del container[key]
        elif how == "add" and isinstance(container, dict):
            container[draw(st.text(max_size=10))] = draw(values)
        elif how == "double" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
    depth = draw(st.sampled_from([3, 17, 400, 3000]))
    return (json.dumps(doc).replace(f'"{DEEP}"', "[" * depth + "]" * depth)
            .replace(LONG, "x" * 25_000))


def fingerprint(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in TABLES}


# FUZZ_EXAMPLES=3000 for a longer run (docs/reliability.md)
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=broken_files())
def test_any_broken_file_is_imported_or_refused_in_words_never_half(engine, migrated_template,
                                                                   tmp_path, content):
    before = fingerprint(engine)
    path = tmp_path / "fuzzed.json"
    path.write_text(content, encoding="utf-8")
    try:
        doc = read.read_file(path)
        with unit_of_work(engine) as session:
            read.import_document(session, actor="fuzz", doc=doc)
    except DomainError as refused:
        event("refused")
        assert str(refused).strip()
        assert fingerprint(engine) == before, "a refused file changed the database"
        return
    # imported: every record of the file is in, then the empty database is put back
    event("imported")
    assert fingerprint(engine)["patient"] == len(doc.get("patients", []))
    databases.replace_database(engine, Path(migrated_template.path))
