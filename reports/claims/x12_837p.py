"""ASC X12 837P (005010X222A1) professional claims written from checked claim drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from models.claims.claim import (
    PER_DIEM,
    BatchContext,
    ClaimDraft,
    ClaimLine,
    filing_indicator,
    workers_comp,
)
from models.claims.x12 import interchanges, submitter, x12_id, x12_text
from models.records.tables import PrescriberRead

VERSION = "005010X222A1"
SEGMENT, ELEMENT, COMPONENT, REPETITION = "~", "*", ":", "^"
RELATIONSHIP = {"spouse": "01", "child": "19", "other": "G8"}  # PAT01, patient to subscriber


def amount(value: Decimal) -> str:
    """An X12 decimal: no trailing zeros after the point, no point when whole."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def d8(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


class _Segments:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *elements: str | None) -> None:
        values = ["" if e is None else str(e) for e in elements]
        while values and values[-1] == "":  # trailing empty elements are dropped
            values.pop()
        self.items.append(ELEMENT.join(values))


def render(drafts: list[ClaimDraft], ctx: BatchContext) -> bytes:
    """The batch as an 837P file: one interchange per receiver
    (see models.claims.x12.interchanges),
    each holding one functional group and one transaction set."""
    return write(drafts, ctx).encode("ascii")


def write(drafts: Sequence[ClaimDraft], ctx: BatchContext) -> str:
    groups = interchanges(drafts, ctx.pharmacy)
    if len(ctx.control_numbers) < len(groups):
        raise ValueError("one control number is needed for each interchange")
    parts = [
        _interchange(rec, claims, ctx, number)
        for (rec, claims), number in zip(groups, ctx.control_numbers, strict=False)
    ]
    return "".join(parts)


def _interchange(rec: tuple[str, str, str], drafts: list[ClaimDraft], ctx: BatchContext,
                 number: int) -> str:
    ph = ctx.pharmacy
    sub_q, sub_id, sub_name = submitter(ph)
    rec_q, rec_id, rec_name = rec
    sub_id, rec_id = x12_id(sub_id, 15), x12_id(rec_id, 15)
    at = ctx.created_at
    control = f"{number:09d}"
    s = _Segments()
    s.add("ISA", "00", " " * 10, "00", " " * 10, sub_q, f"{sub_id:<15}", rec_q, f"{rec_id:<15}",
          f"{at:%y%m%d}", f"{at:%H%M}", REPETITION, "00501", control, "0", ctx.usage, COMPONENT)
    s.add("GS", "HC", sub_id, rec_id, f"{at:%Y%m%d}", f"{at:%H%M}", str(number), "X", VERSION)
    st_start = len(s.items)
    s.add("ST", "837", "0001", VERSION)
    # BHT02: 00 original, 18 reissue (a copy of claims already sent, models/claims/copies.py)
    s.add("BHT", "0019", "18" if ctx.copy else "00", f"PD{control}", f"{at:%Y%m%d}",
          f"{at:%H%M}", "CH")
    # 1000A submitter, 1000B receiver
    s.add("NM1", "41", "2", x12_text(sub_name, 60), "", "", "", "", "46", sub_id)
    phone = ph.submitter_contact_phone or ph.phone
    s.add("PER", "IC", x12_text(ph.submitter_contact_name or ph.name, 60), "TE", phone)
    s.add("NM1", "40", "2", x12_text(rec_name, 60), "", "", "", "", "46", rec_id)
    # 2000A billing provider
    s.add("HL", "1", "", "20", "1")
    if ph.taxonomy:
        s.add("PRV", "BI", "PXC", ph.taxonomy)
    s.add("NM1", "85", "2", x12_text(ph.name, 60), "", "", "", "", "XX", ph.npi)
    _address(s, ph.address_line1, ph.address_line2, ph.city, ph.state, ph.zip)
    s.add("REF", "EI", ph.tax_id)
    hl = 1
    for draft in drafts:
        hl = _subscriber_and_claim(s, draft, hl)
    s.add("SE", str(len(s.items) - st_start + 1), "0001")
    s.add("GE", "1", str(number))
    s.add("IEA", "1", control)
    return "".join(seg + SEGMENT + "\n" for seg in s.items)


def _address(s: _Segments, line1: str | None, line2: str | None, city: str | None,
             state: str | None, zip_code: str | None) -> None:
    s.add("N3", x12_text(line1, 55), x12_text(line2, 55) if line2 else None)
    s.add("N4", x12_text(city, 30), state, zip_code)


def _name(s: _Segments, qualifier: str, last: str, first: str | None,
          id_qualifier: str | None = None, ident: str | None = None) -> None:
    s.add("NM1", qualifier, "1", x12_text(last, 60), x12_text(first, 35) if first else None,
          "", "", "", id_qualifier, ident)


