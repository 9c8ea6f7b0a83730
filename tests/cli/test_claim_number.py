"""`perdiem claim-number`: records the payer's claim number of a claim, refuses a bad one."""

from __future__ import annotations

import pytest

import main
from models.claims import batches as claim_batches
from models.db import unit_of_work
from tests.support.claimed_october import D7, export
from tests.support.databases import billing_ready

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture
def example_engine(example_engine):
    """The example with its pharmacy's ZIP+4: a 5-digit one refuses every claim (issue 11)."""
    return billing_ready(example_engine)


@pytest.fixture
def claimed(example_engine, tmp_path) -> str:
    """October of the example billed once (an original claim); returns its account number."""
    return export(example_engine, tmp_path / "oct.837").written[0].account_number


def run(capsys, db_url: str, *args: str):
    code = main.main(["--db", db_url.removeprefix("sqlite:///"), "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_claim_number_command(example_engine, claimed, db_url, capsys):
    example_engine.dispose()
    code, out, err = run(capsys, db_url, "claim-number", claimed, "icn-77")
    assert code == 0, err
    assert out == f"Claim {claimed}: the payer's claim number is ICN-77; a replacement names it.\n"
    code, out, err = run(capsys, db_url, "claim-number", claimed, "ICN*77")
    assert code == 1 and out == ""
    assert err.startswith("perdiem claim-number: number: ") and "'*'" in err
    code, _, err = run(capsys, db_url, "claim-number", "2610-NOSUCH", "77")
    assert code == 1 and "claim: no claim with the account number \"2610-NOSUCH\"" in err
    with unit_of_work(example_engine) as session:
        assert claim_batches.claimed_days(session)[("o-1", D7)].payer_claim_number == "ICN-77"
