"""Issue 11 item 6: a claim already sent written again as a copy, from its snapshot, in any
format: byte for byte the first export but for the copy mark (BHT02 18, a COPY mark, a `copy`
column), recording no batch and leaving the claimed days alone."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re

import pypdf
import pytest
from sqlalchemy import text

from models.claims import batches as claim_batches
from models.claims.clearing import file_issues
from models.claims.copies import copy_claim
from models.claims.sent import void_claim
from models.db import transactions, unit_of_work
from models.errors import DomainError, FieldError
from models.records.tables import Pharmacy
from reports.claims import claims_csv, cms1500, x12_837p
from reports.claims.claim_files import renderer
from tests.support.claimed_october import D7, ICN, NOW, export, set_number
from tests.support.databases import billing_ready
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

FORMATS = [("837p", False, "oct.837"), ("cms1500", False, "oct.pdf"),
           ("cms1500", True, "oct-data.pdf"), ("csv", False, "oct.csv")]


@pytest.fixture
def example_engine(example_engine):
    return billing_ready(example_engine)


def copy(engine, fmt, out=None, data_only=False, **claim):
    with unit_of_work(engine) as s:
        return copy_claim(s, fmt=fmt, render=renderer(fmt, data_only), out=out, **claim)


def state(engine):
    """What a copy must leave alone: the batches, the claimed days, the control number."""
    with unit_of_work(engine) as s:
        return (claim_batches.list_batches(s), claim_batches.claimed_days(s),
                s.get(Pharmacy, 1).last_control_number)


def changed_lines(first: bytes, second: bytes) -> list[str]:
    return [ln for ln in difflib.unified_diff(first.decode().splitlines(),
                                             second.decode().splitlines(), lineterm="",
                                             n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def page_streams(pdf: bytes) -> list[bytes]:
    return [p.get_contents().get_data() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_837p_copy_differs_from_the_first_export_only_in_bht02(example_engine, tmp_path):
    first = export(example_engine, tmp_path / "oct.837")
    (draft,) = first.written
    before = state(example_engine)
    result = copy(example_engine, "837p", tmp_path / "copy.837",
                  account_number=draft.account_number)
    original, again = first.path.read_bytes(), result.path.read_bytes()
    assert result.content == again
    # the same interchange (ISA13, date, time): only the purpose code says "reissue"
    bht = [ln for ln in original.decode().splitlines() if ln.startswith("BHT*")][0]
    assert bht.startswith("BHT*0019*00*")
    assert changed_lines(original, again) == [f"-{bht}", "+" + bht.replace("*00*", "*18*", 1)]
    assert x12_errors(again.decode()) == [] and file_issues(again.decode()) == []
    assert state(example_engine) == before  # no batch, no claimed day, no control number
    assert (result.batch_id, result.sent_at, result.sent_format) == (
        first.batch_id, NOW.astimezone(), "837p")  # aware, in local time


@pytest.mark.parametrize("fmt, data_only, name", FORMATS[1:3])
def test_cms1500_copy_is_the_first_export_with_a_copy_mark(example_engine, tmp_path, fmt,
                                                            data_only, name):
    first = export(example_engine, tmp_path / name, fmt, renderer(fmt, data_only))
    (draft,) = first.written
    result = copy(example_engine, fmt, tmp_path / f"copy-{name}", data_only,
                  account_number=draft.account_number)
    original, again = page_streams(first.path.read_bytes()), page_streams(result.content)
    assert len(again) == len(original) >= 1
    for page, copied in zip(original, again, strict=True):
        page = page.rstrip()  # ReportLab ends a page's stream with " \n"
        assert copied.startswith(page)  # every mark of the first export, in the same place
        assert b"(COPY) Tj" in copied[len(page):] and b"(COPY)" not in page
    reader = pypdf.PdfReader(io.BytesIO(result.content))
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() == cms1500.COPY_MARK:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    ((x, y),) = found  # above the title (line 5), left of the carrier block (column 50)
    assert y > cms1500.baseline(5) + cms1500.ROW and x + 60 < cms1500.x_of(50)
    assert draft.account_number in reader.pages[0].extract_text()


def test_csv_copy_adds_a_copy_column_to_the_same_rows(example_engine, tmp_path):
    first = export(example_engine, tmp_path / "oct.csv", "csv", claims_csv.render)
    (draft,) = first.written
    result = copy(example_engine, "csv", tmp_path / "copy.csv",
                  account_number=draft.account_number)
    original = first.path.read_text().splitlines()
    again = result.path.read_text().splitlines()
    assert again[0] == original[0] + ",copy"
    assert again[1:] == [row + ",COPY" for row in original[1:]] and len(again) > 2


def test_a_claim_copied_into_another_format_than_it_was_sent_in(example_engine, tmp_path):
    """Sent on paper: the 837P copy takes the next control number (the only write) and
    still records no batch; pyx12 and PerDiem's checker pass it."""
    first = export(example_engine, tmp_path / "oct.pdf", "cms1500", cms1500.render)
    (draft,) = first.written
    batches, days, control = state(example_engine)
    result = copy(example_engine, "837p", tmp_path / "copy.837",
                  account_number=draft.account_number)
    body = result.content.decode()
    assert x12_errors(body) == [] and file_issues(body) == []
    assert re.search(r"^BHT\*0019\*18\*PD\d{9}\*20261127\*0930\*CH~$", body, re.M)
    assert f"CLM*{draft.account_number}*" in body
    assert state(example_engine) == (batches, days, (control or 0) + 1)
    csv_copy = copy(example_engine, "csv", account_number=draft.account_number)
    assert csv_copy.path is None and csv_copy.content.decode().count(",COPY\n") == len(
        draft.lines)


