"""Demo data: repeatable, complete (every status, reason R1-R12 and modifier) and safe to load."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

import main
from models import demo
from models.billing import loading, rules
from models.db import open_database, unit_of_work
from models.errors import DomainError
from models.records import clinical, reference, registry
from models.records.history import history
from models.records.rows import count_records
from reports import billable_days as billable_days_report
from tests.support.databases import DEMO_SEED, DEMO_TODAY, copy_database

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

TODAY = DEMO_TODAY


def _load(engine: Engine, seed: int, today: dt.date = TODAY):
    with unit_of_work(engine) as session:
        counts = demo.load_demo(session, actor="test", seed=seed, today=today)
    return engine, counts


def _dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary key order; not the audit trail, which records
    when the demo was loaded (issue 12), not what it holds."""
    out = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "audit_event":
                continue
            stmt = sa_select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in conn.execute(stmt)]
    return out


def _table(engine) -> str:
    with unit_of_work(engine) as session:
        return billable_days_report.to_csv(loading.billable_days(session))


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory):
    """The suite's demo pharmacy (conftest's demo_template, loaded once per run), its counts
    and its billable days; one copy shared by this module's tests, which only read it."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    copy_database(demo_template.path, path)
    engine = open_database(f"sqlite:///{path}")
    with unit_of_work(engine) as session:
        days = loading.billable_days(session)
    yield engine, demo_template.counts, days
    engine.dispose()


@dataclass
class CliDemo:
    db: Path
    args: list[str]
    status: int
    out: str


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory) -> CliDemo:
    """`perdiem demo --seed 3` run once into a new file; the tests here only read it."""
    db = tmp_path_factory.mktemp("cli-demo") / "cli.sqlite"
    args = ["--db", str(db), "demo", "--seed", "3", "--today", "2026-11-27"]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = main.main(args)
    return CliDemo(db, args, status, out.getvalue())


def test_same_seed_and_day_give_identical_data(demo_db, empty_database):
    engine, _counts, _days = demo_db
    again, _ = _load(empty_database("again.sqlite"), seed=DEMO_SEED)
    assert _table(again) == _table(engine)
    first, second = _dump(engine), _dump(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"table {name} differs"
    assert first["record_version"], "the history table is part of what is compared"


def test_another_seed_gives_other_data(demo_db, cli_demo):
    engine, _counts, _days = demo_db
    other = open_database(f"sqlite:///{cli_demo.db}")  # seed 3, the same day
    assert _dump(other)["patient"] != _dump(engine)["patient"]
    assert _table(other) != _table(engine)
    other.dispose()


def test_every_status_reason_and_modifier_appears(demo_db):
    _engine, _counts, days = demo_db
    assert {d.status for d in days} == set(rules.STATUSES)
    seen = {r for d in days for r in d.reasons}
    # R27's hold needs the before-service setting; the demo keeps the defaults (Part 1)
    assert seen == set(rules.REASONS) - {"order-signed-late"}, "R1-R12 each appear"
    modifiers = {m for d in days for m in d.modifiers}
    assert {"SH", "SJ", "SS", "U1"} <= modifiers


def test_most_days_are_billable(demo_db):
    _engine, _counts, days = demo_db
    statuses = Counter(d.status for d in days)
    assert statuses["billable"] >= 0.9 * len(days)
    assert statuses["hold"] >= 10 and statuses["not-billable"] >= 5


def test_days_run_over_about_three_months_before_today(demo_db):
    _engine, _counts, days = demo_db
    dates = [d.date for d in days]
    # R29: the access-days patient's last dose yesterday makes today a service day
    assert max(dates) <= TODAY and max(dates) >= TODAY - dt.timedelta(days=3)
    assert TODAY - dt.timedelta(days=100) <= min(dates) <= TODAY - dt.timedelta(days=80)


def test_the_scenarios_behind_the_reasons(demo_db):
    engine, _counts, days = demo_db
    with unit_of_work(engine) as session:
        payers = {p.id: p for p in reference.list_payers(session)}
    by_patient_day = defaultdict(list)
    for d in days:
        by_patient_day[(d.patient_id, d.date)].append(d)
    # R15: a patient with three therapies on one day gets none, SH and SJ.
    assert any(
        sorted(m for d in group for m in d.modifiers if m in ("SH", "SJ")) == ["SH", "SJ"]
        and len(group) == 3
        for group in by_patient_day.values()
    )
    # R4 only for Medicare; R17's U1 only for the Medicaid payer that asks for it.
    r4 = [d for d in days if "medicare-s-code" in d.reasons]
    assert r4 and all(payers[d.payer_id].kind == "medicare" for d in r4)
    assert all("U1" in payers[d.payer_id].per_diem_modifiers for d in days if "U1" in d.modifiers)
    # R6: an exhausted authorization leaves the day without an authorization number.
    exhausted = [d for d in days if "authorization-exhausted" in d.reasons]
    assert exhausted and all(d.authorization_number is None for d in exhausted)
    # R13: every billable day of a prior-auth payer carries the authorization that paid for it.
    assert all(d.authorization_number for d in days
               if d.status == "billable" and payers[d.payer_id].requires_prior_auth)


def test_history_shows_edits_and_a_void(demo_db):
    engine, counts, _days = demo_db
    assert counts["edits"] >= 5 and counts["voided"] == 1
    with unit_of_work(engine) as session:
        edited = 0
        for kind in registry.CLINICAL:
            for rec in clinical.list_records(session, kind, include_voided=True):
                if rec.version > 1:
                    versions = history(session, kind.key, rec.id)
                    assert [v.version for v in versions] == list(range(1, rec.version + 1))
                    assert all(v.reason for v in versions[1:])
                    stamps = [v.recorded_at for v in versions]
                    assert stamps == sorted(stamps), (
                        f"{kind.key} {rec.id} changed before it existed")
                    edited += 1
        voided = clinical.list_records(session, registry.INFUSION, include_voided=True)
        voided = [r for r in voided if r.voided]
        assert len(voided) == 1 and voided[0].void_reason
        live = clinical.list_records(session, registry.INFUSION)
        assert voided[0].id not in {r.id for r in live}
    assert edited >= 5


def test_counts_match_what_was_saved(demo_db):
    engine, counts, _days = demo_db
    with unit_of_work(engine) as session:
        assert counts["patients"] == len(reference.list_patients(session)) >= 20
        assert counts["payers"] == len(reference.list_payers(session))
        assert counts["orders"] == len(clinical.list_records(session, registry.ORDER))
        assert counts["infusions"] == len(
            clinical.list_records(session, registry.INFUSION, include_voided=True))
        kinds = {p.kind for p in reference.list_payers(session)}
        pharmacy = reference.get_pharmacy(session)
    assert kinds == {"commercial", "medicaid", "medicare", "workers-comp", "tricare"}
    assert pharmacy is not None and pharmacy.taxonomy == "3336H0001X"


def test_refuses_a_database_that_holds_data(demo_db):
    engine, _counts, _days = demo_db
    before = _dump(engine)
    with pytest.raises(DomainError, match="already holds data"):
        with unit_of_work(engine) as session:
            demo.load_demo(session, actor="demo", seed=1, today=TODAY)
    assert _dump(engine) == before


@pytest.mark.parametrize("today", [dt.date(1, 3, 1), dt.date(9999, 12, 31)])
def test_a_today_at_the_ends_of_the_calendar_is_refused_in_words(tmp_path, capsys, today):
    db = tmp_path / "edge.sqlite"
    assert main.main(["--db", str(db), "demo", "--today", today.isoformat()]) == 1
    assert "today: " in capsys.readouterr().err  # not an OverflowError traceback
    engine = open_database(f"sqlite:///{db}")
    with unit_of_work(engine) as session:
        assert count_records(session) == 0
    engine.dispose()


def test_command_line_demo(cli_demo, capsys):
    db, args = cli_demo.db, cli_demo.args
    assert cli_demo.status == 0
    assert "Demo data loaded: 10 payers" in cli_demo.out
    engine = open_database(f"sqlite:///{db}")
    with unit_of_work(engine) as session:
        assert count_records(session) > 1000
    engine.dispose()
    assert main.main(args) == 1  # a second load is refused, nothing is added
    assert "already holds data" in capsys.readouterr().err


def test_export_import_export_gives_the_same_document(demo_db, empty_database):
    from models.interchange import read, write

    engine, _counts, days = demo_db
    with unit_of_work(engine) as session:
        first = write.export_document(session)
    copy = empty_database("copy.sqlite")
    with unit_of_work(copy) as session:
        read.import_document(session, actor="import", doc=first)
    with unit_of_work(copy) as session:
        second = write.export_document(session)
        copied_days = loading.billable_days(session)
    assert second == first
    assert copied_days == days
    copy.dispose()


def test_the_demo_shows_the_nurses_ivig_visits(demo_db):
    """Issue 15: the MAR's 4-hour IVIG visits have their visit records, each linked to its
    dose, 99601 + 2 x 99602 (R34); billable under the payer's authorization for 99601 once
    the code has a price, until then held for that authorization (no claim is refused for a
    zero charge)."""
    from models.billing.visit_data import billable_visits
    from models.billing.visits import visit_price

    engine, counts, _days = demo_db
    with unit_of_work(engine) as session:
        results = billable_visits(session, None, TODAY)
        visits = clinical.list_records(session, registry.NURSING_VISIT)
        entries = {e.id: e for e in clinical.list_records(session, registry.INFUSION,
                                                          patient_id="p-1001")}
    assert counts["nursing_visits"] == len(visits) >= 2
    assert {r.patient_id for r in results} == {"p-1001"}
    with unit_of_work(engine) as session:
        priced = visit_price("99601", reference.get_payer(session, "bpp"),
                             reference.get_pharmacy(session)).charge is not None
    assert priced  # the demo pharmacy's price list has the visit codes
    expected = ("billable", ()) if priced else ("hold", ("no-authorization",))
    assert all((r.status, r.reasons) == expected for r in results)
    assert all(r.lines == (("99601", 1), ("99602", 2)) for r in results)
    for v in visits:
        [entry_id] = v.infusions
        entry = entries[entry_id]
        assert (v.date, v.start_time, v.end_time, v.nurse) == (
            entry.date, entry.start_time, entry.end_time, entry.administered_by)
