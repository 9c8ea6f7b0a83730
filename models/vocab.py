"""Every allowed-values list, once: forms offer them, checks accept them, files carry them.

They are the interchange format's vocabularies (resources/interchange-schema.json; a test
keeps the two equal): a value a form saves must export and import again.
"""

from __future__ import annotations

from collections.abc import Sequence

PAYER_KINDS = ("commercial", "medicaid", "medicare", "tricare", "workers-comp", "bcbs", "hmo",
               "other")
# how every screen and report spells a payer kind (one spelling: issue 16)
PAYER_KIND_LABELS = {"commercial": "Commercial", "medicaid": "Medicaid", "medicare": "Medicare",
                     "tricare": "TRICARE", "workers-comp": "Workers' compensation",
                     "bcbs": "Blue Cross Blue Shield", "hmo": "HMO", "other": "Other"}


def payer_kind_label(kind: str) -> str:
    return PAYER_KIND_LABELS.get(kind, kind)
# SBR09 claim filing indicator codes of the 837P (005010X222A1) -> what a form shows (R33)
CLAIM_FILING_INDICATORS = {
    "11": "11 other non-federal program", "12": "12 PPO", "13": "13 POS", "14": "14 EPO",
    "15": "15 indemnity insurance", "16": "16 HMO Medicare risk", "17": "17 dental maintenance",
    "AM": "AM automobile medical", "BL": "BL Blue Cross/Blue Shield", "CH": "CH TRICARE",
    "CI": "CI commercial insurance", "DS": "DS disability", "FI": "FI Federal Employees Program",
    "HM": "HM HMO", "LM": "LM liability medical", "MA": "MA Medicare Part A",
    "MB": "MB Medicare Part B", "MC": "MC Medicaid", "OF": "OF other federal program",
    "TV": "TV Title V", "VA": "VA Veterans Affairs plan", "WC": "WC workers' compensation",
    "ZZ": "ZZ mutually defined",
}
# R33: a payer kind's claim filing indicator when the payer names none (`other` has none)
DEFAULT_FILING_INDICATOR = {"medicare": "MB", "medicaid": "MC", "commercial": "CI",
                            "tricare": "CH", "workers-comp": "WC", "bcbs": "BL", "hmo": "HM"}
# the NDC unit of measure a drug is billed in (CTP05, CMS-1500 24A shaded): F2 international
# unit, GR gram, ME milligram, ML millilitre, UN unit (each)
NDC_BILLING_UNITS = ("ML", "UN", "GR", "F2", "ME")
NDC_BILLING_UNIT_NAMES = {"ML": "ML millilitre", "UN": "UN unit (each, vial)", "GR": "GR gram",
                          "F2": "F2 international unit", "ME": "ME milligram"}
SEXES = {"F": "Female", "M": "Male", "U": "Unknown"}  # code -> what a form shows
PRIORITIES = ("primary", "secondary")  # of a coverage
RELATIONSHIPS = ("self", "spouse", "child", "other")  # the patient's, to the subscriber
ROUTES = ("IV", "SC", "IM", "other")
# a compound order's component (issue 15): what it is, and what its quantity is counted per
COMPONENT_KINDS = ("drug", "nutrient")
COMPONENT_BASES = ("day", "bag")
DOSE_UNITS = ("mg", "g", "mL", "units", "mcg")
DELIVERY_METHODS = ("courier", "pharmacy driver", "pickup", "mail")
INFUSION_STATUSES = ("completed", "partial", "held", "refused", "missed")
ADMINISTERED = frozenset({"completed", "partial"})  # statuses a dose was given in (R1)
NOT_GIVEN = tuple(s for s in INFUSION_STATUSES if s not in ADMINISTERED)  # need a note why
SETTINGS = {"home": "home", "suite": "suite (infusion suite)"}  # where a dose was given
CARE_NOTE_CONTACTS = ("patient", "family", "prescriber", "nurse", "case manager", "payer",
                      "other")
VISIT_TYPES = ("initial", "routine", "teaching", "other")  # a nursing visit's (R34)
# R34's CPT codes: home infusion visit, first two hours / each additional hour; an
# authorization may be for 99601 (the visits), which is no HCPCS Level II code
VISIT_CODES = ("99601", "99602")
USAGE_INDICATORS = {"T": "test", "P": "production"}  # ISA15 of an 837P
# R27: when an order's signature counts (pharmacy setting; the first is the default)
ORDER_SIGNATURES = {"before-claim": "before the claim (signed at any time counts)",
                    "before-service": "before the service day (hold days served earlier)"}
# R29-R31: a payer's contract (the first of each is the default, Part 1 as written)
PER_DIEM_BASES = {"infusion-days": "infusion days (a dose given that day)",
                  "access-days": "access days (every day on service, NHIA)"}
SUITE_PLACES = {"12": "12 home, modifier SS", "49": "49 independent clinic, no SS"}
LINE_LAYOUTS = {"runs": "a line per run of consecutive days", "month": "a line per month"}
INFUSION_DAYS, ACCESS_DAYS = tuple(PER_DIEM_BASES)

# the schema's enum of each list, by JSON path: what the agreement test compares
SCHEMA_ENUMS: dict[str, Sequence[str]] = {
    "payer.kind": PAYER_KINDS,
    "payer.claim_filing_indicator": tuple(CLAIM_FILING_INDICATORS),
    "drug.billing_unit": NDC_BILLING_UNITS,
    "patient.sex": tuple(SEXES),
    "coverage.priority": PRIORITIES,
    "coverage.relationship": RELATIONSHIPS,
    "coverage.subscriber.sex": tuple(SEXES),
    "order.route": ROUTES,
    "drug.dose_unit": DOSE_UNITS,
    "delivery.method": DELIVERY_METHODS,
    "infusion.status": INFUSION_STATUSES,
    "infusion.setting": tuple(SETTINGS),
    "care_note.contact": CARE_NOTE_CONTACTS,
    "nursing_visit.visit_type": VISIT_TYPES,
    "pharmacy.order_signature": tuple(ORDER_SIGNATURES),
    "payer.per_diem_basis": tuple(PER_DIEM_BASES),
    "payer.suite_place_of_service": tuple(SUITE_PLACES),
    "payer.line_layout": tuple(LINE_LAYOUTS),
    "component.kind": COMPONENT_KINDS,
    "component.per": COMPONENT_BASES,
    "component.ndc_unit": NDC_BILLING_UNITS,
}


def alternatives(values: Sequence[str]) -> str:
    """`("a", "b", "c")` -> "a, b or c", as a field problem names what it accepts."""
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]
