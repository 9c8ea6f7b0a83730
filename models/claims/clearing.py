"""The checks PerDiem owns beyond pyx12 (issue 11): what a clearinghouse or a payer rejects
though the 837P is well formed. Each finding names the claim, the loop (or CMS-1500 box) and
the fix, with a code the tests and the GUI read (`no-payer-claim-number`...).

`draft_issues` runs on every draft (models/claims/drafts.py), so a claim with an issue is
refused before any export; `file_issues` reads a written 837P back, segment by segment, and
finds the same points in the file (export runs it on what it is about to write; the tests on
every file they make).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from models.claims.claim import COMPONENT, DRUG, ClaimDraft, filing_indicator, workers_comp
from models.records.checks import billing_provider_problems
from models.records.tables import OrderRead, PharmacyRead
from models.validation import npi_problem, tax_id_problem, taxonomy_problem
from models.vocab import NDC_BILLING_UNITS


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
    # workers' compensation: CLM11 EM, REF*Y4, DTP*439 (boxes 10a, 11b, 14)
    if workers_comp(draft.payer):
        cov = draft.coverage
        for value, label, loop, box in (
                (cov.employer_claim_number, "employer's claim number", "2010BA REF*Y4", "11b"),
                (cov.injury_date, "date of injury", "2300 DTP*439", "14")):
            if not value:
                add("workers-comp-data", f"box {box}" if paper else loop,
                    f"a workers' compensation claim needs the {label}, which the patient's "
                    f"{draft.payer.name} coverage does not give.",
                    f"record the {label} on the patient's {draft.payer.name} coverage.")
        early = [ln for ln in draft.lines if cov.injury_date and ln.start < cov.injury_date]
        if early:
            add("workers-comp-data", "box 24A" if paper else "2400 DTP*472",
                f"line {draft.lines.index(early[0]) + 1} ({early[0].code} "
                f"{early[0].start:%m/%d/%Y}) is before the date of injury "
                f"{cov.injury_date:%m/%d/%Y}; workers' compensation pays from the injury on.",
                f"correct the injury date or the coverage start of the patient's "
                f"{draft.payer.name} coverage.")
    # NDC quantities in a unit of the guide's list (CTP05, box 24A shaded): never a guess
    unknown = dict.fromkeys(ln.order_id for ln in draft.lines
                            if ln.kind == DRUG and ln.ndc and ln.ndc_unit is None)
    for ln in draft.lines:  # a compound order's component with an NDC but no quantity (R21)
        if ln.kind == COMPONENT and ln.ndc and ln.ndc_unit is None:
            add("ndc-unit", "box 24A shaded line" if paper else "2410 CTP05",
                f"the component {ln.description} ({ln.code}) of order {ln.order_id} has the "
                f"NDC {ln.ndc} but no NDC unit and quantity: its NDC quantity cannot be "
                "stated.", f"give the component's NDC unit and quantity on order "
                f"{ln.order_id}, or remove its NDC.")
    for order_id in unknown:
        o = orders.get(order_id)
        name = o.drug_name if o else order_id
        unit = f'in "{o.drug_dose_unit}"' if o and o.drug_dose_unit else "without a dose unit"
        add("ndc-unit", "box 24A shaded line" if paper else "2410 CTP05",
            f"the drug {name} (order {order_id}) is dosed {unit}, which is no NDC unit of "
            "measure, and the order gives no NDC billing unit: its NDC quantity cannot be "
            "stated.", f"set the NDC billing unit ({', '.join(NDC_BILLING_UNITS)}) and the "
            f"package quantity on order {order_id}.")
    # a replacement (7) or void (8) names the claim by the payer's own number (REF*F8, box 22)
    if draft.frequency_code in ("7", "8") and not draft.original_reference:
        what = "replacement" if draft.frequency_code == "7" else "void"
        add("no-payer-claim-number", "box 22" if paper else "2300 REF*F8",
            f"the payer's claim number (ICN/DCN) of the claim this {what} replaces is not "
            "recorded; the payer rejects a claim naming PerDiem's number.",
            "record it with Payer claim number... beside the claim in the Claims dialog "
            "(or in the billing calendar's day panel).")
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


# --- the written 837P, read back ------------------------------------------------------------


def file_issues(text: str) -> list[ClaimIssue]:
    """The points above, found in a written 837P: the billing provider's ZIP+4 (2010AA N403), a
    filing indicator in every SBR09, a payer's claim number in REF*F8 for every replacement or
    void, an ordering provider (2420E NM1*DK) on every service line, NDC units from the
    guide's list (CTP05), a JW (discarded drug) line right after the line of the dose given,
    and a workers' compensation claim's CLM11 EM, REF*Y4 and DTP*439.
    The claim named is CLM01 (the billing provider's issues name "-")."""
    out: list[ClaimIssue] = []
    segs = [s.strip().split("*") for s in text.split("~") if s.strip()]
    entity, claim, filing, line = "", "-", "", 0
    seen: dict[str, set[str]] = {}

    def close_claim() -> None:
        if claim == "-":
            return
        got = seen.get(claim, set())
        if filing == "WC":
            for need, loop in (("EM", "2300 CLM11"), ("Y4", "2010BA/2010CA REF*Y4"),
                               ("439", "2300 DTP*439")):
                if need not in got:
                    out.append(ClaimIssue("workers-comp-data", claim, loop,
                                          f"a workers' compensation claim without {need}.",
                                          "record the coverage's employer claim number and "
                                          "injury date."))

    def close_line() -> None:
        if line and "DK" not in seen.setdefault(f"{claim}#{line}", set()):
            out.append(ClaimIssue("no-ordering-provider", claim, f"2420E (line {line})",
                                  "the service line names no ordering provider (NM1*DK).",
                                  "record the order's prescriber."))

    subscriber_refs: set[str] = set()
    previous: tuple = ("", "", [])  # the claim, code and modifiers of the last service line
    for s in segs:
        tag = s[0]
        if tag == "NM1":
            entity = s[1]
            if entity == "DK" and line:
                seen.setdefault(f"{claim}#{line}", set()).add("DK")
        elif tag == "N4" and entity == "85" and not re.fullmatch(r"\d{9}", _el(s, 3)):
            out.append(ClaimIssue("billing-provider-zip", "-", "2010AA N403",
                                  f"the billing provider's ZIP {_el(s, 3)} is not 9 digits.",
                                  "type the pharmacy's ZIP+4 under Settings > Pharmacy."))
        elif tag == "SBR":
            close_line()
            close_claim()
            line, claim, filing = 0, "-", _el(s, 9)
            subscriber_refs = set()
            if not filing:
                out.append(ClaimIssue("no-claim-filing-indicator", "-", "2000B SBR09",
                                      "SBR09 is empty.", "set the payer's claim filing "
                                      "indicator."))
        elif tag == "REF" and s[1] == "Y4" and claim == "-":
            subscriber_refs.add("Y4")
        elif tag == "CLM":
            claim = s[1]
            got = seen.setdefault(claim, set(subscriber_refs))
            freq = _el(s, 5).split(":")[-1]
            if _el(s, 11).split(":")[0] == "EM":
                got.add("EM")
            if freq in ("7", "8"):
                got.add("needs-F8")
        elif tag == "REF" and s[1] == "Y4":
            seen.setdefault(claim, set()).add("Y4")
        elif tag == "REF" and s[1] == "F8" and line == 0:
            if _el(s, 2) and _el(s, 2) != claim:
                seen.setdefault(claim, set()).add("F8")
        elif tag == "DTP" and s[1] == "439":
            seen.setdefault(claim, set()).add("439")
        elif tag == "HI":
            got = seen.get(claim, set())
            if "needs-F8" in got and "F8" not in got:
                out.append(ClaimIssue("no-payer-claim-number", claim, "2300 REF*F8",
                                      "a replacement or void names no payer's claim number.",
                                      "record the payer's claim number of the original."))
        elif tag == "LX":
            close_line()
            line = int(s[1])
        elif tag == "SV1":
            code, *mods = _el(s, 1).split(":")[1:]
            if "JW" in mods and ("JZ" in mods or previous[:2] != (claim, code)
                                 or {"JW", "JZ"} & set(previous[2])):
                out.append(ClaimIssue("waste-line", claim, f"2400 SV1 (line {line})",
                                      "a JW (discarded drug) line must follow the line of the "
                                      "same drug given that day, which carries neither JW nor "
                                      "JZ.", "record the waste on the MAR entry of the dose."))
            previous = (claim, code, mods)
        elif tag == "CTP" and _el(s, 5) not in NDC_BILLING_UNITS:
            out.append(ClaimIssue("ndc-unit", claim, f"2410 CTP05 (line {line})",
                                  f'"{_el(s, 5)}" is not an NDC unit of the guide.',
                                  "set the drug's NDC billing unit."))
        elif tag == "SE":
            close_line()
            close_claim()
            line, claim = 0, "-"
    return out


def _el(s: list[str], i: int) -> str:
    return s[i] if len(s) > i else ""