def _subscriber_and_claim(s: _Segments, d: ClaimDraft, hl: int) -> int:
    cov, pat, payer = d.coverage, d.patient, d.payer
    self_pay = cov.relationship == "self"
    sub_hl = hl + 1
    # 2000B subscriber
    s.add("HL", str(sub_hl), "1", "22", "0" if self_pay else "1")
    s.add("SBR", "P", "18" if self_pay else None,
          x12_id(cov.group_number, 50) if cov.group_number else None,
          "", "", "", "", "", filing_indicator(payer))  # R33; drafts refuse a payer without
    if self_pay:
        _name(s, "IL", pat.last_name, pat.first_name, "MI", x12_id(cov.member_id, 80))
        _address(s, pat.address_line1, pat.address_line2, pat.city, pat.state, pat.zip)
        s.add("DMG", "D8", d8(pat.birth_date), pat.sex)
        _casualty_claim_number(s, d)
    else:
        # The TR3 sends 2010BA's DMG only when the subscriber is the patient ("if not
        # required, do not send", X12 RFI 2281); the patient's goes in 2010CA below.
        _name(s, "IL", cov.subscriber_last_name or "", cov.subscriber_first_name, "MI",
              x12_id(cov.member_id, 80))
    # 2010BB payer
    s.add("NM1", "PR", "2", x12_text(payer.name, 60), "", "", "", "", "PI",
          x12_id(payer.payer_id, 80))
    if payer.address_line1 and payer.city and payer.state and payer.zip:
        _address(s, payer.address_line1, payer.address_line2, payer.city, payer.state,
                 payer.zip)
    last_hl = sub_hl
    if not self_pay:
        # 2000C patient
        last_hl = sub_hl + 1
        s.add("HL", str(last_hl), str(sub_hl), "23", "0")
        s.add("PAT", RELATIONSHIP.get(cov.relationship, "G8"))
        _name(s, "QC", pat.last_name, pat.first_name)
        _address(s, pat.address_line1, pat.address_line2, pat.city, pat.state, pat.zip)
        s.add("DMG", "D8", d8(pat.birth_date), pat.sex)
        _casualty_claim_number(s, d)
    _claim(s, d)
    return last_hl


def _casualty_claim_number(s: _Segments, d: ClaimDraft) -> None:
    """2010BA/2010CA REF*Y4: a workers' compensation claim's employer (carrier) claim number."""
    if workers_comp(d.payer) and d.coverage.employer_claim_number:
        s.add("REF", "Y4", x12_id(d.coverage.employer_claim_number, 50))


def _claim(s: _Segments, d: ClaimDraft) -> None:
    # 2300: place of service 12 (home; 49 when every line is a suite day billed so, R30),
    # frequency 1 original, 7 replacement or 8 void;
    # CLM11 EM (employment related) and the injury date for workers' compensation
    wc = workers_comp(d.payer)
    s.add("CLM", x12_id(d.account_number, 38), amount(d.total_charge), "", "",
          COMPONENT.join((d.place_of_service, "B", d.frequency_code)), "Y", "A", "Y", "Y", "",
          "EM" if wc else None)
    if wc and d.coverage.injury_date:
        s.add("DTP", "439", "D8", d8(d.coverage.injury_date))
    if d.authorization_number:
        s.add("REF", "G1", x12_id(d.authorization_number, 50))
    if d.original_reference:
        s.add("REF", "F8", x12_id(d.original_reference, 50))
    codes = [c.replace(".", "") for c in d.diagnosis_codes]
    s.add("HI", *[COMPONENT.join(("ABK" if i == 0 else "ABF", c)) for i, c in enumerate(codes)])
    # 2310A referring provider: only for a real referral, which PerDiem does not record; the
    # prescriber orders the drug and the therapy, so it is each line's 2420E ordering provider
    for i, line in enumerate(d.lines, 1):
        _line(s, d, i, line)


def _ordering(s: _Segments, p: PrescriberRead) -> None:
    s.add("NM1", "DK", "1", x12_text(p.last_name, 60), x12_text(p.first_name, 35), "", "", "",
          "XX", p.npi)


def _line(s: _Segments, d: ClaimDraft, number: int, line: ClaimLine) -> None:
    # 2400
    s.add("LX", str(number))
    procedure = COMPONENT.join(("HC", line.code, *line.modifiers))
    # SV105: a line's place of service when it is not the claim's (R30)
    place = line.place_of_service if line.place_of_service != d.place_of_service else None
    s.add("SV1", procedure, amount(line.charge), "UN", str(line.units), place, "",
          COMPONENT.join(str(p) for p in line.pointers))
    if line.start == line.end:
        s.add("DTP", "472", "D8", d8(line.start))
    else:
        s.add("DTP", "472", "RD8", f"{d8(line.start)}-{d8(line.end)}")
    if line.authorization_number and not d.authorization_number:
        s.add("REF", "G1", x12_id(line.authorization_number, 50))
    if line.kind != PER_DIEM and line.ndc and line.ndc_quantity is not None:
        # 2410 drug identification (a drug, or a compound order's component)
        s.add("LIN", "", "N4", line.ndc)
        s.add("CTP", "", "", "", f"{line.ndc_quantity:f}", line.ndc_unit)  # not money: 0.125
    prescriber = d.line_prescribers.get(line.order_id)
    if prescriber:  # 2420E: the pharmacy renders; the order's prescriber ordered (NM1*DK)
        _ordering(s, prescriber)
