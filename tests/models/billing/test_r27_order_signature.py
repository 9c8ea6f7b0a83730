"""R27 order signature timing: the pharmacy's `order_signature`, before-claim (default: R7 as
written, an order signed at any time counts) or before-service (a day served before the
order's signed date is held with `order-signed-late`, listed right after R7's place). The
table of cases is in test_rules.py (CASES, "R27 ...")."""

from __future__ import annotations

import datetime as dt

import pytest

from models import vocab
from models.billing.rules import (
    BEFORE_CLAIM,
    BEFORE_SERVICE,
    BILLABLE,
    HOLD,
    REASON_ORDER,
    REASONS,
)
from models.db import unit_of_work
from models.records import clinical, registry
from models.records.tables import Pharmacy
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

DAY = dt.date(2026, 10, 7)

def test_r27_reason_sits_right_after_r7_with_its_words_and_fix():
    assert REASON_ORDER.index("order-signed-late") == REASON_ORDER.index("unsigned-order") + 1
    reason = REASONS["order-signed-late"]
    assert (reason.rule, reason.fixed_in) == ("R27", "order")
    assert reason.sentence.startswith("The order was signed after this day")
    assert "open the order" in reason.fix
    assert tuple(vocab.ORDER_SIGNATURES) == (BEFORE_CLAIM, BEFORE_SERVICE)


def test_r27_the_setting_is_read_from_the_pharmacy(example_engine):
    """The example's order o-1 is signed 2026-09-28 (before every service day); signing it
    after 10/07 holds 10/07 only under before-service, and the default leaves Part 1 alone."""
    from models.billing.loading import billable_days

    def day_0_7():
        with unit_of_work(example_engine) as s:
            return [r for r in billable_days(s, DAY, DAY) if r.order_id == "o-1"][0]

    with unit_of_work(example_engine) as s, today_is(dt.date(2026, 10, 8)):
        o = clinical.get_record(s, registry.ORDER, "o-1")
        data = registry.ORDER.base.model_validate(o).model_copy(
            update={"signed_date": dt.date(2026, 10, 8)})
        clinical.edit_record(s, actor="t", kind=registry.ORDER, record_id="o-1", data=data,
                             reason="signature date from the faxed copy")
    before = day_0_7()
    assert before.status == BILLABLE
    with unit_of_work(example_engine) as s:
        s.get(Pharmacy, 1).order_signature = BEFORE_SERVICE
    after = day_0_7()
    assert (after.status, after.reasons) == (HOLD, ("order-signed-late",))


def test_r27_the_setting_travels_in_the_interchange_file_v1_1(engine, example_doc):
    """A new database takes the file's settings; export writes them (then version 1.1) only
    when not the defaults; a database that has its pharmacy keeps its own settings."""
    import copy

    from models.interchange import read, write

    doc = copy.deepcopy(example_doc)
    doc["version"] = 1.1
    doc["pharmacy"].update(order_signature=BEFORE_SERVICE, late_entry_days=3)
    with unit_of_work(engine) as s:
        read.import_document(s, actor="t", doc=doc)
    with unit_of_work(engine) as s:
        p = s.get(Pharmacy, 1)
        assert (p.order_signature, p.late_entry_days) == (BEFORE_SERVICE, 3)
        out = write.export_document(s)
    assert out["version"] == 1.1
    assert (out["pharmacy"]["order_signature"], out["pharmacy"]["late_entry_days"]) == (
        BEFORE_SERVICE, 3)
    with unit_of_work(engine) as s:
        s.get(Pharmacy, 1).order_signature = BEFORE_CLAIM
        s.get(Pharmacy, 1).late_entry_days = 1
    with unit_of_work(engine) as s:
        again = write.export_document(s)
    assert "order_signature" not in again["pharmacy"] and again["version"] == 1
