"""Hostile and broken interchange files (issue 13, item 5): each refused with a message naming
the JSON path, never a traceback, and the database left as it was."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import text

import main
from models.errors import DomainError
from models.interchange import bounds, read
from tests.support.databases import billing_ready


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in ("pharmacy", "patient", "orders", "infusion", "record_version")}


def import_text(engine, tmp_path: Path, content: str, capsys) -> tuple[int, str]:
    """`perdiem import` of a file holding `content`; the status and stderr."""
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    before = counts(engine)
    engine.dispose()
    status = main.main(["--db", str(engine.url.database), "import", "-q", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert counts(engine) == before, "the database is unchanged"
    return status, err


def with_value(doc: dict, collection: str, field: str, raw: str) -> str:
    """The example as JSON text, with `raw` (JSON text) as the first record's `field`."""
    marker = "__VALUE__"
    changed = copy.deepcopy(doc)
    changed[collection][0][field] = marker
    return json.dumps(changed).replace(f'"{marker}"', raw)


def test_json_nested_a_thousand_deep_is_refused_with_its_path(engine, example_doc, tmp_path,
                                                              capsys):
    deep = "[" * 1000 + "]" * 1000
    status, err = import_text(engine, tmp_path, with_value(example_doc, "orders", "notes", deep),
                              capsys)
    assert status == 1
    assert f"orders[0].notes{'[0]' * (bounds.MAX_DEPTH - 3)}: is nested more than 16" in err


def test_json_nested_deeper_than_any_record_but_readable_is_refused(engine, example_doc,
                                                                    tmp_path, capsys):
    deep = "[" * 40 + "]" * 40
    status, err = import_text(engine, tmp_path, with_value(example_doc, "infusions", "notes",
                                                           deep), capsys)
    assert status == 1 and "infusions[0].notes[0]" in err and "nested more than 16" in err


def test_a_lone_surrogate_is_refused_with_its_path(engine, example_doc, tmp_path, capsys):
    status, err = import_text(engine, tmp_path, with_value(
        example_doc, "care_notes", "text", '"Called the patient \\ud800 today"'), capsys)
    assert status == 1
    assert "care_notes[0].text: holds \\ud800, half of a character pair" in err


def test_a_character_pair_written_as_two_escapes_is_one_character_and_imports(
        engine, example_doc, tmp_path, capsys):
    path = tmp_path / "pair.json"
    path.write_text(with_value(example_doc, "care_notes", "text",
                               '"Patient sent a \\ud83d\\ude00"'), encoding="utf-8")
    engine.dispose()
    assert main.main(["--db", str(engine.url.database), "import", "-q", str(path)]) == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM care_note WHERE text LIKE 'Patient sent%'")
                            ).scalar() == "Patient sent a \U0001F600"


def test_a_string_of_a_million_characters_is_refused(engine, example_doc, tmp_path, capsys):
    status, err = import_text(engine, tmp_path, with_value(
        example_doc, "orders", "notes", json.dumps("x" * 1_000_000)), capsys)
    assert status == 1 and "orders[0].notes: is 1,000,000 characters long" in err


@pytest.mark.parametrize("raw, said", [
    ("NaN", "infusions[0].dose_given: NaN is not a number"),
    ("Infinity", "infusions[0].dose_given: Infinity is not a number"),
    ("1e400", "infusions[0].dose_given: Infinity is not a number"),
    ("1" * 5000, "not a JSON file"),
])
def test_numbers_json_has_not_are_refused(engine, example_doc, tmp_path, capsys, raw, said):
    status, err = import_text(engine, tmp_path, with_value(example_doc, "infusions",
                                                           "dose_given", raw), capsys)
    assert status == 1 and said in err


@pytest.mark.parametrize("field, collection, raw, said", [
    ("dose_given", "infusions", "1e25", "infusions[0].dose_given: is more than 1,000,000"),
    ("dose_given", "infusions", "1000000.5", "is more than 1,000,000"),
])
def test_a_dose_no_patient_is_given_is_refused_before_it_can_break_a_claim(
        engine, example_doc, tmp_path, capsys, field, collection, raw, said):
    """R21: 1e25 mg imported, then every claims run ended in decimal.InvalidOperation."""
    status, err = import_text(engine, tmp_path, with_value(example_doc, collection, field, raw),
                              capsys)
    assert status == 1 and said in err


def test_a_hcpcs_unit_amount_out_of_bounds_is_refused(engine, example_doc, tmp_path, capsys):
    doc = copy.deepcopy(example_doc)
    doc["orders"][0]["drug"]["hcpcs_unit_amount"] = 1e-9
    status, err = import_text(engine, tmp_path, json.dumps(doc), capsys)
    assert status == 1 and "orders[0].drug.hcpcs_unit_amount: is from 0.001 to 1,000,000" in err


def test_the_largest_dose_allowed_still_makes_a_claim(example_engine, example_doc, tmp_path,
                                                      capsys):
    billing_ready(example_engine)  # the ZIP+4 every claim needs (issue 11)
    with example_engine.begin() as conn:
        conn.execute(text("UPDATE infusion SET dose_given = '1000000'"))
    example_engine.dispose()
    out = tmp_path / "oct.837"
    status = main.main(["--db", str(example_engine.url.database), "claims", "--from",
                        "2026-10-01", "--to", "2026-10-31", "--format", "837p", "--out",
                        str(out)])
    assert status == 0, capsys.readouterr().err
    assert out.exists()


def test_a_file_over_the_size_bound_is_refused_before_it_is_read(engine, tmp_path, capsys):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:  # sparse: a size on disk, no bytes to read
        f.truncate(bounds.MAX_FILE_BYTES + 1)
    with pytest.raises(DomainError, match="holds at most 1,073,741,824"):
        read.read_file(big)
    engine.dispose()
    assert main.main(["--db", str(engine.url.database), "import", "-q", str(big)]) == 1
    assert "holds at most" in capsys.readouterr().err
