"""Payers' contracts and the pharmacy's price list (R29-R32 of BILLING_RULES.md, Part 2): the
checks of their fields, and the price of a code on a claim line (R32, then the order, then the
pharmacy's usual and customary charge). Pure: no session, no I/O.

A price list is a JSON list on its row: a payer's `rates` hold `{"code", "rate", "expected"}`
(expected optional), the pharmacy's `prices` hold `{"code", "charge"}`; amounts are text, as
the interchange file's money is, so they never pass through float.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from models import vocab
from models.validation import MONEY_RE

# a HCPCS code (S9338) or a CPT code (99601: nursing visits are priced too)
PRICE_CODE_RE = re.compile(r"^[A-Z0-9]\d{4}$")
CODE_HINT = "a HCPCS or CPT code (a capital letter or digit and four digits, e.g. S9338)"
MAX_DOSING_INTERVAL = 365


@dataclass(frozen=True)
class Price:
    """What one unit of a code is charged (None: nothing set anywhere), where that came from
    (payer, order, pharmacy), and the payer's expected amount for one unit, if it gave one."""

    charge: Decimal | None
    source: str | None = None
    expected: Decimal | None = None


def _amount(text: Any) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def price_list_problems(items: Iterable[Mapping[str, Any]], amount: str,
                        optional: tuple[str, ...] = ()) -> list[str]:
    """Every problem of a price list, each naming its row (1-based), its field and what is
    wrong: a code that is no HCPCS/CPT code, a code listed twice, an amount that is not
    money (up to 7 digits and 2 decimals)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        code = str(item.get("code") or "")
        if not PRICE_CODE_RE.fullmatch(code):
            out.append(f'row {i}: code "{code}" is not {CODE_HINT}')
        elif code in seen:
            out.append(f"row {i}: code {code} is listed twice")
        seen.add(code)
        for key in (amount, *optional):
            value = item.get(key)
            if value in (None, "") and key in optional:
                continue
            if not MONEY_RE.fullmatch(str(value or "")):
                out.append(f'row {i} ({code}): {key} "{value or ""}" is not an amount of money '
                           "(up to 7 digits and 2 decimals, e.g. 150.00)")
        unknown = set(item) - {"code", amount, *optional}
        if unknown:
            out.append(f"row {i} ({code}): {', '.join(sorted(unknown))} is not a price field")
    return out


def payer_problems(p: Any) -> dict[str, str]:
    """R29-R32 fields of a payer, by field name."""
    out: dict[str, str] = {}
    for fld, allowed in (("per_diem_basis", vocab.PER_DIEM_BASES),
                         ("suite_place_of_service", vocab.SUITE_PLACES),
                         ("line_layout", vocab.LINE_LAYOUTS)):
        value = getattr(p, fld)
        if value not in allowed:
            out[fld] = f'"{value}" is not {vocab.alternatives(tuple(allowed))}'
    problems = price_list_problems(p.rates or [], "rate", ("expected",))
    if problems:
        out["rates"] = "; ".join(problems)
    return out


def pharmacy_problems(p: Any) -> dict[str, str]:
    problems = price_list_problems(p.prices or [], "charge")
    return {"prices": "; ".join(problems)} if problems else {}


def dosing_interval_problem(days: int | None) -> str | None:
    if days is not None and not 1 <= days <= MAX_DOSING_INTERVAL:
        return (f"is {days}: give the days between doses, 1 to {MAX_DOSING_INTERVAL} (1 every "
                "24 hours, 2 every 48 hours, 7 weekly), or leave it empty")
    return None


def payer_rate(payer: Any, code: str) -> tuple[Decimal | None, Decimal | None] | None:
    """R32: the payer's (rate, expected amount) for `code`, or None when its list has none."""
    for item in getattr(payer, "rates", None) or []:
        if item.get("code") == code:
            return _amount(item.get("rate")), _amount(item.get("expected"))
    return None


def pharmacy_price(pharmacy: Any, code: str) -> Decimal | None:
    """The pharmacy's usual and customary charge for `code`, if its list has one."""
    for item in getattr(pharmacy, "prices", None) or []:
        if item.get("code") == code:
            return _amount(item.get("charge"))
    return None


def price(code: str, payer: Any, own: Decimal | None, pharmacy: Any) -> Price:
    """R32: the payer's rate for the code wins, then the order's own price (its per diem rate
    or the drug's unit charge, `own`), then the pharmacy's price list."""
    contract = payer_rate(payer, code) if payer is not None else None
    expected = contract[1] if contract else None
    if contract and contract[0] is not None:
        return Price(contract[0], "payer", expected)
    if own is not None:
        return Price(own, "order", expected)
    listed = pharmacy_price(pharmacy, code) if pharmacy is not None else None
    if listed is not None:
        return Price(listed, "pharmacy", expected)
    return Price(None, None, expected)
