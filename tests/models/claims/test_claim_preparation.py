"""Drafting a period's claims reads the billing data once: the rules' table and the drafts
come from the same load (models.billing.loading.billing_period)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.billing import loading
from models.claims import batches
from models.db import transactions, unit_of_work
from reports.claims.claim_files import renderer

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def count_loads(monkeypatch) -> list[tuple]:
    """The calls of load_billing_data from now on (each one still loads for real)."""
    calls: list[tuple] = []
    real = loading.load_billing_data

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "load_billing_data", counted)
    return calls


def test_preparing_claims_loads_the_billing_data_once(example_engine, monkeypatch):
    calls = count_loads(monkeypatch)
    with unit_of_work(example_engine) as s:
        preview = batches.prepare_claims(s, *OCTOBER, fmt="837p")
    assert preview.drafts  # the example's October bills
    assert calls == [(None, *OCTOBER)]  # the whole months of the period, every patient


def test_exporting_claims_loads_the_billing_data_once(example_engine, monkeypatch, tmp_path):
    calls = count_loads(monkeypatch)
    result = batches.export_claims(transactions(example_engine), actor="test",
                                   start=OCTOBER[0], end=OCTOBER[1], fmt="csv",
                                   out=tmp_path / "claims.csv", render=renderer("csv", False))
    assert result.written and len(calls) == 1
