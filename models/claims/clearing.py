"""The checks PerDiem owns beyond pyx12 (issue 11): what a clearinghouse or a payer rejects
though the 837P is well formed. Each finding names the claim, the loop (or CMS-1500 box) and
the fix, with a code the tests and the GUI read (`no-payer-claim-number`...).

`draft_issues` runs on every draft (models/claims/drafts.py), so a claim with an issue is
refused before any export; `file_issues` reads a written 837P back, segment by segment, and
finds the same points in the file (export runs it on what it is about to write; the tests on
every file they make).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.claims.claim import ClaimDraft, filing_indicator
from models.records.checks import billing_provider_problems
from models.records.tables import OrderRead, PharmacyRead
from models.validation import npi_problem, tax_id_problem, taxonomy_problem


@dataclass(frozen=True)
class ClaimIssue:
    """One reason a clearinghouse or payer would refuse a claim."""

    code: str
    claim: str  # PerDiem's claim (patient account) number
    loop: str  # where: "2010AA N4", "2300 REF*F8", "box 1"...
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"Claim {self.claim}, {self.loop}: {self.problem} Fix: {self.fix} ({self.code})"


def draft_issues(draft: ClaimDraft, pharmacy: PharmacyRead | None, fmt: str,
                 orders: Mapping[str, OrderRead]) -> list[ClaimIssue]:
    """Every issue of one draft for `fmt` ("837p", "cms1500", "csv")."""
    out: list[ClaimIssue] = []
    acct = draft.account_number

    def add(code: str, loop: str, problem: str, fix: str) -> None:
        out.append(ClaimIssue(code, acct, loop, problem, fix))

    paper = fmt == "cms1500"
    if pharmacy is not None:
        _billing_provider(add, pharmacy, paper)
    # R33: the claim filing indicator
    if filing_indicator(draft.payer) is None:
        add("no-claim-filing-indicator", "box 1" if paper else "2000B SBR09",
            f"the payer {draft.payer.name} is of kind other and has no claim filing indicator "
            "(R33).", f"choose the claim filing indicator of payer {draft.payer.id} under "
            "Payers (or set the payer's kind).")
    return out


def _billing_provider(add, ph: PharmacyRead, paper: bool) -> None:
    where = (lambda box: f"box {box}") if paper else (lambda loop: loop)
    for fld, problem in billing_provider_problems(ph).items():
        if fld == "zip":
            add("billing-provider-zip", where("33") if paper else "2010AA N403",
                f"the billing provider's ZIP {ph.zip} has {len(ph.zip)} digits; it needs all 9 "
                "(ZIP+4).", "type the pharmacy's ZIP+4 under Settings > Pharmacy.")
        else:
            add("billing-provider-address", where("33") if paper else "2010AA N301",
                f"the billing provider's address {problem}.",
                "type the pharmacy's street address under Settings > Pharmacy.")
    if problem := npi_problem(ph.npi):
        add("billing-provider-npi", where("33a") if paper else "2010AA NM109",
            f"the pharmacy's NPI {ph.npi}: {problem}.",
            "type the pharmacy's NPI as NPPES lists it under Settings > Pharmacy.")
    if problem := tax_id_problem(ph.tax_id):
        add("billing-provider-tax-id", where("25") if paper else "2010AA REF*EI",
            f"the pharmacy's tax id {ph.tax_id} {problem}.",
            "type the pharmacy's EIN under Settings > Pharmacy.")
    if ph.taxonomy and (problem := taxonomy_problem(ph.taxonomy)):
        add("billing-provider-taxonomy", where("33b") if paper else "2000A PRV03",
            f"the pharmacy's taxonomy code {ph.taxonomy} {problem}.",
            "type the pharmacy's NUCC taxonomy code under Settings > Pharmacy.")
