"""The `claims` command: files written, summary printed, no day billed twice, --rebill."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pypdf
import pytest

import main
from tests.support.databases import billing_ready
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCT = ["--from", "2026-10-01", "--to", "2026-10-31"]


@pytest.fixture
def example_engine(example_engine):
    """The example with its pharmacy's ZIP+4: a 5-digit one refuses every claim (issue 11)."""
    return billing_ready(example_engine)


@pytest.fixture
def example_db(example_engine, db_url):
    example_engine.dispose()
    return db_url.removeprefix("sqlite:///")


def run(capsys, db, *args):
    code = main.main(["--db", db, "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_837p_then_again_writes_nothing_then_rebill_replaces(example_db, tmp_path, capsys):
    out = tmp_path / "oct.837"
    code, text, err = run(capsys, example_db, "claims", *OCT, "--format", "837p", "--out",
                          str(out))
    assert code == 0, err
    assert "1 claim written to" in text and "total charges $9,540.00" in text
    assert "0 claims refused." in text
    assert "ISA15 T" in err  # a warning, not a refusal
    first = out.read_text()
    assert x12_errors(first) == []

    again = tmp_path / "again.837"
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "837p", "--out",
                        str(again))
    assert code == 0
    assert "0 claims written" in text and "2 billable day(s)" in text and "--rebill" in text
    assert "No file was written." in text and not again.exists()

    rebill = tmp_path / "rebill.837"
    code, text, err = run(capsys, example_db, "claims", *OCT, "--format", "837p", "--out",
                          str(rebill), "--rebill")
    assert code == 1 and "no-payer-claim-number" in err and not rebill.exists()  # issue 11
    account = first.split("CLM*")[1].split("*")[0]
    assert run(capsys, example_db, "claim-number", account, "ICN-77")[0] == 0
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "837p", "--out",
                        str(rebill), "--rebill")
    assert code == 0
    assert "1 claim written (1 replacing earlier claims)" in text
    replacement = rebill.read_text()
    assert x12_errors(replacement) == []
    assert f"CLM*{account}*9540***12:B:7" in replacement and "REF*F8*ICN-77~" in replacement
    assert "ISA*" in replacement and "*000000002*" in replacement  # the next control number


def test_billable_days_with_claims_appends_columns(example_db, tmp_path, capsys):
    plain_before = run(capsys, example_db, "billable-days", *OCT)[1]
    run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out", str(tmp_path / "c.csv"))
    code, text, _ = run(capsys, example_db, "billable-days", *OCT, "--with-claims")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[-3:] == ["claimed_batch", "claimed_on", "claim"]
    claimed = {r["date"]: (r["claimed_batch"], r["claimed_on"]) for r in rows}
    today = claimed["2026-10-07"][1]
    assert claimed == {"2026-10-07": ("1", today), "2026-10-28": ("", ""),
                       "2026-10-29": ("1", today)}
    # without the flag the table is unchanged (it is compared to the example exactly)
    assert run(capsys, example_db, "billable-days", *OCT)[1] == plain_before


def test_csv_has_one_row_per_line(example_db, tmp_path, capsys):
    out = tmp_path / "claims.csv"
    code, _, _ = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out", str(out))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    got = [(r["code"], r["modifiers"], r["from"], r["to"], r["units"], r["charge"],
            r["diagnosis_pointers"], r["authorization"], r["member_id"]) for r in rows]
    assert got == [
        ("S9338", "", "2026-10-07", "2026-10-07", "1", "150.00", "1", "PA20261001", "XBP448812"),
        ("J1569", "", "2026-10-07", "2026-10-07", "60", "5544.00", "1", "PA20261001",
         "XBP448812"),
        ("S9338", "SS", "2026-10-29", "2026-10-29", "1", "150.00", "1", "PA20261001",
         "XBP448812"),
        ("J1569", "", "2026-10-29", "2026-10-29", "40", "3696.00", "1", "PA20261001",
         "XBP448812"),
    ]
    assert {r["patient"] for r in rows} == {"p-1001"} and {r["payer"] for r in rows} == {"bcx"}


def test_cms1500_data_only_and_patient_filter(example_db, tmp_path, capsys):
    out = tmp_path / "forms.pdf"
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "cms1500", "--out",
                        str(out), "--patient", "p-1001", "--data-only")
    assert code == 0 and "1 claim written" in text
    page = pypdf.PdfReader(out).pages[0].extract_text()
    assert "XBP448812" in page and "HEALTH INSURANCE CLAIM FORM" not in page


