"""The billing load leaves Python's garbage collector alone (issue 9): it once switched it off
for the whole process while a period was read and evaluated, on whatever thread asked."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from models.billing import loading, rules
from models.db import unit_of_work

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def test_billable_days_run_with_the_collector_on_and_its_usual_thresholds(example_engine,
                                                                          monkeypatch):
    usual = (gc.isenabled(), gc.get_threshold())
    assert usual[0]  # the test process collects as usual, or this proves nothing
    seen: list[tuple[str, tuple[bool, tuple[int, ...]]]] = []
    real_load, real_evaluate = loading.load_billing_data, rules.evaluate

    def load(*args, **kwargs):
        seen.append(("load", (gc.isenabled(), gc.get_threshold())))
        return real_load(*args, **kwargs)

    def evaluate(*args, **kwargs):
        seen.append(("evaluate", (gc.isenabled(), gc.get_threshold())))
        return real_evaluate(*args, **kwargs)

    monkeypatch.setattr(loading, "load_billing_data", load)
    monkeypatch.setattr(rules, "evaluate", evaluate)
    with unit_of_work(example_engine) as session:
        days = loading.billable_days(session, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert days  # the example's October was read and evaluated
    assert seen == [("load", usual), ("evaluate", usual)]
    assert (gc.isenabled(), gc.get_threshold()) == usual
