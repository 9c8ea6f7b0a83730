"""The claims CSV writer."""

from __future__ import annotations


def test_csv_keeps_a_formula_like_name_as_text():
    """A name starting with = would run as a spreadsheet formula when the CSV is opened."""
    from reports.claims.claims_csv import _text

    assert _text("=HYPERLINK(x)") == "'=HYPERLINK(x)"
    assert _text("@Lee, Ann") == "'@Lee, Ann"
    assert _text("Lee, Ann") == "Lee, Ann"
