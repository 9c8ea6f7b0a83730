"""Both engines (issue 14): the same schema, column types and results on SQLite and on a real
PostgreSQL server. Moments are stored in UTC and read back aware, in local time; money is
exact (models/records/types.py)."""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from models import db
from models.db import current_revision, head_revision, snapshot, unit_of_work
from models.errors import DomainError
from models.records import clinical, registry
from models.security import audit
from tests.support.claimed_october import ICN, export, set_number
from tests.support.databases import billing_ready

pytestmark = pytest.mark.both_engines

VOIDED_AT = dt.datetime(2026, 11, 2, 9, 0)  # local wall time, naive: as a replay passes it


@pytest.fixture
def chicago():
    """The desk's time zone is America/Chicago (UTC-6 in November) inside the test."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/Chicago"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def _stored_utc(engine, sql: str) -> dt.datetime:
    """The moment a query selects, as the database holds it, in UTC without an offset."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return conn.execute(text(f"SELECT ({sql}) AT TIME ZONE 'UTC'")).scalar_one()
        return dt.datetime.fromisoformat(conn.execute(text(sql)).scalar_one())


def test_a_new_database_is_migrated_to_the_newest_schema(engine, backend):
    assert engine.dialect.name == backend
    assert current_revision(engine) == head_revision()
    assert "claim_day" in inspect(engine).get_table_names()


def test_moments_are_stored_in_utc_and_read_back_aware_in_local_time(example_engine, chicago):
    """The issue's crash (`recorded_at: Input should not have timezone info`) is gone: a
    record saved at 09:00 in Chicago is 15:00 UTC in the database, and reads back as 09:00
    local, aware, on both engines."""
    with unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="nurse a", kind=registry.INFUSION, record_id="mar-1",
                             reason="entered twice", recorded_at=VOIDED_AT)
    assert _stored_utc(example_engine, "SELECT recorded_at FROM infusion WHERE id = 'mar-1'"
                       ) == dt.datetime(2026, 11, 2, 15, 0)
    with snapshot(example_engine) as s:
        mar = clinical.get_record(s, registry.INFUSION, "mar-1")
        assert all(r.at.tzinfo is not None for r in audit.rows(s, start=dt.date(2000, 1, 1)))
        assert audit.verify(s) is None  # hashed in UTC: the same in any time zone
    assert mar.recorded_at == VOIDED_AT.astimezone()
    assert (mar.recorded_at.hour, mar.recorded_at.utcoffset()) == (9, dt.timedelta(hours=-6))


def test_money_and_doses_are_exact_decimals(example_engine, backend):
    with snapshot(example_engine) as s:
        order = clinical.get_record(s, registry.ORDER, "o-1")
        mar = clinical.get_record(s, registry.INFUSION, "mar-1")
    assert isinstance(order.per_diem_rate, Decimal)
    assert isinstance(mar.dose_given, Decimal | None)
    columns = {c["name"]: c["type"] for c in inspect(example_engine).get_columns("orders")}
    kind = type(columns["per_diem_rate"]).__name__.upper()
    assert kind == ("NUMERIC" if backend == "postgresql" else "VARCHAR")
    with unit_of_work(example_engine) as s:
        current = clinical.get_record(s, registry.ORDER, "o-1")
        data = registry.ORDER.base(**current.model_dump(include=set(
            registry.ORDER.base.model_fields)))
        data.per_diem_rate = Decimal("123.40")
        clinical.edit_record(s, actor="pharm", kind=registry.ORDER, record_id="o-1",
                             data=data, reason="new contract rate")
    with snapshot(example_engine) as s:
        again = clinical.get_record(s, registry.ORDER, "o-1").per_diem_rate
    assert (again, str(again)) == (Decimal("123.40"), "123.40")  # the scale kept, no float


@pytest.mark.sqlite_only  # migration 0012 rewrites an older SQLite file's local times
def test_migration_0012_turns_local_times_into_utc_with_the_same_results(
        example_engine, chicago, tmp_path):
    """... and marks which claimed days are in force (a replaced claim's are not)."""
    billing_ready(example_engine)
    first = export(example_engine, tmp_path / "oct.837")
    set_number(example_engine, ICN, first.written[0].account_number)
    export(example_engine, tmp_path / "again.837", rebill=True)
    days = "SELECT claim_id, in_force FROM claim_day ORDER BY pk"
    with example_engine.connect() as conn:
        in_force = conn.execute(text(days)).all()
    assert [f for _c, f in in_force] == [0, 0, 1, 1]
    with unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="nurse a", kind=registry.INFUSION, record_id="mar-1",
                             reason="entered twice", recorded_at=VOIDED_AT)
        audit.record(s, "nurse a", audit.VIEWED, patient_id="p-1001",
                     at=dt.datetime(2026, 11, 2, 9, 30))
    with snapshot(example_engine) as s:
        before = clinical.get_record(s, registry.INFUSION, "mar-1").model_dump()
        trail = [(r.id, r.at, r.hash) for r in audit.rows(s)]
    example_engine.dispose()
    plain = create_engine(example_engine.url)
    cfg = db.alembic_config(plain)
    command.downgrade(cfg, "0011")  # the file as PerDiem before 0012 wrote it: local time
    sql = "SELECT recorded_at FROM infusion WHERE id = 'mar-1'"
    with plain.connect() as conn:
        assert conn.execute(text(sql)).scalar_one() == "2026-11-02 09:00:00.000000"
    command.upgrade(cfg, "head")
    with plain.connect() as conn:
        assert conn.execute(text(sql)).scalar_one() == "2026-11-02 15:00:00.000000"
        assert conn.execute(text(days)).all() == in_force
    plain.dispose()
    with snapshot(example_engine) as s:
        assert clinical.get_record(s, registry.INFUSION, "mar-1").model_dump() == before
        assert [(r.id, r.at, r.hash) for r in audit.rows(s)] == trail
        assert audit.verify(s) is None


@pytest.mark.sqlite_only  # no database at all: a server that is not there
def test_a_server_that_cannot_be_reached_is_named_in_words_without_the_password(tmp_path):
    url = f"postgresql://pharmacist:s3cret@/perdiem?host={tmp_path}"  # no server listens here
    with pytest.raises(DomainError) as info:
        db.open_database(url)
    message = str(info.value)
    assert message.startswith("PerDiem cannot reach the database server for postgresql")
    assert "nothing was changed" in message and "s3cret" not in message
