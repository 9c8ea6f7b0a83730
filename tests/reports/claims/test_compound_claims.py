"""Issue 15 part 3 on the demo pharmacy: its TPN patients' orders carry their formula and bill
it (R21: one line per component) in every format: the 837P passes pyx12 with each component's
NDC in LIN/CTP, the CMS-1500 read back with pypdf shows the component rows, the CSV has one row
each. The billable days and every other line are exactly those of the orders without their
components (adding a formula only adds lines)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pypdf

from models.billing import loading
from models.billing.claim_packet import load_claim_packet_data
from models.claims import batches as claim_batches
from models.claims.claim import COMPONENT, BatchContext
from models.claims.drafts import draft_claims
from models.db import transactions, unit_of_work
from models.records import reference
from reports.claims import claims_csv, cms1500, x12_837p
from reports.packet import render_packet
from tests.support.x12_validator import x12_errors

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
NOW = dt.datetime(2026, 11, 27, 9, 30)
FORMULA = ["B4197", "B4185", "B4216", "B4224"]


def tpn_claims(drafts):
    return [d for d in drafts if any(ln.kind == COMPONENT for ln in d.lines)]


def test_the_demo_tpn_orders_bill_their_formula_in_an_837p_that_passes_pyx12(demo_engine,
                                                                             tmp_path):
    out = tmp_path / "oct.837"
    result = claim_batches.export_claims(transactions(demo_engine), actor="test",
                                         start=OCTOBER[0], end=OCTOBER[1], fmt="837p", out=out,
                                         render=x12_837p.render, now=NOW)
    text = "".join(p.read_text(encoding="ascii") for p in result.paths)
    assert x12_errors(text) == []
    assert not result.refused
    claims = tpn_claims(result.written)
    patients = {d.patient.id for d in claims}
    assert len(patients) == 3  # the demo's three TPN patients (issue 15)
    for draft in claims:
        per_diem = [ln for ln in draft.lines if ln.code == "S9366"]
        parts = [ln for ln in draft.lines if ln.kind == COMPONENT]
        assert sorted({ln.code for ln in parts}) == sorted(FORMULA)
        days = sum(ln.units for ln in per_diem)
        by_code: dict[str, int] = {}
        for ln in parts:
            by_code[ln.code] = by_code.get(ln.code, 0) + ln.units
        # one bag a day: B4197 per bag and the kits per day bill every billed TPN day; lipids
        # 5 units (50 g) a day
        assert by_code == {"B4197": days, "B4185": 5 * days, "B4216": days, "B4224": days}
        auth_of = {(ln.order_id, ln.start + dt.timedelta(days=n)): ln.authorization_number
                   for ln in per_diem for n in range(ln.units)}
        for ln in parts:
            assert ln.charge == ln.unit_charge * ln.units
            assert ln.pointers == per_diem[0].pointers  # R22: its own order's codes
            assert ln.authorization_number == auth_of[(ln.order_id, ln.start)]  # R23
            segment = f"SV1*HC:{ln.code}*{ln.charge.normalize():f}*UN*{ln.units}***"
            assert segment in text, segment
        lipids = next(ln for ln in parts if ln.code == "B4185")
        run = (lipids.end - lipids.start).days + 1
        assert (lipids.ndc, lipids.ndc_unit, lipids.ndc_quantity) == (
            "00338051909", "ML", 250 * run)
        assert f"LIN**N4*00338051909~\nCTP****{250 * run}*ML~" in text  # 2410
        assert draft.total_charge == sum((ln.charge for ln in draft.lines), Decimal(0))

    # the claim's packet lists its component lines as the claim was sent
    draft = claims[0]
    with unit_of_work(demo_engine) as session:
        data = load_claim_packet_data(session, claim=draft.account_number, prepared_by="test",
                                      created_at=NOW)
    packet = " ".join(" ".join(p.extract_text().split()) for p in
                      pypdf.PdfReader(io.BytesIO(render_packet(data))).pages)
    assert "Component: Lipid emulsion 20% 250 mL, NDC 00338051909" in packet
    assert "Component: Administration kit" in packet


def test_adding_the_formula_changes_no_billable_day_and_no_other_line(demo_engine):
    with unit_of_work(demo_engine) as session:
        data, days = loading.billing_period(session, *OCTOBER)
        prescribers = {p.id: p for p in reference.list_prescribers(session)}
        pharmacy = reference.get_pharmacy(session)
    assert any(o.components for o in data.orders)
    plain = data.__class__(**{**vars(data), "orders": [
        o.model_copy(update={"components": []}) for o in data.orders]})
    with_formula = draft_claims(days, data, prescribers, pharmacy, start=OCTOBER[0],
                                end=OCTOBER[1])
    without = draft_claims(days, plain, prescribers, pharmacy, start=OCTOBER[0],
                           end=OCTOBER[1])
    assert [d.account_number for d in with_formula] == [d.account_number for d in without]
    for a, b in zip(with_formula, without, strict=True):
        assert [ln for ln in a.lines if ln.kind != COMPONENT] == b.lines
        assert a.days == b.days and a.diagnosis_codes == b.diagnosis_codes
    added = sum(ln.charge for d in with_formula for ln in d.lines if ln.kind == COMPONENT)
    assert sum(d.total_charge for d in with_formula) == sum(
        d.total_charge for d in without) + added
    assert added > 0


def test_a_tpn_claim_on_the_cms1500_and_in_the_csv(demo_engine):
    with unit_of_work(demo_engine) as session:
        preview = claim_batches.prepare_claims(session, *OCTOBER, fmt="cms1500")
        ctx = BatchContext(pharmacy=reference.get_pharmacy(session), created_at=NOW)
    draft = tpn_claims(preview.drafts)[0]
    assert draft.ok, draft.problems
    pdf = cms1500.render([draft], ctx)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    squeezed = " ".join(" ".join(pages).split())
    for ln in draft.lines:
        row = (f"{ln.start:%m %d %y} {ln.end:%m %d %y} 12 {ln.code} "
               f"{' '.join(ln.modifiers) + ' ' if ln.modifiers else ''}")
        assert row in squeezed, row
        assert cms1500.dollars_cents(ln.charge, 8).strip() in squeezed
    lipids = next(ln for ln in draft.lines if ln.code == "B4185")
    assert f"N400338051909 ML{lipids.ndc_quantity:f}" in squeezed  # 24A shaded line

    rows = list(csv.DictReader(io.StringIO(claims_csv.to_csv([draft]))))
    assert [r["code"] for r in rows] == [ln.code for ln in draft.lines]
    parts = [r for r in rows if r["kind"] == "component"]
    assert sorted({r["code"] for r in parts}) == sorted(FORMULA)
    row = next(r for r in parts if r["code"] == "B4185")
    assert (row["ndc"], row["units"], row["charge"]) == (
        "00338051909", str(lipids.units), f"{lipids.charge:.2f}")
    assert row["diagnosis_codes"] == ";".join(draft.diagnosis_codes[p - 1]
                                              for p in lipids.pointers)
