"""Issue 11: claims a clearinghouse and a payer accept, read back segment by segment (837P,
through pyx12 as well) and box by box (CMS-1500, with pypdf)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from models.claims.claim import BatchContext
from reports.claims import cms1500, x12_837p
from tests.support.claim_data import PAYERS, PHARMACY, day, drafts
from tests.support.x12_validator import x12_errors

D = dt.date
CTX = BatchContext(pharmacy=PHARMACY, created_at=dt.datetime(2026, 11, 27, 9, 30),
                   control_numbers=(1,))
DAYS = [day(D(2026, 10, n)) for n in (1, 2, 3)]


def with_payer(**kw):
    """The claim of DAYS billed to the Blue Prairie payer changed by `kw`."""
    payer = PAYERS["bcx"].model_copy(update=kw)
    return drafts(DAYS, payers={**PAYERS, "bcx": payer})


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def seg(text: str, tag: str, first: str | None = None) -> list[list[str]]:
    return [s for s in segments(text) if s[0] == tag and (first is None or s[1] == first)]


def x12(claims) -> str:
    text = x12_837p.render(claims, CTX).decode("ascii")
    assert x12_errors(text) == []
    return text


def pdf_text(claims) -> str:
    (page,) = pypdf.PdfReader(io.BytesIO(cms1500.render(claims, CTX))).pages
    return page.extract_text()


def box_x(pdf: bytes, line: int) -> list[float]:
    """The x of every X printed on grid line `line` of the first page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        y = tm[5] * cm[3] + cm[5]
        if text.strip() == "X" and abs(y - cms1500.baseline(line)) < 1:
            found.append(round(tm[4] * cm[0] + cm[4], 1))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


# --- R33 claim filing indicator -----------------------------------------------------------


@pytest.mark.parametrize(("kind", "sbr09", "box1_col"), [
    ("medicare", "MB", 1), ("medicaid", "MC", 8), ("commercial", "CI", 31),
    ("tricare", "CH", 15), ("workers-comp", "WC", 45), ("bcbs", "BL", 31), ("hmo", "HM", 45),
])
def test_r33_sbr09_and_box_1_follow_the_payer_kind(kind, sbr09, box1_col):
    """R33: each kind's default filing indicator in SBR09, and box 1 ticks its program
    (TRICARE no longer goes out as ZZ/"Other"; workers' compensation is "Other" on paper)."""
    (claim,) = with_payer(kind=kind, claim_filing_indicator=None)
    if kind == "workers-comp":  # a workers' comp claim needs its employer's claim data
        claim.coverage = claim.coverage.model_copy(update={
            "employer_claim_number": "WC-2291", "injury_date": D(2026, 9, 14)})
    assert claim.ok, claim.problems
    (sbr,) = seg(x12([claim]), "SBR")
    assert sbr[9] == sbr09
    assert box_x(cms1500.render([claim], CTX), 8) == [round(cms1500.x_of(box1_col), 1)]


def test_r33_an_explicit_indicator_wins_over_the_kinds_default():
    (claim,) = with_payer(kind="commercial", claim_filing_indicator="12")  # a PPO
    (sbr,) = seg(x12([claim]), "SBR")
    assert sbr[9] == "12"


def test_r33_a_payer_of_kind_other_without_an_indicator_is_refused_naming_the_fix():
    (claim,) = with_payer(kind="other", claim_filing_indicator=None)
    assert claim.issue_codes == ["no-claim-filing-indicator"]
    (problem,) = claim.problems
    assert problem.startswith(f"Claim {claim.account_number}, 2000B SBR09: the payer Blue "
                              "Prairie PPO is of kind other and has no claim filing indicator")
    assert "Fix: choose the claim filing indicator of payer bcx" in problem
    (claim,) = with_payer(kind="other", claim_filing_indicator="LM")
    assert claim.ok
    assert seg(x12([claim]), "SBR")[0][9] == "LM"
