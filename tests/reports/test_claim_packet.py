"""A packet per claim (issue 10): exactly that claim's payer and days, the evidence as it stood
when the claim was made, later changes listed apart, late entries (R26) and days served before
the order's signature (R27) marked, bookmarks and a contents page. Read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from models.billing.claim_packet import load_claim_packet_data
from models.billing.packet_data import load_packet_data
from models.claims import batches, sent
from models.db import transactions, unit_of_work
from models.errors import FieldError
from models.records import attachments, clinical, reference, registry
from models.records.tables import (
    AuthorizationBase,
    CareNoteBase,
    CoverageBase,
    DeliveryBase,
    InfusionBase,
    OrderBase,
    PatientBase,
    PharmacyBase,
    PrepNoteBase,
)
from reports.claims import claims_csv
from reports.packet import render_packet
from tests.reports.test_packet import png
from tests.support.databases import billing_ready
from tests.support.recorded import today_is

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
CREATED = dt.datetime(2026, 12, 3, 9, 30)


def two_payers(engine) -> None:
    """Blue Prairie until 10/15, Illinois Medicaid (with its own authorization) from 10/16:
    October makes two claims, 10/07 to Blue Prairie and 10/29 to Medicaid."""
    with unit_of_work(engine) as s:
        old = reference.get_patient(s, "p-1001")
        reference.save_patient(
            s, actor="t", data=PatientBase(**old.model_dump(exclude={"coverages"})),
            coverages=[CoverageBase(payer_id="bcx", member_id="XBP448812", group_number="G7710",
                                    start_date=dt.date(2026, 1, 1),
                                    end_date=dt.date(2026, 10, 15)),
                       CoverageBase(payer_id="ilmcd", member_id="ILMCD99887766",
                                    start_date=dt.date(2026, 10, 16))])
        reference.save_authorization(s, actor="t", data=AuthorizationBase(
            id="pa-9", patient_id="p-1001", payer_id="ilmcd", number="ILPA-77", code="S9338",
            start_date=dt.date(2026, 10, 16), end_date=dt.date(2026, 12, 31), units=5))


def export(engine, tmp_path) -> tuple[dict[str, str], dt.datetime]:
    """October billed (the batch made now, after the records were saved): payer -> claim
    number, and when the batch was made."""
    result = batches.export_claims(transactions(engine), actor="Biller Bo", start=OCT[0],
                                   end=OCT[1], fmt="csv", out=tmp_path / "oct.csv",
                                   render=claims_csv.render)
    with unit_of_work(engine) as s:
        made = batches.list_batches(s)[0].created_at
    return {d.payer.id: d.account_number for d in result.written}, made


def claim_packet(engine, claim: str) -> tuple[bytes, list[str]]:
    with unit_of_work(engine) as s:
        data = load_claim_packet_data(s, claim=claim, prepared_by="Jia Lee", created_at=CREATED)
    pdf = render_packet(data)
    return pdf, [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def titled(pages: list[str], title: str) -> str:
    """The pages of a section (not the contents page, which names them all)."""
    found = [p for p in pages if title in p and not p.startswith("Contents")]
    assert found, f"no page has {title!r}"
    return "\n".join(found)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def claimed(example_engine, tmp_path) -> tuple[dict[str, str], dt.datetime]:
    billing_ready(example_engine)  # the ZIP+4 every claim needs (issue 11)
    two_payers(example_engine)
    return export(example_engine, tmp_path)


def test_a_claims_packet_holds_only_its_payer_and_its_days(example_engine, claimed):
    claims, _made = claimed
    assert set(claims) == {"bcx", "ilmcd"}
    pdf, pages = claim_packet(example_engine, claims["bcx"])
    everything = "\n".join(pages)
    assert "Blue Prairie PPO" in everything and "XBP448812" in everything
    for other in ("Illinois Medicaid", "ILMCD99887766", "ILPA-77", claims["ilmcd"]):
        assert other not in everything, other  # not one word of the other payer's claim
    cover = flat(pages[0])
    for expected in (claims["bcx"], "(CLM01)", "original (frequency 1)", "not recorded",
                     "made", "by Biller Bo", "D80.1", "PA20261001",
                     "Total as recorded", "BILLED LINES"):
        assert expected in cover, expected
    assert f"Claim {claims['bcx']}, October 7, 2026" in cover  # the header names the claim
    checklist = flat(titled(pages, "Evidence checklist by service day"))
    assert re.search(rf"10/07/2026 Billable\b.*{claims['bcx']}", checklist)
    assert "10/29/2026" not in checklist and "10/28/2026" not in checklist
    mar = titled(pages, "Medication administration record")
    assert "mar-1" in mar and "mar-3" not in mar and "mar-2" not in mar  # its day only
    # R21: the dose given makes the units the claim billed
    assert re.search(r"10/07/2026\s+o-1\s+J1569\s+mar-1\s+30,000 mg\s+500 mg\s+60\s+60\s+agrees",
                     titled(pages, "Dose given and drug units billed"))


def test_the_payers_claim_number_and_batch_are_on_the_cover(example_engine, claimed):
    claims, made = claimed
    with unit_of_work(example_engine) as s:
        batches.set_payer_claim_number(s, actor="t", account_number=claims["ilmcd"],
                                       number="ICN-555")
    _pdf, pages = claim_packet(example_engine, claims["ilmcd"].lower())  # as typed
    assert "ICN-555" in pages[0] and "Illinois Medicaid" in pages[0]
    assert f"made {made:%m/%d/%Y %H:%M}" in flat(pages[0])
    assert "ILPA-77" in pages[0] and "Blue Prairie PPO" not in "\n".join(pages)


def test_a_voided_claims_packet_is_that_of_the_claim_it_voided(example_engine, claimed,
                                                               tmp_path):
    """The void (frequency 8) keeps the claim number and holds no day: the packet asked for
    by that number is still the packet of the days the original claim billed."""
    claims, _made = claimed
    with unit_of_work(example_engine) as s:
        batches.set_payer_claim_number(s, actor="t", account_number=claims["bcx"],
                                       number="ICN-777")
    with unit_of_work(example_engine) as s:
        sent.void_claim(s, actor="t", account_number=claims["bcx"], fmt="csv",
                        out=tmp_path / "void.csv", render=claims_csv.render)
    _pdf, pages = claim_packet(example_engine, claims["bcx"])
    cover = flat(pages[0])
    assert "original (frequency 1)" in cover
    assert "Batch 1 (CSV)" in cover and "by Biller Bo" in cover  # not the void's batch
    assert "10/07/2026" in flat(titled(pages, "Evidence checklist by service day"))


def test_later_additions_are_listed_apart_and_the_evidence_is_as_it_stood(example_engine,
                                                                          claimed, tmp_path):
    claims, made = claimed
    later = made + dt.timedelta(hours=2)
    with unit_of_work(example_engine) as s:
        old = clinical.get_record(s, registry.INFUSION, "mar-1")
        clinical.edit_record(s, actor="Kate Moss RN", kind=registry.INFUSION, record_id="mar-1",
                             data=InfusionBase.model_validate(old).model_copy(
                                 update={"dose_given": Decimal(29000)}),
                             reason="Corrected from the pump log", recorded_at=later)
        clinical.create_record(s, actor="Kate Moss RN", kind=registry.CARE_NOTE, data=CareNoteBase(
            id="cn-9", patient_id="p-1001", date=dt.date(2026, 10, 6), author="Kate Moss RN",
            text="Written after the claim",
            late_entry_reason="From the call log"), recorded_at=later)  # R26: late
        clinical.void_record(s, actor="Jia Lee", kind=registry.CARE_NOTE, record_id="cn-1",
                             reason="Wrong patient", recorded_at=later)
        attachments.add_attachment(s, actor="Jia Lee", patient_id="p-1001",
                                   filename="late-scan.png", content=png(), added_at=later)
    pdf, pages = claim_packet(example_engine, claims["bcx"])
    mar = titled(pages, "Medication administration record")
    assert "30,000 mg" in mar and "29,000" not in mar  # the dose the claim was billed on
    notes = titled(pages, "Care coordination notes")
    assert "Teaching call" in notes  # cn-1 was evidence then; its void came later
    assert "Written after the claim" not in notes
    after = flat(titled(pages, "Added after the claim"))
    assert f"{later:%m/%d/%Y %H:%M} Kate Moss RN Infusion entry mar-1" in after
    assert "Corrected from the pump log" in after and "dose given: 30000 -> 29000" in after
    assert "Care coordination note cn-9" in after and "added" in after
    assert "cn-1" in after and "voided" in after and "Wrong patient" in after
    assert "late-scan.png" in after and "Added after the claim" in flat(
        titled(pages, "Scanned documents on file"))
    # the checklist reads the records of the claim's time: 10/07 was billable then
    assert re.search(r"10/07/2026\s+Billable", titled(pages, "Evidence checklist"))


def test_bookmarks_and_contents_point_at_their_pages(example_engine, claimed):
    claims, _made = claimed
    pdf, pages = claim_packet(example_engine, claims["bcx"])
    reader = PdfReader(io.BytesIO(pdf))

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title, reader.get_destination_page_number(item) + 1

    marks = dict(walk(reader.outline))
    for title in ("Cover", "Contents", "Evidence checklist by service day", "Physician orders",
                  "Order o-1: Gammagard Liquid 10%", "Medication administration record",
                  "Dose given and drug units (R21)", "Deliveries", "Care coordination notes",
                  "Added after the claim", "Attestation"):
        assert title in marks, title
    assert "I attest" in pages[marks["Attestation"] - 1]
    assert "Physician orders" in pages[marks["Physician orders"] - 1]
    contents = pages[marks["Contents"] - 1]
    assert re.search(rf"Added after the claim\s+{marks['Added after the claim']}\b", contents)
    assert re.search(rf"Attestation\s+{marks['Attestation']}\b", contents)


def test_late_entries_are_marked_r26(example_engine, claimed):
    claims, made = claimed
    with unit_of_work(example_engine) as s:
        # dated 10/05, first saved 10/20: late; dated 10/06 and saved that day: on time
        clinical.create_record(s, actor="Kate Moss RN", kind=registry.CARE_NOTE, data=CareNoteBase(
            id="cn-late", patient_id="p-1001", date=dt.date(2026, 10, 5), author="Kate Moss RN",
            text="Called the patient", late_entry_reason="Call log reviewed"),  # R26: required
            recorded_at=dt.datetime(2026, 10, 20, 8, 0))
        clinical.create_record(s, actor="Ravi Patel", kind=registry.CARE_NOTE, data=CareNoteBase(
            id="cn-ontime", patient_id="p-1001", date=dt.date(2026, 10, 6), author="Ravi Patel",
            text="Spoke with the nurse"), recorded_at=dt.datetime(2026, 10, 6, 17, 0))
    with unit_of_work(example_engine) as s:  # the claim's time is the batch's: redo it later
        data = load_claim_packet_data(s, claim=claims["bcx"], prepared_by="t",
                                      created_at=CREATED)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    notes = flat(titled(pages, "Care coordination notes"))
    assert ("cn-late Kate Moss RN Called the patient Late entry, recorded 10/20/2026 by Kate "
            "Moss RN: Call log reviewed") in notes.replace("phone ", "")
    assert re.search(r"cn-ontime Ravi Patel .*Spoke with the nurse 10/06/2026 by Ravi Patel",
                     notes)


def test_a_day_served_before_the_orders_signature_is_marked_r27(example_engine):
    with unit_of_work(example_engine) as s:
        old = clinical.get_record(s, registry.ORDER, "o-1")
        clinical.edit_record(s, actor="t", kind=registry.ORDER, record_id="o-1",
                             data=OrderBase.model_validate(old).model_copy(
                                 update={"signed_date": dt.date(2026, 10, 10)}),
                             reason="Signature date from the faxed copy")
        data = load_packet_data(s, patient_id="p-1001", start=OCT[0], end=OCT[1],
                                prepared_by="t", created_at=CREATED)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    checklist = flat(titled(pages, "Evidence checklist by service day"))
    assert re.search(r"10/07/2026 Billable o-1 Late Yes", checklist)  # R7 counts, R27 marks
    assert "Served before the order was signed on 10/10/2026" in checklist
    assert re.search(r"10/29/2026 Billable o-1 Yes", checklist)
    orders = flat(titled(pages, "Physician orders"))
    assert "Signed after 1 service day (R27): 10/07/2026" in orders


def test_the_period_packet_names_the_claim_of_each_billed_day(example_engine, claimed):
    claims, _made = claimed
    with unit_of_work(example_engine) as s:
        data = load_packet_data(s, patient_id="p-1001", start=OCT[0], end=OCT[1],
                                prepared_by="t", created_at=CREATED)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    checklist = flat(titled(pages, "Evidence checklist by service day"))
    assert re.search(rf"10/07/2026 Billable .*{claims['bcx']}", checklist)
    assert re.search(rf"10/29/2026 Billable .*{claims['ilmcd']}", checklist)
    everything = "\n".join(pages)
    assert "Illinois Medicaid" in everything and "Blue Prairie PPO" in everything  # internal


def test_an_unknown_claim_is_named(example_engine):
    with unit_of_work(example_engine) as s, pytest.raises(FieldError, match="2610-NOPE"):
        load_claim_packet_data(s, claim="2610-NOPE", prepared_by="t", created_at=CREATED)


def test_cli_packet_for_a_claim(example_engine, db_url, claimed, tmp_path, capsys):
    from main import main

    claims, _made = claimed
    out = tmp_path / "claim.pdf"
    assert main(["--db", db_url, "--user", "Jia Lee", "packet", "--claim", claims["bcx"],
                 "--out", str(out)]) == 0
    assert f"claim {claims['bcx']}, 1 billed day" in capsys.readouterr().out
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert claims["bcx"] in pages[0] and "Illinois Medicaid" not in "\n".join(pages)
    assert main(["--db", db_url, "packet", "--claim", "2610-NOPE", "--out", str(out)]) == 1
    assert 'no claim was sent with the claim number "2610-NOPE"' in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--db", db_url, "packet", "--claim", claims["bcx"], "--patient", "p-1001",
              "--out", str(out)])
    assert usage.value.code == 2 and "--claim goes alone" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--db", db_url, "packet", "--patient", "p-1001", "--out", str(out)])
    assert "give --claim CLAIM, or --patient, --from and --to" in capsys.readouterr().err


def test_zip_plus_four_and_long_lots_and_ids_print_whole(example_engine):
    """ZIP+4 as 12345-6789; a lot number or id too long for its column widens the column
    instead of breaking ("LOT-CX-22 / 91" was the bug)."""
    with unit_of_work(example_engine) as s:
        pharmacy = reference.get_pharmacy(s)
        reference.save_pharmacy(s, actor="t", data=PharmacyBase.model_validate(
            pharmacy).model_copy(update={"zip": "616021234"}))
        old = clinical.get_record(s, registry.PREP_NOTE, "rx-1")
        clinical.edit_record(s, actor="t", kind=registry.PREP_NOTE, record_id="rx-1",
                             data=PrepNoteBase.model_validate(old).model_copy(
                                 update={"lot": "LOT-CX-2291-ABCDEFGH"}),
                             reason="Lot from the vial label")
        with today_is(dt.date(2026, 10, 6)):  # R26: recorded on its day
            clinical.create_record(s, actor="t", kind=registry.DELIVERY, data=DeliveryBase(
                id="d-2026-10-06-extra-long", order_id="o-1", date=dt.date(2026, 10, 6),
                method="courier", received_by=None))
        data = load_packet_data(s, patient_id="p-1001", start=OCT[0], end=OCT[1],
                                prepared_by="t", created_at=CREATED)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_packet(data))).pages]
    assert "Peoria, IL 61602-1234" in pages[0]
    assert "LOT-CX-2291-ABCDEFGH" in titled(pages, "Pharmacy preparation notes")
    deliveries = titled(pages, "Deliveries")
    assert "d-2026-10-06-extra-long" in deliveries
    assert re.search(r"d-2026-10-06-extra-long\s+o-1\s+10/06/2026\s+courier\s+not recorded",
                     deliveries)  # who received it, or that nobody was recorded
