"""Compound orders (issue 15, part 3): the components of an order, each billed on its own line
(R21), such as a TPN formula's amino acids and dextrose, lipids and additives.

An order's drug (its `drug_*` fields) is its first component whenever it has a HCPCS code and a
unit amount: it is billed by the dose the MAR records, exactly as Part 1's R21 says. That is how
an order saved before compound orders, or read from a version 1 interchange file, has one
component with nothing converted, and bills what it billed before. `OrderBase.components`
holds the order's other components, each with a fixed quantity of HCPCS units per billed day or
per bag (an administered MAR entry that day), an optional NDC with its own quantity and unit,
and a unit charge.

Stored as JSON on the order (`components`, migration 0015), so a component is versioned with
its order (the history keeps each version's formula) and needs no table of its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, TypeDecorator

from models import codes, vocab
from models.validation import MONEY_RE, NDC_RE, hcpcs_problem

PER_DOSE = "dose"  # the order's own drug: units = dose given / HCPCS unit amount (R21)
MAX_COMPONENTS = 20  # a formula beyond this is a slip: each component is a line every day
MAX_COMPONENT_QUANTITY = Decimal(10_000)  # HCPCS units a day or bag (schema: maximum)
MAX_NDC_QUANTITY = Decimal(1_000_000)  # NDC quantity a day or bag (schema: maximum)


class Component(BaseModel):
    """One billed part of a compound order: what, its codes, how many HCPCS units per day or per
    bag (`per`, vocab.COMPONENT_BASES), and its charge per HCPCS unit."""

    model_config = ConfigDict(frozen=True)

    kind: str = "nutrient"  # vocab.COMPONENT_KINDS: drug | nutrient
    name: str = ""
    hcpcs: str = ""
    ndc: str | None = None
    per: str = "day"  # vocab.COMPONENT_BASES: day | bag ("dose": the order's drug, derived)
    quantity: Decimal | None = None  # HCPCS units per day or per bag
    unit_charge: Decimal | None = None
    ndc_unit: str | None = None  # vocab.NDC_BILLING_UNITS, with an NDC
    ndc_quantity: Decimal | None = None  # the NDC quantity per day or per bag

    @property
    def label(self) -> str:
        return f"{self.hcpcs} {self.name}".strip()

    def describe_quantity(self) -> str:
        if self.per == PER_DOSE:
            return "by the dose given (R21)"
        qty = f"{self.quantity.normalize():f}" if self.quantity is not None else "?"
        return f"{qty} a {self.per}"


class ComponentList(TypeDecorator):
    """A list of components as JSON, decimals as text: stored the same way whether a service
    (Component objects or dicts) or the bulk importer (dicts) writes it."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> list[dict[str, Any]]:
        return [stored(c) for c in value or []]

    def process_result_value(self, value: Any, dialect: Any) -> list[dict[str, Any]]:
        return [Component.model_validate(c).model_dump() for c in value or []]


def stored(c: Component | dict[str, Any]) -> dict[str, Any]:
    """A component as its JSON object: the fields it sets, decimals as text."""
    model = c if isinstance(c, Component) else Component.model_validate(c)
    return to_jsonable_python(model.model_dump(exclude_none=True))


def drug_component(order: Any) -> Component | None:
    """The order's drug as its first component, when R21 bills it (a HCPCS code and a unit
    amount); its quantity is the dose the MAR records, not a fixed one."""
    if not order.drug_hcpcs or not order.drug_hcpcs_unit_amount:
        return None
    return Component(kind="drug", name=order.drug_name, hcpcs=order.drug_hcpcs,
                     ndc=order.drug_ndc, per=PER_DOSE, unit_charge=order.drug_unit_charge)


def order_components(order: Any) -> list[Component]:
    """Every billed component of an order: its drug (when billed, R21) first, then the
    components it lists, in their order."""
    first = drug_component(order)
    listed = [c if isinstance(c, Component) else Component.model_validate(c)
              for c in order.components or []]
    return ([first] if first else []) + listed


