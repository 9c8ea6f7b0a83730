"""Reference code tables (home infusion HCPCS codes, modifiers) loaded from resources/codes."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import resources


@dataclass(frozen=True)
class HcpcsCode:
    code: str
    per_diem: bool
    therapy_group: str
    short_description: str
    long_description: str
    effective_date: date | None = None


@dataclass(frozen=True)
class Modifier:
    modifier: str
    description: str
    used_on: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.path("codes", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def hcpcs_codes() -> dict[str, HcpcsCode]:
    """All home infusion HCPCS codes by code.

    A newer table may add an `effective_date` column (YYYY-MM-DD); rows without it are in force.
    """
    out: dict[str, HcpcsCode] = {}
    for row in _rows("hcpcs_home_infusion.csv"):
        eff = (row.get("effective_date") or "").strip()
        out[row["code"]] = HcpcsCode(
            code=row["code"],
            per_diem=row["per_diem"].strip().lower() == "yes",
            therapy_group=row["therapy_group"],
            short_description=row["short_description"],
            long_description=row["long_description"],
            effective_date=date.fromisoformat(eff) if eff else None,
        )
    return out


@cache
def modifiers() -> dict[str, Modifier]:
    return {
        r["modifier"]: Modifier(r["modifier"], r["description"], r["used_on"])
        for r in _rows("modifiers.csv")
    }


def per_diem_codes() -> list[HcpcsCode]:
    return [c for c in hcpcs_codes().values() if c.per_diem]


def is_per_diem_code(code: str) -> bool:
    found = hcpcs_codes().get(code)
    return bool(found and found.per_diem)


def describe(code: str) -> str:
    found = hcpcs_codes().get(code)
    return found.short_description if found else ""


_SERVICES = re.compile(r"[;,]?\s*(?:including\s+|includes\s+)?administrative services.*$",
                       re.IGNORECASE)
_PREFIX = re.compile(r"^home (?:infusion )?therapy[,;]\s*", re.IGNORECASE)


def clear_name(code: str) -> str:
    """What a per diem code is for, in the words of its long description without the
    services every per diem includes ("administrative services, ... per diem"): S9500 is
    "Antibiotic, antiviral, or antifungal therapy; once every 24 hours" rather than the short
    CMS text "Hit antibiotic q24h" (issue 16). The short text when there is no long one."""
    found = hcpcs_codes().get(code)
    if found is None:
        return ""
    text = _SERVICES.sub("", found.long_description or "").strip(" ,;")
    text = _PREFIX.sub("", text).strip(" ,;")
    return text[:1].upper() + text[1:] if text else found.short_description