def test_a_void_and_the_claim_it_voids_are_each_copied_as_sent(example_engine, tmp_path):
    first = export(example_engine, tmp_path / "oct.837")
    account = first.written[0].account_number
    set_number(example_engine, ICN, account)
    with unit_of_work(example_engine) as s:
        void = void_claim(s, actor="biller", account_number=account, fmt="837p",
                          out=tmp_path / "void.837", render=x12_837p.render, now=NOW)
        ids = sorted(s.exec(text("SELECT id FROM claim")).scalars())
    newest = copy(example_engine, "837p", account_number=account)  # the claim in force
    removed, added = changed_lines(void.path.read_bytes(), newest.content)
    assert removed.startswith("-BHT*0019*00*") and added.startswith("+BHT*0019*18*")
    original = copy(example_engine, "837p", claim_id=ids[0])  # the voided one, by its row
    assert "*12:B:1*" in original.content.decode() and "REF*F8" not in original.content.decode()
    with unit_of_work(example_engine) as s:
        assert ("o-1", D7) not in claim_batches.claimed_days(s)  # still released by the void


def test_a_claim_sent_with_others_is_copied_alone_in_its_interchange(demo_engine, tmp_path):
    first = claim_batches.export_claims(
        transactions(demo_engine), actor="test", start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31), fmt="837p", out=tmp_path / "oct.837",
        render=x12_837p.render, now=NOW)
    path = next(p for p in first.paths if p.read_text().count("CLM*") > 1)
    sent = path.read_text()
    account = re.search(r"^CLM\*([^*]+)\*", sent, re.M).group(1)
    body = copy(demo_engine, "837p", account_number=account).content.decode()
    assert x12_errors(body) == [] and file_issues(body) == []
    assert re.findall(r"^CLM\*([^*]+)\*", body, re.M) == [account]
    isa13 = [s.split("*")[13] for s in (sent, body)]
    assert isa13[0] == isa13[1]  # the interchange it went out in


def test_a_claim_recorded_before_snapshots_is_refused_clearly(example_engine, tmp_path):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    with example_engine.begin() as conn:
        conn.execute(text("UPDATE claim SET snapshot = NULL"))
    with pytest.raises(DomainError, match=f"Claim {account} was recorded before PerDiem kept "
                       "what it sent"):
        copy(example_engine, "837p", tmp_path / "copy.837", account_number=account)
    assert not (tmp_path / "copy.837").exists()


def test_bad_requests_name_the_field(example_engine, tmp_path):
    account = export(example_engine, tmp_path / "oct.837").written[0].account_number
    with pytest.raises(FieldError, match='no claim with the account number "2610-NOSUCH"'):
        copy(example_engine, "csv", account_number="2610-NOSUCH")
    with pytest.raises(FieldError, match="no recorded claim with id 99"):
        copy(example_engine, "csv", claim_id=99)
    with pytest.raises(FieldError, match='"pdf" is not one of'), unit_of_work(example_engine) as s:
        copy_claim(s, fmt="pdf", render=x12_837p.render, account_number=account)
    with pytest.raises(FieldError, match="give a file name in an existing folder"):
        copy(example_engine, "csv", tmp_path / "no" / "such.csv", account_number=account)
