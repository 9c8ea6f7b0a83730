"""Issue 11: claims a clearinghouse and a payer accept, read back segment by segment (837P,
through pyx12 as well) and box by box (CMS-1500, with pypdf)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from models.claims.claim import BatchContext
from models.claims.clearing import file_issues
from reports.claims import cms1500, x12_837p
from tests.support.claim_data import PAYERS, PHARMACY, day, drafts, order, patient
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

D = dt.date
CTX = BatchContext(pharmacy=PHARMACY, created_at=dt.datetime(2026, 11, 27, 9, 30),
                   control_numbers=(1,))
DAYS = [day(D(2026, 10, n)) for n in (1, 2, 3)]


def with_payer(coverage=None, **kw):
    """The claim of DAYS billed to the Blue Prairie payer changed by `kw` (and its coverage
    by `coverage`)."""
    payer = PAYERS["bcx"].model_copy(update=kw)
    cov = patient().coverages[0].model_copy(update=coverage or {})
    return drafts(DAYS, payers={**PAYERS, "bcx": payer}, pat=patient([cov]))


WC = {"employer_claim_number": "WC-2291", "injury_date": D(2026, 9, 14)}


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


def box_x(pdf: bytes, line: int, last_col: int = 48) -> list[float]:
    """The x of every X printed on grid line `line` of the first page, left of `last_col`
    (the patient's side: the insured's boxes are on the right)."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        y = tm[5] * cm[3] + cm[5]
        if text.strip() == "X" and abs(y - cms1500.baseline(line)) < 1 \
                and tm[4] * cm[0] + cm[4] < cms1500.x_of(last_col):
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
    (claim,) = with_payer(WC if kind == "workers-comp" else None, kind=kind,
                          claim_filing_indicator=None)
    assert claim.ok, claim.problems
    (sbr,) = seg(x12([claim]), "SBR")
    assert sbr[9] == sbr09
    assert box_x(cms1500.render([claim], CTX), 8) == [round(cms1500.x_of(box1_col), 1)]
    assert file_issues(x12([claim])) == []


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


# --- workers' compensation -----------------------------------------------------------------


def test_workers_comp_carries_clm11_em_ref_y4_dtp_439_and_box_10a_yes():
    (claim,) = with_payer(WC, kind="workers-comp")
    text = x12(claim and [claim])
    (clm,) = seg(text, "CLM")
    assert clm[11] == "EM"
    assert seg(text, "REF", "Y4") == [["REF", "Y4", "WC-2291"]]
    assert seg(text, "DTP", "439") == [["DTP", "439", "D8", "20260914"]]
    assert file_issues(text) == []
    pdf = cms1500.render([claim], CTX)
    assert box_x(pdf, 20) == [round(cms1500.x_of(35), 1)]  # 10a YES
    assert box_x(pdf, 22) == box_x(pdf, 24) == [round(cms1500.x_of(41), 1)]  # 10b, 10c NO
    page = pdf_text([claim])
    assert "Y4 WC-2291" in page and "09 14 2026" in page  # 11b, 14


def test_a_non_workers_comp_claim_says_no_to_10a_and_sends_no_em():
    (claim,) = with_payer()
    text = x12([claim])
    assert len(seg(text, "CLM")[0]) == 10 and not seg(text, "REF", "Y4")
    assert box_x(cms1500.render([claim], CTX), 20) == [round(cms1500.x_of(41), 1)]


def test_workers_comp_without_the_employer_claim_data_is_refused_naming_loop_and_fix():
    (claim,) = with_payer(kind="workers-comp")
    assert claim.issue_codes == ["workers-comp-data", "workers-comp-data"]
    assert claim.problems[0].startswith(f"Claim {claim.account_number}, 2010BA REF*Y4: a "
                                        "workers' compensation claim needs the employer's")
    assert "2300 DTP*439" in claim.problems[1]
    assert "Fix: record the date of injury on the patient's" in claim.problems[1]


def test_workers_comp_service_before_the_injury_is_refused_naming_line_and_fix():
    """A workers' compensation carrier pays from the injury on: a line dated before the
    coverage's injury date is refused, on paper in box 24A."""
    (claim,) = with_payer({**WC, "injury_date": D(2026, 10, 2)}, kind="workers-comp")
    assert claim.issue_codes == ["workers-comp-data"]
    assert claim.problems == [
        f"Claim {claim.account_number}, 2400 DTP*472: line 1 (S9338 10/01/2026) is before the "
        "date of injury 10/02/2026; workers' compensation pays from the injury on. Fix: correct "
        "the injury date or the coverage start of the patient's Blue Prairie PPO coverage. "
        "(workers-comp-data)"]
    (paper,) = drafts(DAYS, fmt="cms1500", payers={**PAYERS, "bcx": PAYERS["bcx"].model_copy(
        update={"kind": "workers-comp"})}, pat=patient([patient().coverages[0].model_copy(
            update={**WC, "injury_date": D(2026, 10, 2)})]))
    assert "box 24A: line 1" in paper.problems[0]


