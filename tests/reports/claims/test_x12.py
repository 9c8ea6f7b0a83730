"""837P files: every one the tests make passes pyx12 with no error, and agrees with R15-R23."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from models.billing import loading, rules
from models.claims import batches as claim_batches
from models.db import transactions, unit_of_work
from models.records import reference
from reports.claims import x12_837p
from tests.support.x12_validator import x12_errors

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))  # the demo's last full month
NOW = dt.datetime(2026, 11, 27, 9, 30)


def export(engine, tmp_path: Path, start=OCTOBER[0], end=OCTOBER[1], name="out.837", **kw):
    out = tmp_path / name
    result = claim_batches.export_claims(transactions(engine), actor="test", start=start,
                                         end=end, fmt="837p", out=out, render=x12_837p.render,
                                         now=NOW, **kw)
    return result, "".join(p.read_text(encoding="ascii") for p in result.paths)


def segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def claims_of(text: str) -> list[dict]:
    """CLM segments with the SV1 lines and dates that follow them."""
    out: list[dict] = []
    for seg in segments(text):
        if seg[0] == "CLM":
            out.append({"clm": seg, "lines": []})
        elif seg[0] == "SV1":
            out[-1]["lines"].append({"sv1": seg})
        elif seg[0] == "DTP" and seg[1] == "472":
            out[-1]["lines"][-1]["dtp"] = seg
    return out


def test_the_validator_harness_catches_broken_files(example_engine, tmp_path):
    _, text = export(example_engine, tmp_path)
    assert x12_errors(text) == []
    broken = {
        "segment count": re.sub(r"SE\*(\d+)\*", lambda m: f"SE*{int(m[1]) + 1}*", text),
        "missing CLM": re.sub(r"CLM\*[^~]*~\n", "", text),
        "bad date": text.replace("DTP*472*D8*20261007", "DTP*472*D8*20261307"),
        "bad qualifier": text.replace("NM1*85*2", "NM1*99*2"),
        "control number mismatch": text.replace("IEA*1*000000001", "IEA*1*000000002"),
        "not X12": "hello",
    }
    for name, bad in broken.items():
        assert x12_errors(bad), name


def test_example_837p_validates_and_carries_every_element(example_engine, tmp_path):
    result, text = export(example_engine, tmp_path)
    assert x12_errors(text) == []
    assert len(result.written) == 1 and not result.refused
    for expected in (
        "ISA*00*          *00*          *ZZ*1234567893     *ZZ*BPP01          *261127*0930*^*"
        "00501*000000001*0*T*:~",
        "GS*HC*1234567893*BPP01*20261127*0930*1*X*005010X222A1~",
        "NM1*85*2*RIVERBEND HOME INFUSION*****XX*1234567893~",
        "PRV*BI*PXC*3336H0001X~",
        "REF*EI*371234567~",
        "NM1*IL*1*LINDQVIST*MARIA****MI*XBP448812~",
        "NM1*PR*2*BLUE PRAIRIE PPO*****PI*BPP01~",
        "*12:B:1*Y*A*Y*Y~",  # place of service 12, original claim
        "REF*G1*PA20261001~",  # R23: one number for the whole claim
        "HI*ABK:D801~",
        # issue 11: the prescriber is each line's ordering provider (2420E), never 2310A
        "SV1*HC:S9338*150*UN*1***1~\nDTP*472*D8*20261007~\n"
        "NM1*DK*1*OKAFOR*NGOZI****XX*1558412387~",
        "SV1*HC:J1569*5544*UN*60***1~\nDTP*472*D8*20261007~\nLIN**N4*00944270005~\n"
        "CTP****30000*ME~\nNM1*DK*1*OKAFOR*NGOZI****XX*1558412387~",
        "SV1*HC:S9338:SS*150*UN*1***1~\nDTP*472*D8*20261029~",  # R16 suite day
        "SV1*HC:J1569*3696*UN*40***1~",  # R21: 20000 mg / 500 mg = 40 units
    ):
        assert expected in text, expected
    assert "REF*G1" not in text.split("LX*1")[1]  # not repeated on the lines
    assert "NM1*DN" not in text  # no referral is recorded, so no 2310A/2420F
    assert text.count("NM1*DK*") == text.count("LX*")  # every line names its ordering provider


def test_demo_last_full_month_validates_clean_and_lines_agree_with_the_rules(demo_engine,
                                                                            tmp_path):
    result, text = export(demo_engine, tmp_path)
    assert x12_errors(text) == []
    assert len(result.written) >= 10 and not result.refused
    with unit_of_work(demo_engine) as session:
        days = loading.billable_days(session, *OCTOBER)
    billable = [d for d in days if d.status == rules.BILLABLE]
    written = claims_of(text)
    assert len(written) == len(result.written)

    by_account = {d.account_number: d for d in result.written}
    for claim in written:
        draft = by_account[claim["clm"][1]]
        charges = [Decimal(ln["sv1"][2]) for ln in claim["lines"]]
        assert Decimal(claim["clm"][2]) == sum(charges)  # CLM02 = sum of SV102
        per_diem_units = sum(int(ln["sv1"][4]) for ln in claim["lines"]
                             if ln["sv1"][1].split(":")[1].startswith("S"))
        assert per_diem_units == len(draft.days)  # R20: units = billable days
        for ln in claim["lines"]:
            dates = ln["dtp"][3].split("-")
            assert {d[:6] for d in dates} == {"202610"}  # R20: no line crosses a month
    assert sum(len(d.days) for d in result.written) == len(billable)

    # R15-R18: the modifiers of each billable day are on the line that bills it.
    day_mods = {(d.order_id, d.date): d.modifiers for d in billable}
    seen = set()
    for draft in result.written:
        for ln in draft.lines:
            if ln.kind != "per-diem":
                continue
            for n in range((ln.end - ln.start).days + 1):
                assert day_mods[(ln.order_id, ln.start + dt.timedelta(days=n))] == ln.modifiers
            seen.update(ln.modifiers)
    assert {"SH", "SJ", "SS", "U1"} <= seen
    for mod in ("SH", "SJ", "SS", "U1"):
        assert re.search(rf"SV1\*HC:S\d{{4}}(:\w\w)*:{mod}", text), mod
    assert "*RD8*" in text  # a per diem line over several days
    assert re.search(r"HL\*\d+\*\d+\*23\*0~\nPAT\*", text)  # a dependent: the 2000C loop


def test_control_numbers_increase_and_are_stored(demo_engine, tmp_path):
    first, text1 = export(demo_engine, tmp_path, start=dt.date(2026, 9, 1),
                          end=dt.date(2026, 9, 30), name="sep.837")
    second, text2 = export(demo_engine, tmp_path, name="oct.837")
    n1 = [int(s[13]) for s in segments(text1) if s[0] == "ISA"]
    n2 = [int(s[13]) for s in segments(text2) if s[0] == "ISA"]
    assert n1 == list(range(1, len(n1) + 1))  # one interchange per payer until configured
    assert n2 == list(range(n1[-1] + 1, n1[-1] + 1 + len(n2)))
    with unit_of_work(demo_engine) as session:
        from models.records.tables import Pharmacy

        assert session.get(Pharmacy, 1).last_control_number == n2[-1]
    for text in (text1, text2):
        assert x12_errors(text) == []


def test_without_a_clearinghouse_each_payer_gets_its_own_file(demo_engine, tmp_path):
    result, _ = export(demo_engine, tmp_path, name="oct.837")
    assert not (tmp_path / "oct.837").exists() and len(result.paths) >= 2
    payers = set()
    for path in result.paths:
        text = path.read_text(encoding="ascii")
        assert x12_errors(text) == []
        (isa,) = [s for s in segments(text) if s[0] == "ISA"]  # one interchange, one receiver
        receiver = isa[8].strip()
        assert path.name == f"oct-{receiver}.837"
        assert {s[9] for s in segments(text) if s[:2] == ["NM1", "PR"]} == {receiver}
        payers.add(receiver)
    assert payers == {d.payer.payer_id for d in result.written}
    assert sorted(tmp_path.glob("oct*")) == sorted(result.paths)  # no .part file left
    with unit_of_work(demo_engine) as session:  # each claimed day names its own payer's file
        for info in claim_batches.claimed_days(session).values():
            payer = reference.get_payer(session, info.payer_id)
            assert Path(info.file_name).name == f"oct-{payer.payer_id}.837"


def test_two_plans_sharing_a_payer_id_make_one_file(demo_engine, tmp_path):
    from sqlmodel import select

    from models.records.tables import Payer

    with unit_of_work(demo_engine) as session:
        first, second = session.exec(select(Payer).order_by(Payer.id)).all()[:2]
        second.payer_id = first.payer_id  # e.g. a PPO and an HMO of one insurer
        session.add(second)
    result, _ = export(demo_engine, tmp_path, name="oct.837")
    files = {p.name: p.read_text(encoding="ascii") for p in result.paths}
    assert len(files) == len(result.paths)  # no file written over another
    text = files[f"oct-{first.payer_id}.837"]
    assert x12_errors(text) == [] and text.count("ISA*") == 1
    assert f"*{first.name.upper()}*" in text and f"*{second.name.upper()}*" in text  # both
    assert sum(t.count("CLM*") for t in files.values()) == len(result.written)


def test_clearinghouse_settings_make_one_interchange(demo_engine, tmp_path):
    with unit_of_work(demo_engine) as session:
        from models.records.tables import Pharmacy

        row = session.get(Pharmacy, 1)
        row.submitter_id, row.submitter_name = "SUB12345", "Lakeshore Billing"
        row.receiver_id, row.receiver_name = "CLEARHOUSE01", "Acme Clearinghouse"
        row.usage_indicator, row.last_control_number = "P", 41
        session.add(row)
    result, text = export(demo_engine, tmp_path)
    assert x12_errors(text) == []
    assert result.paths == [tmp_path / "out.837"]  # one receiver, one file, as named
    (isa,) = [s for s in segments(text) if s[0] == "ISA"]
    assert (isa[6].strip(), isa[8].strip(), isa[13], isa[15]) == (
        "SUB12345", "CLEARHOUSE01", "000000042", "P")
    assert "NM1*41*2*LAKESHORE BILLING*****46*SUB12345~" in text
    assert "NM1*40*2*ACME CLEARINGHOUSE*****46*CLEARHOUSE01~" in text
    assert text.count("CLM*") == len(result.written)


def test_rebill_writes_a_valid_replacement_claim(example_engine, tmp_path):
    first, text = export(example_engine, tmp_path)
    again, text2 = export(example_engine, tmp_path, name="again.837")
    assert again.written == [] and text2 == ""  # a day is never billed twice
    account = first.written[0].account_number
    with unit_of_work(example_engine) as session:
        claim_batches.set_payer_claim_number(session, actor="t", account_number=account,
                                             number="ICN-20261105-77")
    replaced, text3 = export(example_engine, tmp_path, name="rebill.837", rebill=True)
    assert x12_errors(text3) == []
    assert f"CLM*{account}*9540***12:B:7*Y*A*Y*Y~" in text3
    assert "REF*F8*ICN-20261105-77~" in text3  # the payer's number (issue 11)
    assert [d.frequency_code for d in replaced.written] == ["7"]


def test_a_dependent_patient_gets_the_patient_loop(example_engine, tmp_path):
    with unit_of_work(example_engine) as session:
        from sqlmodel import select

        from models.records.tables import Coverage

        cov = session.exec(select(Coverage)).one()
        cov.relationship = "spouse"
        cov.subscriber_first_name, cov.subscriber_last_name = "Anders", "Lindqvist"
        cov.subscriber_birth_date, cov.subscriber_sex = dt.date(1959, 2, 3), "M"
        session.add(cov)
    _, text = export(example_engine, tmp_path)
    assert x12_errors(text) == []
    flat = text.replace("\n", "")
    # 2010BA carries no DMG when the subscriber is not the patient (TR3: do not send)
    assert "HL*2*1*22*1~SBR*P**G7710******CI~NM1*IL*1*LINDQVIST*ANDERS****MI*XBP448812~" \
           "NM1*PR*2*" in flat
    assert "DMG*D8*19590203" not in flat
    assert "HL*3*2*23*0~PAT*01~NM1*QC*1*LINDQVIST*MARIA~" in flat


def test_claims_with_problems_are_refused_and_the_good_ones_written(example_engine, tmp_path):
    with unit_of_work(example_engine) as session:
        from models.records.tables import Order

        o = session.get(Order, "o-1")
        o.drug_unit_charge = None  # a charge of zero on the drug lines
        session.add(o)
    result, text = export(example_engine, tmp_path)
    assert result.written == [] and text == ""
    (refused,) = result.refused
    assert any("charge of zero" in p for p in refused.problems)
    with unit_of_work(example_engine) as session:
        assert claim_batches.claimed_days(session) == {}  # nothing recorded


def test_a_microgram_dose_keeps_its_three_decimals_in_ctp04():
    from models.claims.claim import BatchContext
    from tests.support.claim_data import PHARMACY, day, drafts, order

    o = order(drug_dose_unit="mcg", drug_hcpcs_unit_amount=Decimal(100))
    (claim,) = drafts([day(dt.date(2026, 10, 1))], orders=[o], dose="125")
    text = x12_837p.write([claim], BatchContext(PHARMACY, NOW, control_numbers=(1,)))
    assert x12_errors(text) == []
    assert "SV1*HC:J1569*184.8*UN*2***1~" in text  # R21: 125 mcg / 100 mcg, rounded up
    assert "LIN**N4*00944270005~\nCTP****0.125*ME~" in text  # 125 mcg = 0.125 mg


def test_amounts_are_plain_x12_decimals():
    assert [x12_837p.amount(Decimal(v)) for v in ("150.00", "92.40", "0.05", "1000")] == [
        "150", "92.4", "0.05", "1000"]


def test_claimed_days_name_batch_and_date(example_engine, tmp_path):
    first, _ = export(example_engine, tmp_path)
    with unit_of_work(example_engine) as session:
        claimed = claim_batches.claimed_days(session, "p-1001")
    assert set(claimed) == {("o-1", dt.date(2026, 10, 7)), ("o-1", dt.date(2026, 10, 29))}
    info = claimed[("o-1", dt.date(2026, 10, 7))]
    assert (info.batch_id, info.batch_created_at, info.account_number) == (
        first.batch_id, NOW.astimezone(), first.written[0].account_number)  # aware, local
    assert info.label == f"claimed in batch {first.batch_id} on 2026-11-27"


def test_saving_the_pharmacy_keeps_clearinghouse_settings_and_control_number(example_engine):
    from models.errors import ValidationFailed
    from models.records.tables import Pharmacy, PharmacyBase

    with unit_of_work(example_engine) as session:
        row = session.get(Pharmacy, 1)
        row.submitter_id, row.last_control_number = "SUB12345", 17
        session.add(row)
    with unit_of_work(example_engine) as session:
        current = reference.get_pharmacy(session)
        fields = {k: getattr(current, k) for k in ("name", "npi", "tax_id", "address_line1",
                                                   "city", "state", "zip")}
        reference.save_pharmacy(session, actor="test", data=PharmacyBase(**fields))
    with unit_of_work(example_engine) as session:
        row = session.get(Pharmacy, 1)
        assert (row.submitter_id, row.last_control_number) == ("SUB12345", 17)
    with pytest.raises(ValidationFailed) as err, unit_of_work(example_engine) as session:
        reference.save_pharmacy(session, actor="test", data=PharmacyBase(
            **fields, submitter_id="SUB*1", usage_indicator="X"))
    problems = {e.field: e.problem for e in err.value.errors}
    assert set(problems) == {"submitter_id", "usage_indicator"}
    assert problems["usage_indicator"] == "is T (test) or P (production)"  # vocab's, worded
