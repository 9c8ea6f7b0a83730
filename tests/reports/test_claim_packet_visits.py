"""R34 in a claim's packet (issue 15): `packet --claim` lists the nursing visits the claim bills
(times, nurse, type, note, the MAR entries given during them, 99601/99602 units, the
authorization) in the Nursing visits section and under the checklist, its visit lines among the
billed lines; a claim holding only visits has a packet too. Read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json

from pypdf import PdfReader

from models.billing.claim_packet import load_claim_packet_data
from models.claims import batches
from models.db import transactions, unit_of_work
from models.records import clinical, reference, registry
from models.records.tables import AuthorizationBase, NursingVisitBase, PharmacyBase
from reports.claims import claims_csv
from reports.packet import render_packet
from tests.support.databases import billing_ready
from tests.support.recorded import create_on_its_day

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
CREATED = dt.datetime(2026, 12, 3, 9, 30)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _ready_for_visits(engine) -> None:
    """The pharmacy's price for 99601/99602 (R32) and Blue Prairie's 99601 authorization."""
    billing_ready(engine)
    with unit_of_work(engine) as s:
        pharmacy = reference.get_pharmacy(s)
        data = PharmacyBase(**pharmacy.model_dump(include=set(PharmacyBase.model_fields)))
        data.prices = [{"code": "99601", "charge": "210.00"}, {"code": "99602", "charge": "95.00"}]
        reference.save_pharmacy(s, actor="t", data=data)
        reference.save_authorization(s, actor="t", data=AuthorizationBase(
            id="pa-v", patient_id="p-1001", payer_id="bcx", number="PAV1", code="99601",
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31), units=4))


def _visit(engine, vid: str, day: dt.date, **kw) -> None:
    values = dict(id=vid, patient_id="p-1001", order_id="o-1", date=day,
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  visit_type="initial", note="First home IVIG, teaching on reactions.")
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.NURSING_VISIT,
                          data=NursingVisitBase(**{**values, **kw}))


def _export(engine, path) -> dict[str, str]:
    result = batches.export_claims(transactions(engine), actor="Biller Bo", start=OCT[0],
                                   end=OCT[1], fmt="csv", out=path, render=claims_csv.render)
    return {d.payer.id: d.account_number for d in result.written}


def _packet(engine, claim: str) -> list[str]:
    with unit_of_work(engine) as s:
        data = load_claim_packet_data(s, claim=claim, prepared_by="Jia Lee", created_at=CREATED)
    pdf = render_packet(data)
    return [_flat(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def _page(pages: list[str], words: str) -> str:
    found = [p for p in pages if words in p and not p.startswith("Contents")]
    assert found, f"no page has {words!r}"
    return "\n".join(found)


def test_r34_a_claims_packet_lists_the_visits_it_bills(example_engine, tmp_path):
    _ready_for_visits(example_engine)
    _visit(example_engine, "nv-1", dt.date(2026, 10, 7), infusions=["mar-1"])
    claims = _export(example_engine, tmp_path / "oct.csv")
    pages = _packet(example_engine, claims["bcx"])
    section = _page(pages, "The visits this claim bills")
    for expected in ("10/07/2026 nv-1 09:10-13:05 Kate Moss RN initial mar-1",
                     "99601 + 2 x 99602 Billable auth PAV1",
                     "First home IVIG, teaching on reactions."):
        assert expected in section, expected
    checklist = _page(pages, "Evidence checklist by service day")
    assert "Nursing visits (R34): this claim bills 1 visit (nv-1); see Nursing visits." in checklist
    cover = pages[0]
    assert "99601" in cover and "99602" in cover  # the visit lines among the billed lines
    # the visit's authorization, one unit used by this claim
    assert "PAV1 Blue Prairie PPO 99601 10/01/2026 to 10/31/2026 4 1" in cover


def test_r34_a_claim_of_visits_alone_has_a_packet(example_engine, tmp_path):
    """October's days billed first; a visit recorded later makes a claim of that visit alone,
    whose packet shows the visit and its MAR entry and no other visit."""
    _ready_for_visits(example_engine)
    _visit(example_engine, "nv-1", dt.date(2026, 10, 7))
    _export(example_engine, tmp_path / "first.csv")
    _visit(example_engine, "nv-2", dt.date(2026, 10, 29), start_time=dt.time(23, 0),
           end_time=dt.time(1, 45), visit_type="routine", infusions=["mar-3"],
           note="Overnight dose")
    claims = _export(example_engine, tmp_path / "second.csv")
    assert list(claims) == ["bcx"]
    pages = _packet(example_engine, claims["bcx"])
    everything = "\n".join(pages)
    section = _page(pages, "The visits this claim bills")
    assert "10/29/2026 nv-2 23:00-01:45 Kate Moss RN routine mar-3" in section
    assert "99601 + 99602 Billable" in section  # 165 minutes across midnight
    assert "nv-1" not in everything  # billed by the first claim, not this one
    checklist = _page(pages, "Evidence checklist by service day")
    assert "There is no service day in this period." in checklist
    assert "this claim bills 1 visit (nv-2)" in checklist
    assert "mar-3" in _page(pages, "Medication administration record")  # given during nv-2


def test_r34_the_visit_as_it_stood_when_the_claim_was_made(example_engine, tmp_path):
    """A visit edited after its claim shows its billed version; the edit is listed apart."""
    _ready_for_visits(example_engine)
    _visit(example_engine, "nv-1", dt.date(2026, 10, 7))
    claims = _export(example_engine, tmp_path / "oct.csv")
    with unit_of_work(example_engine) as s:
        made = batches.list_batches(s)[0].created_at
        old = clinical.get_record(s, registry.NURSING_VISIT, "nv-1")
        data = NursingVisitBase(**json.loads(old.model_dump_json(
            include=set(NursingVisitBase.model_fields))))
        data.nurse = "Someone Else RN"
        clinical.edit_record(s, actor="nurse", kind=registry.NURSING_VISIT, record_id="nv-1",
                             data=data, reason="wrong nurse",
                             recorded_at=made + dt.timedelta(hours=1))
    pages = _packet(example_engine, claims["bcx"])
    assert "nv-1 09:10-13:05 Kate Moss RN" in _page(pages, "The visits this claim bills")
    assert "Someone Else RN" in _page(pages, "wrong nurse")
