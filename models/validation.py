"""Checks on identifiers and codes (NPI, ICD-10, HCPCS, NDC...) shared by forms and importers."""

from __future__ import annotations

import re

HCPCS_RE = re.compile(r"^[A-Z]\d{4}$")
ICD10_RE = re.compile(r"^[A-TV-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$")
NDC_RE = re.compile(r"^\d{11}$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ZIP_RE = re.compile(r"^\d{5}(\d{4})?$")
STATE_RE = re.compile(r"^[A-Z]{2}$")
PHONE_RE = re.compile(r"^\d{10}$")
TAX_ID_RE = re.compile(r"^\d{9}$")
TAXONOMY_RE = re.compile(r"^\d{3}[0-9A-Z]{6}X$")  # NUCC: 3 digits, 6 more, X (3336H0001X)
ZIP9_RE = re.compile(r"^\d{9}$")
# EIN prefixes the IRS never assigns (a tax id starting so is mistyped)
UNUSED_EIN_PREFIXES = frozenset({"00", "07", "08", "09", "17", "18", "19", "28", "29", "49",
                                 "69", "70", "78", "79", "89", "96", "97"})
MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,80}$")
AUTH_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,50}$")
GROUP_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,50}$")
PAYER_ID_RE = re.compile(r"^[A-Za-z0-9]{2,80}$")
MONEY_RE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")  # dollars and cents, as schema.json


def npi_problem(npi: str) -> str | None:
    """Return why `npi` is not a valid NPI, or None when it is (Luhn with prefix 80840)."""
    if not re.fullmatch(r"\d{10}", npi or ""):
        return "an NPI is 10 digits"
    if npi[0] not in "12":
        return "an NPI begins with 1 (a person) or 2 (an organization)"
    digits = "80840" + npi[:9]
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    check = (10 - total % 10) % 10
    if check != int(npi[9]):
        return f"the check digit is wrong (the last digit should be {check})"
    return None


def tax_id_problem(tax_id: str | None) -> str | None:
    """Why `tax_id` is not an employer identification number (EIN), or None."""
    if not TAX_ID_RE.fullmatch(tax_id or ""):
        return "is the 9-digit employer identification number (EIN)"
    if tax_id[:2] in UNUSED_EIN_PREFIXES:  # type: ignore[index]
        return f"cannot begin with {tax_id[:2]}: the IRS assigns no EIN starting so"  # type: ignore[index]
    return None


def taxonomy_problem(code: str | None) -> str | None:
    """Why `code` is not a NUCC provider taxonomy code, or None."""
    if not TAXONOMY_RE.fullmatch(code or ""):
        return "is 10 characters: 3 digits, 6 letters or digits, then X (e.g. 3336H0001X)"
    return None


def npi_is_valid(npi: str) -> bool:
    return npi_problem(npi) is None


def npi_with_check_digit(first_nine: str) -> str:
    """Complete a 9-digit NPI stem with its check digit (used by demo data and tests)."""
    for last in "0123456789":
        if npi_is_valid(first_nine + last):
            return first_nine + last
    raise ValueError(first_nine)  # pragma: no cover - one digit always fits


def icd10_problem(code: str) -> str | None:
    if not ICD10_RE.fullmatch(code or ""):
        return (f'"{code}" is not an ICD-10-CM code (letter, two characters, optional dot '
                "and 1-4 more)")
    return None


def hcpcs_problem(code: str) -> str | None:
    if not HCPCS_RE.fullmatch(code or ""):
        return f'"{code}" is not a HCPCS code (a capital letter and four digits, e.g. S9338)'
    return None