def test_refused_claims_are_listed_with_reasons_and_exit_1(example_db, tmp_path, capsys):
    from models.db import open_database, resolve_db_url, unit_of_work
    from models.records.tables import Coverage

    engine = open_database(resolve_db_url(example_db))
    with unit_of_work(engine) as session:
        from sqlmodel import select

        cov = session.exec(select(Coverage)).one()
        cov.member_id = "XBP*448812"  # an X12 delimiter in an identifier
        session.add(cov)
    engine.dispose()
    out = tmp_path / "oct.837"
    code, text, err = run(capsys, example_db, "claims", *OCT, "--format", "837p", "--out",
                          str(out))
    assert code == 1
    assert "0 claims written" in text and "1 claim refused" in text
    assert "Refused claim" in err and "member id" in err and "delimiter *" in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-10-31", "--to", "2026-10-01", "--format", "csv", "--out", "x.csv"],
     "--to: is before --from"),
    ([*OCT, "--format", "csv", "--out", "x.csv", "--patient", "nobody"], "nobody"),
])
def test_bad_requests_are_refused_with_a_message(example_db, tmp_path, capsys, args, message):
    args = [a if a != "x.csv" else str(tmp_path / "x.csv") for a in args]
    code, _, err = run(capsys, example_db, "claims", *args)
    assert code == 1 and message in err
    assert not (tmp_path / "x.csv").exists()


def test_an_out_that_is_a_folder_or_in_no_folder_is_refused_and_nothing_left(
        example_db, tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    code, _, err = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                       str(folder))
    assert code == 1 and "is a folder: give a file name" in err
    assert not folder.with_name("exports.part").exists() and list(folder.iterdir()) == []
    code, _, err = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                       str(tmp_path / "nowhere" / "x.csv"))
    assert code == 1 and "no such folder" in err
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                        str(folder / "oct.csv"))
    assert "1 claim written" in text  # nothing was recorded by the refused attempts


def test_good_claims_are_written_beside_refused_ones_with_exit_0(example_db, tmp_path, capsys):
    """Status 1 means nothing was written; a partial export succeeds and lists the refusals."""
    from decimal import Decimal

    from models.db import open_database, resolve_db_url, unit_of_work
    from models.records import clinical, reference, registry
    from models.records.tables import (
        CareNoteBase,
        CoverageBase,
        DeliveryBase,
        InfusionBase,
        OrderBase,
        PatientBase,
        PayerBase,
        PlanOfCareBase,
        PrepNoteBase,
    )
    from tests.support.recorded import on_its_day

    day = dt.date(2026, 10, 7)
    engine = open_database(resolve_db_url(example_db))
    with unit_of_work(engine) as s:  # a second, fully documented patient billed at $0 (R20)
        reference.save_payer(s, actor="t", data=PayerBase(id="cmx", name="Cedar Health",
                                                          payer_id="CDR01", kind="commercial"))
        reference.save_patient(
            s, actor="t",
            data=PatientBase(id="p-2", first_name="Ann", last_name="Ahn",
                             birth_date=dt.date(1970, 1, 1), sex="F", address_line1="1 Elm",
                             city="Peoria", state="IL", zip="61604"),
            coverages=[CoverageBase(payer_id="cmx", member_id="M1",
                                    start_date=dt.date(2026, 1, 1))])
        records = [
            (registry.ORDER, OrderBase(
                id="o-2", patient_id="p-2", prescriber_id="dr-okafor", per_diem_code="S9500",
                drug_name="Ceftriaxone", diagnosis_codes=["A41.9"],
                start_date=dt.date(2026, 10, 1), signed_date=dt.date(2026, 10, 1),
                per_diem_rate=Decimal("0"))),
            (registry.PLAN_OF_CARE, PlanOfCareBase(id="poc-2", order_id="o-2", start_date=day,
                                                   end_date=day)),
            (registry.PREP_NOTE, PrepNoteBase(id="rx-9", order_id="o-2", date=day, pharmacist="R",
                                              beyond_use_date=day)),
            (registry.DELIVERY, DeliveryBase(id="d-9", order_id="o-2", date=day)),
            (registry.CARE_NOTE, CareNoteBase(id="cn-9", patient_id="p-2", date=day, author="J",
                                              text="call")),
            (registry.INFUSION, InfusionBase(id="m-2", order_id="o-2", date=day,
                                             status="completed", start_time=dt.time(9),
                                             end_time=dt.time(10), dose_given=Decimal(1000),
                                             administered_by="RN")),
        ]
        for kind, data in records:
            with on_its_day(data, kind):  # R26: each saved on its day, so none is late
                clinical.create_record(s, actor="t", kind=kind, data=data)
    engine.dispose()
    days = run(capsys, example_db, "billable-days", *OCT)[1]
    assert "p-2,o-2,2026-10-07,S9500,,billable,," in days
    out = tmp_path / "oct.csv"
    code, text, err = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                          str(out))
    assert code == 0, err
    assert "1 claim written" in text and "1 claim refused" in text
    assert "Refused claim" in err and "AHN" in err.upper() and "charge" in err.lower()
    assert out.exists() and "p-1001" in out.read_text() and "p-2" not in out.read_text()


def test_data_only_with_another_format_is_bad_usage(example_db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main.main(["--db", str(example_db), "claims", *OCT, "--format", "csv", "--data-only",
                   "--out", str(tmp_path / "x.csv")])
    assert exit_.value.code == 2
    assert "--data-only goes with --format cms1500" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
