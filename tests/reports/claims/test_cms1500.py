"""CMS-1500 (02/12) PDFs, read back with pypdf: every line's data is on the form."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from models.claims import batches as claim_batches
from models.claims.claim import BatchContext
from models.db import unit_of_work
from reports.claims import cms1500
from tests.support.claim_data import PHARMACY, day, drafts, order

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

D = dt.date
CTX = BatchContext(pharmacy=PHARMACY, created_at=dt.datetime(2026, 11, 27, 9, 30))


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def positions(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """Where each text run starts on a page (x, y in points)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            found.setdefault(text.strip(), (round(tm[4] * cm[0] + cm[4], 1),
                                            round(tm[5] * cm[3] + cm[5], 1)))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def seven_line_claim():
    # days 1, 3, 5-6: three per diem lines and four drug lines (R20, R21)
    (claim,) = drafts([day(D(2026, 10, n)) for n in (1, 3, 5, 6)])
    assert len(claim.lines) == 7 and claim.ok
    return claim


def test_example_form_carries_every_line(example_engine):
    with unit_of_work(example_engine) as session:
        preview = claim_batches.prepare_claims(session, D(2026, 10, 1), D(2026, 10, 31),
                                               fmt="cms1500")
        from models.records import reference

        ctx = BatchContext(pharmacy=reference.get_pharmacy(session), created_at=CTX.created_at)
    (claim,) = preview.drafts
    (text,) = pages_text(cms1500.render(preview.drafts, ctx))
    for expected in ("XBP448812", "LINDQVIST, MARIA", "04 18 1961", "D801", "PA20261001",
                     "DK NGOZI OKAFOR", "1558412387", "371234567", claim.account_number,
                     "RIVERBEND HOME INFUSION", "1234567893", "ZZ3336H0001X",
                     "9540 00"):  # box 28: the claim total
        assert expected in text, expected
    # box 24, one row per line: dates, place of service, code, modifiers, pointer, charge, units
    rows = [
        "10 07 26 10 07 26 12 S9338 A 150 00 1",
        "10 07 26 10 07 26 12 J1569 A 5544 00 60",
        "10 29 26 10 29 26 12 S9338 SS A 150 00 1",
        "10 29 26 10 29 26 12 J1569 A 3696 00 40",
    ]
    squeezed = " ".join(text.split())
    for row in rows:
        assert row in squeezed, row
    assert "N400944270005 ME30000" in squeezed  # the NDC in the shaded part of 24
    where = positions(cms1500.render(preview.drafts, ctx, mode=cms1500.DATA))
    assert where["N400944270005"][0] == cms1500.x_of(1)
    assert where["ME30000"][0] == cms1500.x_of(17)  # quantity in positions 17-24


def test_seven_lines_make_two_forms_and_the_total_is_on_the_last():
    claim = seven_line_claim()
    first, second = pages_text(cms1500.render([claim], CTX))
    assert "PAGE 1 OF 2 CONTINUED" in first and "PAGE 2 OF 2" in second
    total = cms1500.dollars_cents(claim.total_charge, 8).strip()
    assert total not in first and total in second
    for ln in claim.lines[:6]:
        row = f"{ln.start:%m %d %y} {ln.end:%m %d %y} 12 {ln.code}"
        assert row in first and row not in second
    last = claim.lines[6]
    assert f"{last.start:%m %d %y} {last.end:%m %d %y} 12 {last.code}" in second
    for page in (first, second):  # each form names the patient and member
        assert "XBP448812" in page and "LINDQVIST, MARIA" in page
    units = sorted(int(t) for t in " ".join([first, second]).split() if t in ("1", "2", "60"))
    assert units.count(60) == 4  # every drug line's units are printed


def test_lines_under_another_authorization_go_on_another_form():
    # R23: days 1-2 under PA1, day 8 under PA2; box 23 holds one number a form
    (claim,) = drafts([day(D(2026, 10, 1)), day(D(2026, 10, 2)), day(D(2026, 10, 8), auth="PA2")])
    assert len(claim.lines) == 5 and claim.authorization_number is None
    first, second = pages_text(cms1500.render([claim], CTX))
    assert "PA1" in first and "PA2" not in first and "10 01 26 10 02 26" in first
    assert "PA2" in second and "PA1" not in second and "10 08 26" in second
    assert "10 08 26" not in first and "PAGE 1 OF 2" in first


def test_data_only_puts_the_same_data_in_the_same_places_without_the_form():
    claim = seven_line_claim()
    full = cms1500.render([claim], CTX, mode=cms1500.FULL)
    data = cms1500.render([claim], CTX, mode=cms1500.DATA)
    assert "HEALTH INSURANCE CLAIM FORM" in pages_text(full)[0]
    assert "HEALTH INSURANCE CLAIM FORM" not in pages_text(data)[0]
    where_full, where_data = positions(full), positions(data)
    for key in ("XBP448812", "LINDQVIST, MARIA", "SIGNATURE ON FILE", claim.account_number):
        assert where_full[key] == where_data[key], key


