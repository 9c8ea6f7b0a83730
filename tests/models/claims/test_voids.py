"""Issue 11 item 3: a void (frequency 8) of a sent claim, from what was sent (its snapshot):
refused without the payer's claim number, read back segment by segment (pyx12 too), and its
days released for billing again."""

from __future__ import annotations

import io

import pypdf
import pytest

from models.claims import batches as claim_batches
from models.claims.clearing import file_issues
from models.claims.sent import list_sent_claims, void_claim
from models.db import unit_of_work
from models.errors import DomainError, FieldError
from reports.claims import claims_csv, cms1500, x12_837p
from tests.support.claimed_october import D7, ICN, NOW, OCT, export, set_number
from tests.support.databases import billing_ready
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


@pytest.fixture
def example_engine(example_engine):
    return billing_ready(example_engine)


@pytest.fixture
def sent(example_engine, tmp_path):
    """October of the example sent as one 837P claim; returns (account number, file text)."""
    result = export(example_engine, tmp_path / "oct.837")
    return result.written[0].account_number, result.path.read_text()


def void(engine, account, out, fmt="837p", render=x12_837p.render):
    with unit_of_work(engine) as s:
        return void_claim(s, actor="biller", account_number=account, fmt=fmt, out=out,
                          render=render, now=NOW)


def segs(text, tag):
    return [s.strip().split("*") for s in text.split("~") if s.strip().startswith(tag + "*")]


def test_a_void_without_the_payers_claim_number_is_refused_and_nothing_written(
        example_engine, sent, tmp_path):
    account, _ = sent
    with pytest.raises(DomainError) as exc:
        void(example_engine, account, tmp_path / "void.837")
    assert f"Claim {account}, 2300 REF*F8:" in str(exc.value)
    assert "(no-payer-claim-number)" in str(exc.value)
    assert not (tmp_path / "void.837").exists()
    with unit_of_work(example_engine) as s:
        assert len(claim_batches.list_batches(s)) == 1  # nothing recorded
        assert claim_batches.claimed_days(s)[("o-1", D7)].account_number == account


def test_void_837p_is_frequency_8_naming_the_payers_number_and_releases_the_days(
        example_engine, sent, tmp_path):
    account, original = sent
    set_number(example_engine, ICN, account)
    result = void(example_engine, account, tmp_path / "void.837")
    text = result.path.read_text()
    assert x12_errors(text) == [] and file_issues(text) == []
    (clm,) = segs(text, "CLM")
    assert clm[1] == account and clm[5] == "12:B:8"
    assert segs(text, "REF*F8") == [["REF", "F8", ICN]]
    # the void carries the lines the payer received, from the snapshot
    assert [s[1:3] for s in segs(text, "SV1")] == [s[1:3] for s in segs(original, "SV1")]
    with unit_of_work(example_engine) as s:
        assert ("o-1", D7) not in claim_batches.claimed_days(s)  # released
        rows = {c.frequency_code: c for c in list_sent_claims(s)}
        assert (rows["1"].state, rows["8"].state) == ("voided", "void sent")
        # billed again: a new original claim with a new account number
        preview = claim_batches.prepare_claims(s, *OCT, fmt="837p")
    (again,) = preview.good
    assert again.frequency_code == "1" and again.account_number == f"{account}-2"
    assert ("o-1", D7) in again.days
    with pytest.raises(DomainError, match="already voided"):
        void(example_engine, account, tmp_path / "void2.837")


def test_void_on_paper_box_22_is_8_and_the_payers_number(example_engine, sent, tmp_path):
    account, _ = sent
    set_number(example_engine, ICN, account)
    pdf = void(example_engine, account, tmp_path / "void.pdf", "cms1500", cms1500.render).path
    page = pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert f"8 {ICN}" in " ".join(page.split())  # box 22: code 8 and the payer's number


def test_void_csv_names_frequency_8(example_engine, sent, tmp_path):
    account, _ = sent
    set_number(example_engine, ICN, account)
    out = void(example_engine, account, tmp_path / "void.csv", "csv", claims_csv.render).path
    rows = out.read_text().splitlines()[1:]
    assert rows and all(f"{account},8,{ICN}," in r for r in rows)


def test_an_unknown_claim_is_named(example_engine, tmp_path):
    with pytest.raises(FieldError, match='no claim with the account number "2610-NOSUCH"'):
        void(example_engine, "2610-NOSUCH", tmp_path / "v.837")
