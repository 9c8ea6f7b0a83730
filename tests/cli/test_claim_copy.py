"""`perdiem claim-copy`: a sent claim written again as a copy of what was sent (issue 11
item 6), recording nothing; refused for a claim recorded before PerDiem kept what it sent."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import main
from models.claims import batches as claim_batches
from models.db import unit_of_work
from tests.support.claimed_october import export
from tests.support.databases import billing_ready
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture
def example_engine(example_engine):
    return billing_ready(example_engine)


def run(capsys, db_url: str, *args: str):
    code = main.main(["--db", db_url.removeprefix("sqlite:///"), "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_claim_copy_command(example_engine, db_url, tmp_path, capsys):
    first = export(example_engine, tmp_path / "oct.837")
    account = first.written[0].account_number
    example_engine.dispose()
    out = tmp_path / "copy.837"
    code, stdout, err = run(capsys, db_url, "claim-copy", account.lower(), "--format", "837p",
                            "--out", str(out))
    assert code == 0, err
    assert stdout == (f"Copy of claim {account} (sent as 837P in batch {first.batch_id} on "
                      f"2026-11-27) written to {out}; nothing was recorded.\n")
    body = out.read_text()
    assert body == first.path.read_text().replace("BHT*0019*00*", "BHT*0019*18*")
    assert x12_errors(body) == []
    pdf = tmp_path / "copy.pdf"
    code, _, err = run(capsys, db_url, "claim-copy", account, "--format", "cms1500",
                       "--data-only", "--out", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    with unit_of_work(example_engine) as s:
        assert len(claim_batches.list_batches(s)) == 1  # a copy records no batch


def test_claim_copy_refusals(example_engine, db_url, tmp_path, capsys):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    with example_engine.begin() as conn:
        conn.execute(text("UPDATE claim SET snapshot = NULL"))
    example_engine.dispose()
    out = tmp_path / "copy.csv"
    code, stdout, err = run(capsys, db_url, "claim-copy", account, "--format", "csv", "--out",
                            str(out))
    assert code == 1 and stdout == "" and not out.exists()
    assert err.startswith(f"perdiem claim-copy: Claim {account} was recorded before PerDiem "
                          "kept what it sent (migration 0008)")
    code, _, err = run(capsys, db_url, "claim-copy", "2610-NOSUCH", "--format", "csv",
                       "--out", str(out))
    assert code == 1 and 'claim: no claim with the account number "2610-NOSUCH"' in err
    with pytest.raises(SystemExit) as exc:
        run(capsys, db_url, "claim-copy", account, "--format", "csv", "--data-only",
            "--out", str(out))
    assert exc.value.code == 2