def component_lines(order: Any) -> list[str]:
    """Each billed component of an order in words, as the packet's order page lists them:
    `B4185 Lipids 20% (nutrient): 2.5 a day, $11.00 a unit, NDC 00338051912 250 ML`."""
    out = []
    for c in order_components(order):
        charge = f", ${c.unit_charge:,} a unit" if c.unit_charge is not None else ""
        ndc = f", NDC {c.ndc}" if c.ndc else ""
        if c.ndc and c.ndc_quantity is not None:
            ndc += f" {c.ndc_quantity.normalize():f} {c.ndc_unit} a {c.per}"
        out.append(f"{c.label} ({c.kind}): {c.describe_quantity()}{charge}{ndc}")
    return out


def component_problems(components: list[Component]) -> list[tuple[str, str]]:
    """(field, problem) of each bad value of an order's listed components, the field named
    `components[1].hcpcs` (0-based, as the interchange file's paths are)."""
    out: list[tuple[str, str]] = []
    if len(components) > MAX_COMPONENTS:
        out.append(("components", f"holds at most {MAX_COMPONENTS} components"))
    for i, c in enumerate(components):
        at = f"components[{i}]."
        if not c.name.strip():
            out.append((at + "name", "is required"))
        if c.kind not in vocab.COMPONENT_KINDS:
            out.append((at + "kind", "is " + vocab.alternatives(vocab.COMPONENT_KINDS)))
        if not c.hcpcs:
            out.append((at + "hcpcs", "is required"))
        elif problem := hcpcs_problem(c.hcpcs):
            out.append((at + "hcpcs", problem))
        elif codes.is_per_diem_code(c.hcpcs):
            out.append((at + "hcpcs", f"{c.hcpcs} is a per diem code: the order's per diem "
                        "bills it, a component bills what goes into the bag"))
        if c.per not in vocab.COMPONENT_BASES:
            out.append((at + "per", "is " + vocab.alternatives(vocab.COMPONENT_BASES)))
        if c.quantity is None:
            out.append((at + "quantity", "is required"))
        elif not 0 < c.quantity <= MAX_COMPONENT_QUANTITY:
            out.append((at + "quantity", f"is more than zero and at most "
                        f"{MAX_COMPONENT_QUANTITY:,} HCPCS units a {c.per}"))
        if c.unit_charge is not None and c.unit_charge < 0:
            out.append((at + "unit_charge", "cannot be negative"))
        elif c.unit_charge is not None and not MONEY_RE.fullmatch(format(c.unit_charge, "f")):
            # the interchange file's money pattern: what is saved must export and import again
            out.append((at + "unit_charge", "is dollars and cents, e.g. 12.50 (at most "
                        "9999999.99)"))
        if c.ndc is not None and not NDC_RE.fullmatch(c.ndc):
            out.append((at + "ndc", "is 11 digits (5-4-2) without dashes"))
        if c.ndc_unit is not None and c.ndc_unit not in vocab.NDC_BILLING_UNITS:
            out.append((at + "ndc_unit", "is " + vocab.alternatives(vocab.NDC_BILLING_UNITS)))
        if c.ndc_quantity is not None and not 0 < c.ndc_quantity <= MAX_NDC_QUANTITY:
            out.append((at + "ndc_quantity", f"is more than zero and at most "
                        f"{MAX_NDC_QUANTITY:,} a {c.per}"))
        if c.ndc and (c.ndc_unit is None or c.ndc_quantity is None):
            out.append((at + ("ndc_unit" if c.ndc_unit is None else "ndc_quantity"),
                        "is required with an NDC: the claim states the NDC's quantity and "
                        "unit (837P CTP04/CTP05, CMS-1500 24A shaded)"))
        elif not c.ndc and (c.ndc_unit or c.ndc_quantity is not None):
            out.append((at + "ndc", "is required with an NDC unit or quantity"))
    return out
