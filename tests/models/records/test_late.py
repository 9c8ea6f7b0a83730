"""R26: which records are late entries, and what the packet and the day panel say of them."""

import datetime as dt

import pytest

from models.records.late import LATE_ENTRY_DAYS, days_late, is_late, late_note

D = dt.date(2026, 10, 5)


@pytest.mark.parametrize("recorded_at, days, late", [
    (dt.datetime(2026, 10, 5, 23, 59), 1, False),   # R26: the same day
    (dt.datetime(2026, 10, 6, 0, 1), 1, False),     # R26: the next day is on time
    (dt.datetime(2026, 10, 7, 8, 0), 1, True),      # R26: two days later is late
    (dt.datetime(2026, 10, 7, 8, 0), 2, False),     # a pharmacy allowing two days
    (dt.datetime(2026, 10, 8, 8, 0), 2, True),
    (dt.datetime(2026, 10, 5, 9, 0), 0, False),     # setting 0: only the same day is on time
    (dt.datetime(2026, 10, 6, 9, 0), 0, True),
    (dt.datetime(2026, 10, 1, 9, 0), 1, False),     # saved before its date (a plan, an order)
    (dt.date(2026, 11, 26), 1, True),               # a date alone (an import's recorded date)
    (None, 1, False),                               # unknown time of saving: not judged late
])
def test_r26_late_entry(recorded_at, days, late):
    assert is_late(D, recorded_at, days) is late


def test_r26_default_is_one_day():
    assert LATE_ENTRY_DAYS == 1
    assert not is_late(D, dt.datetime(2026, 10, 6, 12, 0))
    assert is_late(D, dt.datetime(2026, 10, 7, 0, 0))


def test_r26_days_late_counts_whole_local_days():
    assert days_late(D, dt.datetime(2026, 11, 26, 10, 0)) == 52
    assert days_late(D, dt.datetime(2026, 10, 4, 10, 0)) == 0


def test_r26_note_names_date_user_and_reason():
    assert (late_note(dt.datetime(2026, 11, 26, 10, 0), "jsmith", "found on the nurse's sheet")
            == "Late entry, recorded 11/26/2026 by jsmith: found on the nurse's sheet")
    assert late_note(dt.date(2026, 11, 26), "", None) == (
        "Late entry, recorded 11/26/2026: no reason given")