def test_a_coverage_injury_date_is_checked_against_birth_and_coverage_start():
    """The one check of a coverage (form, service, importer): the injury date is not before
    the patient's birth, nor after the coverage start."""
    from models.errors import ValidationFailed
    from models.records.checks import check_patient
    from models.records.tables import CoverageBase, PatientBase
    pat = PatientBase(**patient().model_dump(exclude={"coverages"}))
    cov = CoverageBase(payer_id="glc", member_id="GLC-1", start_date=D(2026, 9, 14), **WC)
    check_patient(pat, [cov])  # the injury on the coverage's first day
    for injury, problem in ((D(2026, 9, 15), "is after the coverage start"),
                            (D(1960, 1, 1), "is before the patient's date of birth")):
        with pytest.raises(ValidationFailed) as exc:
            check_patient(pat, [cov.model_copy(update={"injury_date": injury})])
        assert [(e.field, e.problem.split(":")[0]) for e in exc.value.errors] == [
            ("coverages[0].injury_date", problem)]


# --- the ordering provider (2420E) ---------------------------------------------------------


def test_2420e_dk_names_each_lines_prescriber_and_box_17_is_dk_first_last():
    other = order("o2", prescriber_id="dr2", drug_hcpcs=None, per_diem_code="S9500",
                  per_diem_rate=Decimal("80.00"))
    from models.records.tables import PrescriberRead
    from models.validation import npi_with_check_digit
    from tests.support.claim_data import PRESCRIBERS
    PRESCRIBERS["dr2"] = PrescriberRead(id="dr2", first_name="Ravi", last_name="Shah",
                                        npi=npi_with_check_digit("245678901"))
    try:
        days = DAYS + [day(D(2026, 10, 1), oid="o2")]
        (claim,) = drafts(days, orders=[order(), other])
        text = x12([claim])
    finally:
        del PRESCRIBERS["dr2"]
    assert not seg(text, "NM1", "DN")  # no referral: 2310A and 2420F stay out
    dk = [s[3] for s in seg(text, "NM1", "DK")]
    assert len(dk) == len(seg(text, "LX")) == len(claim.lines)
    assert dk == ["SHAH" if ln.order_id == "o2" else "OKAFOR" for ln in claim.lines]
    assert file_issues(text) == []
    assert file_issues(text.replace("NM1*DK*1*SHAH", "NM1*DN*1*SHAH"))[0].code == \
        "no-ordering-provider"
    pdf = cms1500.render([claim], CTX)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2  # one ordering provider a form: box 17 holds one
    assert "DK NGOZI OKAFOR" in pages[0] and "DK RAVI SHAH" in pages[1]


# --- the file checker ------------------------------------------------------------------------


def test_file_issues_finds_each_point_in_a_written_837p():
    (claim,) = with_payer()
    text = x12([claim])
    assert file_issues(text) == []
    broken = {
        "billing-provider-zip": text.replace("*IL*616021234~", "*IL*61602~", 1),
        "no-claim-filing-indicator": text.replace("******CI~", "~"),
        "ndc-unit": text.replace("*ME~", "*EA~"),
        "no-payer-claim-number": text.replace(":B:1*", ":B:7*"),
        "workers-comp-data": text.replace("******CI~", "******WC~"),
    }
    for code, bad in broken.items():
        assert code in [i.code for i in file_issues(bad)], code


# --- NDC units (CTP04/CTP05, box 24A shaded) and JW/JZ ------------------------------------------


def shaded(claims, page: int = 0) -> list[str]:
    """The shaded supplemental lines of box 24 (grid lines 43, 45, ... 53) as printed on the
    data-only form (the red form's captions left out)."""
    pdf = cms1500.render(claims, CTX, mode=cms1500.DATA)
    rows: dict[int, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, font_dict, font_size):
        y = tm[5] * cm[3] + cm[5]
        for i in range(6):
            if text.strip() and abs(y - cms1500.baseline(43 + 2 * i)) < 1:
                rows.setdefault(i, []).append((tm[4] * cm[0] + cm[4], text.strip()))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return [" ".join(t for _x, t in sorted(rows[i])) for i in sorted(rows)]


def ctp(text: str) -> list[tuple[str, str]]:
    return [(s[4], s[5]) for s in seg(text, "CTP")]


def test_ctp_is_in_the_ndc_billing_unit_30_g_gammagard_is_300_ml():
    """Item 5: CTP04/CTP05 and the 24A shaded line in the drug's billing unit: 30,000 mg of
    Gammagard 10% (100 mg a mL) is 300 ML, not 30000 ME."""
    o = order(drug_billing_unit="ML", drug_package_quantity=Decimal(100))
    (claim,) = drafts(DAYS, orders=[o])
    text = x12([claim])
    assert ctp(text) == [("300", "ML")] * 3
    assert file_issues(text) == []
    assert shaded([claim])[:1] == ["N400944270005 ML300"]