def test_the_grid_is_ten_characters_and_six_lines_an_inch():
    claim = seven_line_claim()
    where = positions(cms1500.render([claim], CTX, mode=cms1500.DATA))
    # box 1a (line 8, column 50) and box 2 (line 10, column 1)
    assert where["XBP448812"] == (round(18 + 49 * 7.2, 1), round(792 - 8 * 12 + 2.5, 1))
    assert where["LINDQVIST, MARIA"] == (18.0, round(792 - 10 * 12 + 2.5, 1))


def test_offset_moves_the_data_for_a_printer():
    claim = seven_line_claim()
    plain = positions(cms1500.render([claim], CTX, mode=cms1500.DATA))
    moved = positions(cms1500.render([claim], CTX, mode=cms1500.DATA, offset=(3.0, 6.0)))
    x, y = plain["XBP448812"]
    assert moved["XBP448812"] == (x + 3.0, y - 6.0)


def test_charges_of_six_and_seven_dollar_digits_print_whole():
    # 60 units of $2057.61 = $123,456.60 on the drug line; the claim adds a $150 per diem
    (claim,) = drafts([day(D(2026, 10, 1))], orders=[order(drug_unit_charge=Decimal("2057.61"))],
                      fmt="cms1500")
    claim.total_charge = Decimal("1234567.80")  # as if the month held many such lines
    squeezed = " ".join(pages_text(cms1500.render([claim], CTX))[0].split())
    assert "J1569 A 123456 60 60" in squeezed  # box 24F, then 24G units
    assert "1234567 80" in squeezed  # box 28


def test_amounts_too_large_for_the_form_refuse_the_claim():
    (claim,) = drafts([day(D(2026, 10, 1))], orders=[order(drug_unit_charge=Decimal("166667"))],
                      fmt="cms1500")
    assert any("more than box 24F holds" in p for p in claim.problems), claim.problems
    assert any("more than box 28 holds" in p for p in claim.problems), claim.problems
    (claim,) = drafts([day(D(2026, 10, 1))], orders=[order(drug_unit_charge=Decimal("166667"))])
    assert not any("box 2" in p for p in claim.problems)  # an 837P carries any amount


def test_long_values_are_condensed_into_their_box_never_cut():
    (claim,) = drafts([day(D(2026, 10, 1))], dose="500000")  # 500000 mg / 500 mg = 1000 units
    squeezed = " ".join(pages_text(cms1500.render([claim], CTX))[0].split())
    assert "J1569 A 92400 00 1000" in squeezed  # box 24G: four digits in three columns
    assert scales(cms1500.render([claim], CTX))["1000"] < 100
    for length, width in ((31, 29), (4, 3), (3, 3)):
        assert length * cms1500.condensed(length, width) / 100 <= width


def scales(pdf: bytes, page: int = 0) -> dict[str, float]:
    """The horizontal scale (Tz, percent) each text run of a page is set in."""
    import re

    content = pypdf.PdfReader(io.BytesIO(pdf)).pages[page].get_contents().get_data().decode()
    return {m[1]: float(m[0]) for m in re.findall(r"([\d.]+) Tz \((.*?)\) Tj", content)}


def box33(pdf: bytes) -> list[tuple[str, float, float]]:
    """Box 33's text runs (text, x, y), top line first: right of column 49, lines 58-60."""
    found = positions(pdf)
    top, bottom = cms1500.baseline(58) + 1, cms1500.baseline(60) - 1
    return sorted(((t, x, y) for t, (x, y) in found.items()
                   if x > cms1500.x_of(49) and bottom <= y <= top), key=lambda r: -r[2])


