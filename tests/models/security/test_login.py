"""Issue 12 item 1: logins with growing delays after failures and a lock after ten, each one
recorded in the audit trail; Argon2id hashes rehashed when the parameters change. The clock
is passed in (`now`), so no test waits."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from models.db import snapshot, unit_of_work
from models.security import accounts, audit
from models.security.accounts import LOCK_AFTER, delay_after, login
from models.security.permissions import find_account
from models.security.tables import AuditEvent

from .conftest import CHEAP, PASSWORD

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


def _login(engine, name, password, at, hasher=CHEAP):
    with unit_of_work(engine) as session:
        return login(session, name, password, now=at, hasher=hasher)


def _actions(engine, name):
    with snapshot(engine) as session:
        return [(r.action, r.detail) for r in session.exec(
            select(AuditEvent).where(AuditEvent.username == name).order_by(AuditEvent.id))]


def test_the_delays_grow_after_each_failure():
    assert [delay_after(n) for n in range(0, 9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_a_right_password_logs_in_and_is_recorded(staffed):
    result = _login(staffed, "NURSE", PASSWORD, T0)
    assert result.username == "nurse" and result.refused is None
    assert _actions(staffed, "nurse")[-1] == (audit.LOGIN, "")


def test_an_attempt_within_the_delay_is_refused_unheard_then_heard_after_it(staffed):
    assert _login(staffed, "nurse", "wrong password", T0).refused == (
        "The username or password is wrong.")
    assert _login(staffed, "nurse", "wrong again", T0 + dt.timedelta(seconds=0.5)).refused
    too_soon = _login(staffed, "nurse", PASSWORD, T0 + dt.timedelta(seconds=0.5))
    assert too_soon.username is None and "wait 1 second," in (too_soon.refused or "")
    with snapshot(staffed) as session:
        assert find_account(session, "nurse").failed_logins == 1, "a refused-unheard try " \
            "is not counted"
    assert _login(staffed, "nurse", PASSWORD, T0 + dt.timedelta(seconds=1)).username == "nurse"
    with snapshot(staffed) as session:
        assert find_account(session, "nurse").failed_logins == 0
    details = [d for a, d in _actions(staffed, "nurse") if a == audit.LOGIN_FAILED]
    assert details == ["wrong password (1 in a row)", "too soon after a failure",
                       "too soon after a failure"]


def test_ten_failures_lock_the_account_until_an_administrator_enables_it(staffed):
    at = T0
    for n in range(1, LOCK_AFTER + 1):
        result = _login(staffed, "billing", f"guess {n}", at)
        assert result.username is None
        at += dt.timedelta(seconds=delay_after(n))
    assert "now locked after 10 failed logins" in (result.refused or "")
    locked = _login(staffed, "billing", PASSWORD, at + dt.timedelta(hours=1))
    assert locked.username is None and "locked" in (locked.refused or "")
    actions = [a for a, _ in _actions(staffed, "billing")]
    assert actions.count(audit.LOGIN_FAILED) == LOCK_AFTER + 1
    assert actions.count(audit.LOCKED_OUT) == 1
    with unit_of_work(staffed) as session:
        accounts.set_active(session, actor="administrator", username="billing", active=True)
    assert _login(staffed, "billing", PASSWORD, at + dt.timedelta(hours=2)).username == "billing"


def test_an_unknown_name_and_a_disabled_account_are_refused_and_recorded(staffed):
    assert _login(staffed, "nobody", PASSWORD, T0).username is None
    with unit_of_work(staffed) as session:
        accounts.set_active(session, actor="administrator", username="nurse", active=False)
    refused = _login(staffed, "nurse", PASSWORD, T0)
    assert refused.username is None and "disabled" in (refused.refused or "")
    assert _actions(staffed, "nobody") == [(audit.LOGIN_FAILED, "unknown username")]


def test_a_hash_made_with_older_parameters_is_rehashed_at_the_next_login(staffed):
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    with snapshot(staffed) as session:
        before = find_account(session, "pharmacist").password_hash
    assert stronger.check_needs_rehash(before)
    assert _login(staffed, "pharmacist", PASSWORD, T0, hasher=stronger).username
    with snapshot(staffed) as session:
        after = find_account(session, "pharmacist").password_hash
    assert after != before and after.startswith("$argon2id$")
    assert not stronger.check_needs_rehash(after)
    assert _login(staffed, "pharmacist", PASSWORD, T0, hasher=stronger).username


def test_the_default_hasher_is_argon2id():
    assert accounts.HASHER.hash("a long password").startswith("$argon2id$")