def test_one_invanz_vial_is_1_un_and_heparin_units_are_not_each():
    invanz = order(drug_name="Invanz 1 g vial", drug_ndc="00006384371", drug_hcpcs="J1335",
                   drug_hcpcs_unit_amount=Decimal(500), drug_billing_unit="UN",
                   drug_package_quantity=Decimal(1000))
    (claim,) = drafts(DAYS[:1], orders=[invanz], dose="1000")
    assert ctp(x12([claim])) == [("1", "UN")]

    heparin = dict(drug_name="Heparin 5,000 units/5 mL", drug_ndc="63323054705",
                   drug_hcpcs="J1644", drug_hcpcs_unit_amount=Decimal(1000),
                   drug_dose_unit="units", drug_unit_charge=Decimal("1.10"))
    (refused,) = drafts(DAYS[:1], orders=[order(**heparin)], dose="5000")
    assert refused.issue_codes == ["ndc-unit"]
    assert refused.problems == [
        f'Claim {refused.account_number}, 2410 CTP05: the drug Heparin 5,000 units/5 mL (order '
        'o1) is dosed in "units", which is no NDC unit of measure, and the order gives no NDC '
        "billing unit: its NDC quantity cannot be stated. Fix: set the NDC billing unit (ML, "
        "UN, GR, F2, ME) and the package quantity on order o1. (ndc-unit)"]
    (paper,) = drafts(DAYS[:1], orders=[order(**heparin)], dose="5000", fmt="cms1500")
    assert "box 24A shaded line: the drug Heparin" in paper.problems[0]
    (ok,) = drafts(DAYS[:1], orders=[order(**heparin, drug_billing_unit="ML",
                                            drug_package_quantity=Decimal(1000))], dose="5000")
    assert ok.ok and ctp(x12([ok])) == [("5", "ML")]


def single_dose(dose: str, wasted: str | None):
    from models.records.tables import InfusionRead
    o = order(drug_name="Infliximab 100 mg vial", drug_ndc="57894003001", drug_hcpcs="J1745",
              drug_hcpcs_unit_amount=Decimal(10), drug_unit_charge=Decimal("97.50"),
              drug_billing_unit="UN", drug_package_quantity=Decimal(100), drug_single_dose=True)
    entries = [InfusionRead(id="m1", order_id="o1", date=DAYS[0].date, status="completed",
                            dose_given=Decimal(dose),
                            wasted=Decimal(wasted) if wasted else None)]
    (claim,) = drafts(DAYS[:1], orders=[o], entries=entries)
    return claim


def test_jz_on_a_single_dose_vial_line_with_nothing_discarded():
    claim = single_dose("400", None)
    text = x12([claim])
    assert [s[1] for s in seg(text, "SV1")] == ["HC:S9338", "HC:J1745:JZ"]
    assert [s[4] for s in seg(text, "SV1")] == ["1", "40"]
    assert ctp(text) == [("4", "UN")]
    assert file_issues(text) == []
    assert "J1745 JZ" in pdf_text([claim])
    assert single_dose("400", "0").lines[1].modifiers == ("JZ",)


def test_jw_line_bills_the_waste_recorded_on_the_mar_entry():
    """350 mg given from four 100 mg vials, 50 mg discarded: 35 units, then 5 units JW, each
    with its NDC quantity in vials (3.5 UN and 0.5 UN); the charge follows the units."""
    claim = single_dose("350", "50")
    assert claim.ok, claim.problems
    text = x12([claim])
    assert [(s[1], s[2], s[4]) for s in seg(text, "SV1")] == [
        ("HC:S9338", "150", "1"), ("HC:J1745", "3412.5", "35"), ("HC:J1745:JW", "487.5", "5")]
    assert ctp(text) == [("3.5", "UN"), ("0.5", "UN")]
    assert file_issues(text) == []
    assert claim.total_charge == Decimal("150.00") + Decimal("3412.50") + Decimal("487.50")
    pdf = cms1500.render([claim], CTX)
    assert "J1745 JW" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert shaded([claim]) == ["N457894003001 UN3.5", "N457894003001 UN0.5"]
    # a JW line on its own, or one after a JZ line, is caught in the file
    alone = text.replace("SV1*HC:J1745*3412.5", "SV1*HC:J1569*3412.5")
    assert [i.code for i in file_issues(alone)] == ["waste-line"]
    assert [i.code for i in file_issues(text.replace("HC:J1745*", "HC:J1745:JZ*"))] == [
        "waste-line"]


def test_waste_the_rounding_already_bills_makes_no_jw_line():
    """CMS: 345 mg given (35 units of 10 mg, rounded up) and 5 mg discarded bill no more than
    35 units: no billing unit was discarded, so JZ and no JW line."""
    claim = single_dose("345", "5")
    assert [(ln.modifiers, ln.units) for ln in claim.lines[1:]] == [(("JZ",), 35)]
    assert single_dose("345", "6").lines[2].units == 1  # 351 mg: 36 units, one of them JW


def test_no_jw_or_jz_on_a_drug_not_in_a_single_dose_vial():
    (claim,) = drafts(DAYS[:1])
    assert claim.lines[1].modifiers == ()