@pytest.mark.parametrize("line1, line2, expected", [
    ("2100 Fish Hatchery Rd", "Suite 110",  # 31 characters on one line: the suite wraps
     ["2100 FISH HATCHERY RD", "SUITE 110 PEORIA IL 616021234"]),
    ("1200 North Knoxville Avenue Building", None,  # one long line wraps at a word
     ["1200 NORTH KNOXVILLE AVENUE", "BUILDING PEORIA IL 616021234"]),
    ("400 Market St", "Suite 2", ["400 MARKET ST SUITE 2", "PEORIA IL 616021234"]),
])
def test_box_33_wraps_a_long_address_onto_its_lines_instead_of_condensing(line1, line2,
                                                                          expected):
    """Issue 11: box 33 holds the NUCC's three lines of 29 characters (name, address, city
    state ZIP); a long address wraps onto them, every line at full width (OCR reads them)."""
    ph = PHARMACY.model_copy(update={"address_line1": line1, "address_line2": line2,
                                     "zip": "616021234"})
    pdf = cms1500.render(drafts([day(D(2026, 10, 1))]), BatchContext(
        pharmacy=ph, created_at=CTX.created_at))
    lines = box33(pdf)
    assert [t for t, _, _ in lines] == ["RIVERBEND HOME INFUSION", *expected]
    assert [y for _, _, y in lines] == [cms1500.baseline(n) for n in (58, 59, 60)]
    assert {x for _, x, _ in lines} == {cms1500.x_of(50)}
    scale = scales(pdf)
    for text, _, _ in lines:
        assert len(text) <= cms1500.BOX33_WIDTH and scale[text] == 100, text


def test_box_33_condenses_only_what_fits_no_way():
    ph = PHARMACY.model_copy(update={"address_line1": "12345 Extraordinarily Longnamed "
                                     "Boulevard", "address_line2": "Building 7 Suite 1200"})
    assert cms1500.box33_lines(ph) == ["Riverbend Home Infusion",
                                       "12345 Extraordinarily Longnamed Boulevard Building 7 "
                                       "Suite 1200", "Peoria IL 616021234"]
    pdf = cms1500.render(drafts([day(D(2026, 10, 1))]), BatchContext(
        pharmacy=ph, created_at=CTX.created_at))
    (street,) = [t for t in scales(pdf) if t.startswith("12345 ")]
    assert scales(pdf)[street] * len(street) / 100 <= cms1500.BOX33_WIDTH + 0.01  # never cut


def test_box_31_is_dated_the_day_the_claim_was_written():
    """Issue 11: box 31 signed and dated (MMDDYY), after the DATE caption inside the box."""
    pdf = cms1500.render(drafts([day(D(2026, 10, 1))]), BatchContext(
        pharmacy=PHARMACY, created_at=dt.datetime(2026, 12, 3, 16, 5)))
    found = positions(pdf)
    x, y = found["120326"]
    assert y == cms1500.baseline(61) and x == cms1500.x_of(cms1500.BOX31_DATE_COL)
    assert x + 6 * cms1500.COL <= cms1500.x_of(22)  # inside box 31, left of box 32
    # the same claim written on another day carries that day: the date is the writing's
    other = cms1500.render(drafts([day(D(2026, 10, 1))]), CTX)
    assert "112726" in positions(other) and "120326" not in positions(other)


def test_data_in_column_one_clears_the_forms_left_rule():
    import re

    page = pypdf.PdfReader(io.BytesIO(cms1500.render([seven_line_claim()], CTX))).pages[0]
    forms = page["/Resources"]["/XObject"].values()  # the red form, drawn once per file
    content = "".join(stream.get_object().get_data().decode("latin-1")
                      for stream in [page.get_contents(), *forms])
    starts = {float(x) for x in re.findall(r"(-?[\d.]+) -?[\d.]+ m\b", content)}
    assert cms1500.x_of(cms1500.LEFT_EDGE) in starts  # the left rule, half a column out
    assert cms1500.x_of(1) not in starts  # no rule where column 1's characters begin


def test_the_blank_form_is_drawn_once_per_file_and_placed_on_every_page():
    claims = drafts([day(D(2026, 10, d)) for d in range(1, 4)]) * 3
    reader = pypdf.PdfReader(io.BytesIO(cms1500.render(claims, CTX)))
    placed = [page["/Resources"]["/XObject"] for page in reader.pages]
    assert len(reader.pages) == len(claims) >= 3
    assert len({tuple(xobjects.raw_get(name).idnum for name in xobjects)
                for xobjects in placed}) == 1  # one stream, shared by every page
    assert all("HEALTH INSURANCE CLAIM FORM" in page.extract_text() for page in reader.pages)
    data_only = pypdf.PdfReader(io.BytesIO(cms1500.render(claims, CTX, mode=cms1500.DATA)))
    assert "/XObject" not in data_only.pages[0]["/Resources"]


def test_a_replacement_fills_box_22():
    (claim,) = drafts([day(D(2026, 10, 1))])
    claim.frequency_code, claim.original_reference = "7", "2610-ABCDEF12"
    (text,) = pages_text(cms1500.render([claim], CTX))
    assert "7 2610-ABCDEF12" in " ".join(text.split())


@pytest.mark.parametrize("value, text", [
    (Decimal("150"), "  150 00"), (Decimal("5544.5"), " 5544 50"), (Decimal("0.05"), "    0 05"),
])
def test_money_is_dollars_and_cents_without_a_point(value, text):
    assert cms1500.dollars_cents(value, 8) == text
