"""`perdiem claim-void`: voids a sent claim (frequency 8), refused without the payer's claim
number (issue 11 item 3)."""

from __future__ import annotations

import pytest

import main
from models.claims import batches as claim_batches
from models.db import unit_of_work
from tests.support.claimed_october import D7, ICN, export, set_number
from tests.support.databases import billing_ready

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture
def example_engine(example_engine):
    return billing_ready(example_engine)


def run(capsys, db_url: str, *args: str):
    code = main.main(["--db", db_url.removeprefix("sqlite:///"), "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_claim_void_command(example_engine, db_url, tmp_path, capsys):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    out = tmp_path / "void.837"
    code, stdout, err = run(capsys, db_url, "claim-void", account, "--format", "837p",
                            "--out", str(out))
    assert code == 1 and stdout == "" and not out.exists()
    assert err.startswith(f"perdiem claim-void: The void is refused; nothing was written:\n"
                          f"Claim {account}, 2300 REF*F8:")
    set_number(example_engine, ICN, account)
    example_engine.dispose()
    code, stdout, err = run(capsys, db_url, "claim-void", account, "--format", "837p",
                            "--out", str(out))
    assert code == 0, err
    assert stdout.startswith(f"Void of claim {account} (payer's claim number {ICN}) written "
                             f"to {out} (batch 2); its ")
    assert "*12:B:8*" in out.read_text()
    with unit_of_work(example_engine) as s:
        assert ("o-1", D7) not in claim_batches.claimed_days(s)
    code, _, err = run(capsys, db_url, "claim-void", account, "--format", "csv", "--out",
                       str(tmp_path / "v.csv"))
    assert code == 1 and "already voided" in err
