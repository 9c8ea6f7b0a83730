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


def test_every_payer_kind_has_one_label():
    """Issue 16: one spelling of each payer kind on every screen."""
    from models.vocab import PAYER_KIND_LABELS, PAYER_KINDS, payer_kind_label

    assert set(PAYER_KIND_LABELS) == set(PAYER_KINDS)
    assert payer_kind_label("tricare") == "TRICARE"
    assert len(set(PAYER_KIND_LABELS.values())) == len(PAYER_KINDS)


def test_per_diem_codes_have_clear_names():
    """Issue 16: the long description without the services every per diem includes."""
    from models import codes

    assert codes.clear_name("S9500") == ("Antibiotic, antiviral, or antifungal therapy; once "
                                         "every 24 hours")
    assert codes.clear_name("S9338") == "Immunotherapy"
    assert codes.clear_name("S9366").startswith("Total parenteral nutrition (tpn); more than one")
    names = [codes.clear_name(c.code) for c in codes.per_diem_codes()]
    assert all(names) and not any("administrative services" in n for n in names)
