"""The allowed-values lists (models/vocab.py) are the interchange format's: what a form offers
and a check accepts exports and imports again."""

from __future__ import annotations

import pytest

from models import vocab
from models.interchange.format import schema


def schema_enum(path: str) -> list[str]:
    """The enum at `def.field[.field...]` of the schema's $defs."""
    def_name, *fields = path.split(".")
    node = schema()["$defs"][def_name]
    for name in fields:
        node = node["properties"][name]
    return node["enum"]


@pytest.mark.parametrize("path", sorted(vocab.SCHEMA_ENUMS))
def test_each_list_is_the_schemas(path):
    assert list(vocab.SCHEMA_ENUMS[path]) == schema_enum(path)


def test_every_enum_of_the_schema_has_its_list():
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            if "enum" in node:
                found.append(where)
            for key, child in node.get("properties", {}).items():
                walk(child, f"{where}.{key}")

    for def_name, node in schema()["$defs"].items():
        walk(node, def_name)
    assert sorted(found) == sorted(vocab.SCHEMA_ENUMS)


def test_not_given_is_every_status_without_a_dose():
    assert vocab.NOT_GIVEN == ("held", "refused", "missed")
    assert set(vocab.NOT_GIVEN) | vocab.ADMINISTERED == set(vocab.INFUSION_STATUSES)


@pytest.mark.parametrize("values, words", [
    (("a",), "a"), (("a", "b"), "a or b"), (("a", "b", "c"), "a, b or c")])
def test_alternatives_name_them_as_a_sentence_does(values, words):
    assert vocab.alternatives(values) == words
