"""Demo data: a small home infusion pharmacy's last three months, showing every billing outcome.

Everything is written through the record services (models/records/reference.py and
clinical.py), so the demo obeys the same checks as the forms.
The data is a function of (seed, today): names, addresses and small date shifts come from
`random.Random(seed)`, and every timestamp is derived from the record's own date.
Most days are billable, as in a well-run pharmacy; a handful of patients each show one problem
(every reason R1-R12 of BILLING_RULES.md) and the modifiers SH, SJ, SS and a payer's U1.
One module over 400 lines on purpose: it is a script of 26 patients' stories, mostly data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from models.billing.visits import visit_price
from models.errors import DomainError, FieldError
from models.records import clinical, reference, registry
from models.records.registry import (
    AUTHORIZATION,
    CARE_NOTE,
    DELIVERY,
    INFUSION,
    NURSING_VISIT,
    ORDER,
    PATIENT,
    PLAN_OF_CARE,
    PREP_NOTE,
    ClinicalKind,
    RecordKind,
)
from models.records.rows import count_records
from models.records.tables import (
    AuthorizationBase,
    CoverageBase,
    PatientBase,
    PayerBase,
    PharmacyBase,
    PrescriberBase,
)
from models.security.permissions import IMPORT, authorize
from models.validation import npi_with_check_digit


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass(frozen=True)
class Therapy:
    """What an order for one therapy looks like and how its days run."""

    per_diem_code: str
    rate: str
    drug_name: str
    ndc: str | None
    hcpcs: str | None
    unit_amount: str | None
    dose_unit: str
    unit_charge: str | None
    dose: str
    dose_given: str
    frequency: str
    diagnoses: tuple[str, ...]
    every: int  # days from one dose to the next (1: daily)
    doses_a_day: int
    minutes: int  # how long one infusion runs
    hour: int  # usual start hour
    items: str
    compounding: str
    self_given: bool  # the patient or a caregiver runs it after teaching
    specialty: str  # which kind of prescriber orders it
    batch: int = 7  # days one compounded batch of a daily therapy lasts
    components: tuple[dict[str, Any], ...] = ()  # a compound order's formula (issue 15)


# The TPN formula billed beside the S9366 per diem (issue 15): 1,800 mL of dextrose 20% and
# amino acids 5% is 90 g of protein a bag (B4197, 74-100 g), lipids 20% 250 mL are 50 g a day
# (B4185, 10 g a unit), the vitamins and trace elements added at delivery (B4216) and the
# pump's administration kit (B4224).
TPN_FORMULA: tuple[dict[str, Any], ...] = (
    dict(kind="nutrient", name="Amino acids 5% and dextrose 20%, 1,800 mL", hcpcs="B4197",
         per="bag", quantity=Decimal(1), unit_charge=Decimal("318.00")),
    dict(kind="nutrient", name="Lipid emulsion 20% 250 mL", hcpcs="B4185",
         ndc="00338051909", ndc_unit="ML", ndc_quantity=Decimal(250), per="day",
         quantity=Decimal(5), unit_charge=Decimal("11.40")),
    dict(kind="drug", name="MVI and trace elements", hcpcs="B4216", per="day",
         quantity=Decimal(1), unit_charge=Decimal("9.85")),
    dict(kind="nutrient", name="Administration kit", hcpcs="B4224", per="day",
         quantity=Decimal(1), unit_charge=Decimal("32.10")),
)

THERAPIES: dict[str, Therapy] = {
    "ivig": Therapy(
        "S9338", "150.00", "Gammagard Liquid 10%", "00944270005", "J1569", "500", "mg", "92.40",
        "30 g (0.4 g/kg) IV", "30000", "every 21 days", ("D83.9",), 21, 1, 240, 9,
        "IVIG 30 g (3 x 10 g vials), pump, tubing, premeds",
        "3 x 10 g vials dispensed, no pooling; premeds acetaminophen and diphenhydramine",
        False, "immunology"),
    "ivig_cidp": Therapy(
        "S9338", "150.00", "Privigen 10%", "44206043890", "J1459", "500", "mg", "88.10",
        "40 g (1 g/kg) IV", "40000", "every 28 days", ("G61.81",), 28, 1, 300, 8,
        "IVIG 40 g (2 x 20 g vials), pump, tubing, premeds",
        "2 x 20 g vials dispensed, no pooling", False, "neurology"),
    "infliximab": Therapy(
        "S9359", "140.00", "Infliximab (Remicade) 100 mg vial", "57894003001", "J1745", "10", "mg",
        "97.50", "5 mg/kg (400 mg) IV", "400", "every 8 weeks", ("K50.90",), 56, 1, 120, 10,
        "Infliximab 4 x 100 mg vials, 0.2 micron in-line filter set, premeds",
        "4 vials reconstituted and diluted in NS 250 mL", False, "gastroenterology"),
    "vancomycin": Therapy(
        "S9501", "95.00", "Vancomycin 1.25 g in NS 250 mL", "00409653301", "J3370", "500", "mg",
        "6.10", "1,250 mg IV every 12 hours", "1250", "every 12 hours", ("M86.10", "B95.62"),
        1, 2, 120, 8, "Vancomycin 14 bags, flushes, PICC dressing kit",
        "Vancomycin 1.25 g in NS 250 mL x 14; dose per trough 15-20 mcg/mL", True,
        "infectious disease"),
    "ceftriaxone": Therapy(
        "S9500", "85.00", "Ceftriaxone 2 g in D5W 50 mL", "00409733201", "J0696", "250", "mg",
        "1.20", "2 g IV every 24 hours", "2000", "every 24 hours", ("A69.20",), 1, 1, 30, 9,
        "Ceftriaxone 7 bags, flushes", "Ceftriaxone 2 g in D5W 50 mL x 7", True,
        "infectious disease"),
    "ertapenem": Therapy(
        "S9500", "90.00", "Ertapenem (Invanz) 1 g in NS 100 mL", "00006384371", "J1335", "500",
        "mg", "38.00", "1 g IV every 24 hours", "1000", "every 24 hours", ("K65.1",), 1, 1, 30,
        10, "Ertapenem 7 bags, flushes", "Ertapenem 1 g in NS 100 mL x 7", True,
        "infectious disease"),
    "daptomycin": Therapy(
        "S9500", "90.00", "Daptomycin 500 mg in NS 50 mL", "67919001101", "J0878", "1", "mg",
        "0.32", "6 mg/kg (500 mg) IV every 24 hours", "500", "every 24 hours",
        ("I33.0", "B95.61"), 1, 1, 30, 9, "Daptomycin 7 bags, flushes",
        "Daptomycin 500 mg in NS 50 mL x 7; weekly CK", True, "infectious disease"),
    "daptomycin_q48h": Therapy(  # renal dosing (CrCl < 30): every 48 hours
        "S9500", "90.00", "Daptomycin 500 mg in NS 50 mL", "67919001101", "J0878", "1", "mg",
        "0.32", "6 mg/kg (500 mg) IV every 48 hours", "500", "every 48 hours",
        ("T84.52XA", "B95.61"), 2, 1, 30, 9, "Daptomycin 1 bag, flushes",
        "Daptomycin 500 mg in NS 50 mL; dose every 48 h for CrCl under 30", False,
        "infectious disease"),
    "tpn": Therapy(
        "S9366", "210.00", "TPN 2-in-1 (dextrose 20%, amino acids 5%) 1,800 mL", None, None, None,
        "mL", None, "1,800 mL cycled over 12 hours daily", "1800", "daily, cycled",
        ("K91.2", "E43"), 1, 1, 720, 6, "TPN 7 bags, lipids, pump cassettes, supplies",
        "TPN 1,800 mL x 7 with MVI and trace elements added at delivery", True,
        "gastroenterology", components=TPN_FORMULA),
    "ondansetron": Therapy(
        "S9351", "60.00", "Ondansetron 8 mg in NS 50 mL", "00409475503", "J2405", "1", "mg",
        "0.45", "8 mg IV daily", "8", "daily", ("R11.2",), 1, 1, 15, 5,
        "Ondansetron 7 bags", "Ondansetron 8 mg in NS 50 mL x 7", True, "gastroenterology"),
    "hydration": Therapy(
        "S9374", "55.00", "Sodium chloride 0.9% 1,000 mL", "00338004904", "J7030", "1000", "mL",
        "12.50", "1,000 mL IV daily over 2 hours", "1000", "daily", ("E86.0", "R11.10"), 1, 1,
        120, 11, "NS 1,000 mL x 7, tubing, flushes", "NS 1,000 mL bags x 7 (commercial product)",
        True, "internal medicine"),
}

PHARMACY = dict(
    name="Lakeshore Home Infusion", tax_id="391847263", taxonomy="3336H0001X",
    address_line1="2100 Fish Hatchery Rd", address_line2="Suite 110", city="Madison",
    state="WI", zip="537131842", phone="6085550100",
    # its usual and customary charges for the nurse's visit codes (R32/R34); the per diem
    # and drugs carry their order's own rates
    prices=[{"code": "99601", "charge": "210.00"}, {"code": "99602", "charge": "95.00"}],
)

# id, name, payer id, kind, prior authorization, per diem modifiers
PAYERS = [
    ("bpp", "Badger Prairie PPO", "BPP01", "commercial", True, []),
    ("nwh", "Northwoods Health Plan", "NWH22", "commercial", True, []),
    ("lcc", "Lakeview Care Choice", "LCC77", "commercial", False, []),
    ("wimcd", "Wisconsin Medicaid", "WIMCD", "medicaid", True, ["U1"]),
    ("bcp", "BadgerCare Plus HMO", "BCPHMO", "medicaid", True, []),
    ("mcrb", "Medicare Part B (J6)", "MCRJ6", "medicare", False, []),
    ("rrb", "Railroad Medicare", "RRMCR", "medicare", False, []),
    ("glc", "Great Lakes Casualty Workers Comp", "GLCWC", "workers-comp", True, []),
    ("tri", "TRICARE East", "TRIEAST", "tricare", False, []),
    ("ahp", "Access Health Plan", "AHP09", "commercial", False, []),
]
# the payers' contracts (R29-R32) that are not the defaults
CONTRACTS: dict[str, dict[str, Any]] = {
    "ahp": dict(per_diem_basis="access-days", suite_place_of_service="49", rates=[
        {"code": "S9500", "rate": "92.00", "expected": "84.50"},
        {"code": "J0878", "rate": "0.30"}]),
}
MEMBER_PREFIX = {"ahp": "AH", "bpp": "XBP", "nwh": "NW", "lcc": "LC", "wimcd": "", "bcp": "BC",
                 "mcrb": "1EG4", "rrb": "RR", "glc": "WC", "tri": "TE"}
PAYER_ADDRESS = {
    "bpp": ("PO Box 7702", "Milwaukee", "53207"), "nwh": ("PO Box 3100", "Wausau", "54402"),
    "lcc": ("PO Box 1450", "Madison", "53701"), "wimcd": ("PO Box 6000", "Madison", "53707"),
    "glc": ("PO Box 8800", "Green Bay", "54308"),
}

PRESCRIBERS = [
    ("dr-okafor", "Ngozi", "Okafor", "immunology"),
    ("dr-dahl", "Henrik", "Dahl", "infectious disease"),
    ("dr-raman", "Priya", "Raman", "infectious disease"),
    ("dr-bell", "Marcus", "Bell", "gastroenterology"),
    ("dr-sokolova", "Elena", "Sokolova", "gastroenterology"),
    ("dr-whitehorse", "Daniel", "Whitehorse", "neurology"),
    ("dr-karimi", "Aisha", "Karimi", "infectious disease"),
    ("dr-brandt", "Thomas", "Brandt", "internal medicine"),
]

FEMALE = ["Maria", "Linda", "Grace", "Hannah", "Olivia", "Rosa", "Janet", "Mei", "Fatima",
          "Karen", "Ingrid", "Denise", "Lucia", "Amara", "Beth", "Nora", "Paula", "Tanya"]
MALE = ["James", "Robert", "Miguel", "David", "Samuel", "Peter", "Kofi", "Arjun", "Walter",
        "Eric", "Luis", "Gary", "Hoang", "Frank", "Tyler", "Ahmed", "Ray", "Dennis"]
LAST = ["Lindqvist", "Novak", "Garcia", "Schmidt", "Nguyen", "Johansson", "Kowalski", "Brooks",
        "Mensah", "Larsen", "Oyelaran", "Petersen", "Alvarez", "Thao", "Mueller", "Hansen",
        "Rivera", "Vang", "Olson", "Becker", "Castillo", "Fischer", "Yang", "Lund", "Moreau",
        "Harper", "Sandoval", "Kaur", "Weber", "Iverson", "Bjork", "Delgado", "Ostrowski"]
STREETS = ["Willow Ln", "Oak St", "Monroe St", "Regent St", "Sherman Ave", "Atwood Ave",
           "Midvale Blvd", "Park St", "Lake St", "Cherry Hill Dr", "Mineral Point Rd",
           "Old Sauk Rd", "Raymond Rd", "Commercial Ave", "Main St", "Prairie Rd"]
TOWNS = [("Madison", "53704"), ("Madison", "53711"), ("Madison", "53705"), ("Middleton", "53562"),
         ("Verona", "53593"), ("Sun Prairie", "53590"), ("Fitchburg", "53719"),
         ("Monona", "53716"), ("Waunakee", "53597"), ("Stoughton", "53589"),
         ("Janesville", "53545"), ("Beloit", "53511")]
NURSES = ["Kate Moss RN", "Alicia Ramos RN", "Ben Okonkwo RN", "Dana Whitfield RN",
          "Grace Lindahl RN"]
PHARMACISTS = ["Ravi Patel RPh", "Mei Chen PharmD", "Laura Schultz RPh"]
COORDINATORS = ["Jia Lee", "Sam Ortiz RN"]
SITES = ["PICC right upper arm", "PICC left upper arm", "Port right chest"]
CARE_NOTES = [
    ("patient", "Weekly check-in: tolerating therapy, line site clean and dry, no fever."),
    ("prescriber", "Sent weekly labs (CBC, BMP) to the prescriber; no change to the orders."),
    ("nurse", "Coordinated this week's RN visit and dressing change."),
    ("family", "Reviewed pump alarms and supply inventory with the family caregiver."),
    ("payer", "Confirmed eligibility and authorization status with the payer."),
]


@dataclass
class _Patient:
    id: str
    first_name: str
    last_name: str
    coverages: list[CoverageBase]
    nurse: str
    site: str
    first_day: dt.date | None = None  # first service day, for the admission note

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class _Course:
    order_id: str
    days: list[dt.date] = field(default_factory=list)  # service days, in date order
    preps: list[str] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)
    infusions: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


class _Demo:
    def __init__(self, session: Session, actor: str, seed: int, today: dt.date):
        self.session, self.actor, self.today = session, actor, today
        self.rng = random.Random(seed)
        self.first = today - _days(91)  # the period the demo's records cover
        self.last = today - _days(1)
        self.counts: Counter[str] = Counter()
        self.numbers: Counter[str] = Counter()
        self.last_names = self.rng.sample(LAST, len(LAST))
        # when the reference records were keyed in (fixed, so the history is repeatable)
        self.set_up_at = dt.datetime.combine(self.first - _days(14), dt.time(8, 30))

    # --- helpers ----------------------------------------------------------------------------

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)))

    def next_id(self, kind: RecordKind[Any, Any]) -> str:
        self.numbers[kind.key] += 1
        return f"{kind.id_prefix}-{self.numbers[kind.key]}"

    def record(self, kind: ClinicalKind[Any, Any], day: dt.date, hour: int, **values: Any
               ) -> str:
        if "id" not in values:
            values["id"] = self.next_id(kind)
        clinical.create_record(self.session, actor=self.actor, kind=kind,
                               data=kind.base(**values), recorded_at=self.at(day, hour),
                               today=self.today)
        self.counts[kind.collection] += 1
        return values["id"]

    def edit(self, kind: ClinicalKind[Any, Any], record_id: str, day: dt.date, reason: str,
             **changes: Any) -> None:
        current = clinical.get_record(self.session, kind, record_id)
        data = kind.base.model_validate(current).model_copy(update=changes)
        clinical.edit_record(self.session, actor=self.actor, kind=kind, record_id=record_id,
                             data=data, reason=reason, recorded_at=self.at(day, 14),
                             today=self.today)
        self.counts["edits"] += 1

    # --- reference data ---------------------------------------------------------------------

    def reference(self) -> None:
        if reference.get_pharmacy(self.session) is None:
            npi = npi_with_check_digit("1" + "".join(self.rng.choices("0123456789", k=8)))
            reference.save_pharmacy(self.session, actor=self.actor,
                                   data=PharmacyBase(npi=npi, **PHARMACY))
        for pid, name, payer_id, kind, prior_auth, modifiers in PAYERS:
            line1, city, zip_code = PAYER_ADDRESS.get(pid, (None, None, None))
            reference.save_payer(self.session, actor=self.actor, data=PayerBase(
                id=pid, name=name, payer_id=payer_id, kind=kind, requires_prior_auth=prior_auth,
                per_diem_modifiers=modifiers, address_line1=line1, city=city,
                state="WI" if line1 else None, zip=zip_code, **CONTRACTS.get(pid, {})),
                recorded_at=self.set_up_at)
            self.counts["payers"] += 1
        for rid, first, last, _specialty in PRESCRIBERS:
            npi = npi_with_check_digit("1" + "".join(self.rng.choices("0123456789", k=8)))
            reference.save_prescriber(self.session, actor=self.actor, data=PrescriberBase(
                id=rid, first_name=first, last_name=last, npi=npi,
                phone="608555" + f"{self.rng.randrange(10000):04d}"), recorded_at=self.set_up_at)
            self.counts["prescribers"] += 1

    def prescriber_for(self, therapy: Therapy) -> str:
        fits = [p[0] for p in PRESCRIBERS if p[3] == therapy.specialty]
        return self.rng.choice(fits)

    def coverage(self, payer: str, start: dt.date, end: dt.date | None = None, *,
                 priority: str = "primary", **subscriber: Any) -> CoverageBase:
        digits = "".join(self.rng.choices("0123456789", k=9))
        group = None if payer in ("wimcd", "mcrb", "rrb") else f"G{self.rng.randrange(1000, 9999)}"
        if payer == "glc":  # workers' compensation: the carrier's claim and the injury date
            subscriber = {"employer_claim_number": f"WC-{digits[:6]}", "injury_date": start,
                          **subscriber}
        return CoverageBase(payer_id=payer, member_id=MEMBER_PREFIX[payer] + digits,
                            group_number=group, priority=priority, start_date=start,
                            end_date=end, **subscriber)

    def patient(self, *coverages: CoverageBase, age: tuple[int, int] = (28, 63),
                sex: str | None = None) -> _Patient:
        self.numbers[PATIENT.key] += 1
        pid = f"p-{1000 + self.numbers[PATIENT.key]}"
        sex = sex or self.rng.choice("FM")
        first = self.rng.choice(FEMALE if sex == "F" else MALE)
        last = self.last_names[(self.numbers[PATIENT.key] - 1) % len(self.last_names)]
        born = self.today - _days(365 * self.rng.randint(*age) + self.rng.randrange(365))
        town, zip_code = self.rng.choice(TOWNS)
        reference.save_patient(self.session, actor=self.actor, data=PatientBase(
            id=pid, first_name=first, last_name=last, birth_date=born, sex=sex,
            address_line1=f"{self.rng.randint(10, 4999)} {self.rng.choice(STREETS)}",
            city=town, state="WI", zip=zip_code,
            phone="608555" + f"{self.rng.randrange(10000):04d}"), coverages=list(coverages),
            recorded_at=self.set_up_at)
        self.counts["patients"] += 1
        self.counts["coverages"] += len(coverages)
        return _Patient(pid, first, last, list(coverages), self.rng.choice(NURSES),
                        self.rng.choice(SITES))

    def since(self) -> dt.date:
        """A coverage start well before the demo period."""
        return dt.date(self.first.year - self.rng.randint(1, 3), 1, 1)

    # --- one therapy course -----------------------------------------------------------------

    def course(
        self,
        pt: _Patient,
        key: str,
        start: dt.date,
        end: dt.date | None = None,
        *,
        signed: bool = True,
        suite: bool = False,
        hold_dose: int | None = None,
        stopped: dt.date | None = None,
        short_batch: int | None = None,
        undelivered_dose: int | None = None,
        open_entry: int | None = None,
        plans_until: dt.date | None = None,
        auth_until: dt.date | None = None,
        auth_short: int = 0,
        interval: int | None = None,
    ) -> _Course:
        """Order a therapy and write its plan of care, preparations, deliveries, MAR and
        authorizations; the keyword arguments each plant one documentation problem."""
        th = THERAPIES[key]
        rng = self.rng
        order_id = self.next_id(ORDER)
        c = _Course(order_id)
        stop = min(end or self.last, self.last, stopped or dt.date.max)

        doses: list[dt.date] = []
        day = start
        while day <= stop:
            if day >= self.first:
                doses.append(day)
            day += _days(th.every)
        if stopped is not None:  # a dose charted the day after the order was stopped (R2)
            doses.append(stopped + _days(1))
        pt.first_day = min([d for d in [pt.first_day, *doses[:1]] if d], default=None)

        self.record(
            ORDER, start - _days(3), 15, id=order_id, patient_id=pt.id,
            prescriber_id=self.prescriber_for(th), per_diem_code=th.per_diem_code,
            drug_name=th.drug_name, drug_ndc=th.ndc, drug_hcpcs=th.hcpcs,
            drug_hcpcs_unit_amount=Decimal(th.unit_amount) if th.unit_amount else None,
            drug_dose_unit=th.dose_unit,
            drug_unit_charge=Decimal(th.unit_charge) if th.unit_charge else None,
            dose=th.dose, route="IV", frequency=th.frequency,
            diagnosis_codes=list(th.diagnoses), start_date=start, end_date=end,
            signed_date=start - _days(rng.randint(1, 3)) if signed else None,
            per_diem_rate=Decimal(th.rate), dosing_interval_days=interval,
            components=list(th.components))

        # Plans of care run 60 days from the order's start and are renewed until it ends.
        horizon = min(end or self.last, self.last, plans_until or dt.date.max)
        plan_start = start
        while plan_start <= horizon:
            plan_end = min(plan_start + _days(59), plans_until or dt.date.max)
            c.plans.append(self.record(
                PLAN_OF_CARE, plan_start - _days(2), 11, order_id=order_id,
                start_date=plan_start, end_date=plan_end, signed_date=plan_start - _days(1),
                summary=f"{th.drug_name}, {th.dose}. RN teaching and line care; weekly labs; "
                        f"coordinator call at least every two weeks."))
            plan_start += _days(60)

        # Preparation and delivery: per dose for intermittent therapies (the day before, good
        # for four days so a held dose can be given the next day), per weekly batch otherwise.
        if th.every > 1:
            batches = [(d - _days(1), d + _days(3)) for d in doses]
        else:
            batches = []
            for d in doses:
                if not batches or d > batches[-1][1]:
                    batches.append((d, d + _days(th.batch - 1)))
            if short_batch is not None:  # beyond-use date a day short of the batch (R9)
                made, use_by = batches[short_batch]
                batches[short_batch] = (made, use_by - _days(1))
        for i, (made, use_by) in enumerate(batches):
            c.preps.append(self.record(
                PREP_NOTE, made, 7, order_id=order_id, date=made,
                pharmacist=rng.choice(PHARMACISTS), compounding=th.compounding,
                dur="No interactions found; renal function and allergies reviewed.",
                lot=f"{th.drug_name[:2].upper()}{rng.randrange(10000, 99999)}",
                beyond_use_date=use_by))
            if i != undelivered_dose:
                c.deliveries.append(self.record(
                    DELIVERY, made, 13, order_id=order_id, date=made, items=th.items,
                    method=rng.choice(["pharmacy driver", "courier"]), received_by=pt.name))

        # Held doses are given the next day (R1 on the held day).
        given = list(doses)
        if hold_dose is not None:
            held = given[hold_dose]
            given.insert(hold_dose + 1, held + _days(1))
        for i, day in enumerate(given):
            is_held = hold_dose is not None and i == hold_dose
            for n in range(th.doses_a_day):
                begin = dt.datetime.combine(day, dt.time(th.hour + 12 * n, rng.randrange(0, 30)))
                finish = (begin + dt.timedelta(minutes=th.minutes)).time()
                values: dict[str, Any] = dict(
                    order_id=order_id, date=day, start_time=begin.time(), end_time=finish,
                    status="completed", setting="suite" if suite else "home",
                    dose_given=Decimal(th.dose_given),
                    administered_by=pt.name if th.self_given else pt.nurse,
                    site=pt.site if th.self_given or th.every == 1 else "left forearm")
                if is_held:
                    values.update(status="held", end_time=None, dose_given=None, notes=(
                        "Temp 38.4 C before start; held per protocol, prescriber notified, "
                        "rescheduled for tomorrow in the infusion suite."))
                elif hold_dose is not None and i == hold_dose + 1:
                    values.update(setting="suite")
                if open_entry is not None and i == open_entry and n == 0:
                    values.update(end_time=None, notes="Pump alarm at the end; end time not "
                                  "charted.")
                hour = min(begin.hour + th.minutes // 60 + 1, 23)
                c.infusions.append(self.record(INFUSION, day, hour, **values))
        c.days = sorted(set(given) - ({given[hold_dose]} if hold_dose is not None else set()))

        self.authorize(pt, th, start, end, c.days, auth_until, auth_short)
        return c

    def authorize(self, pt: _Patient, th: Therapy, start: dt.date, end: dt.date | None,
                  days: list[dt.date], until: dt.date | None, short: int) -> None:
        """One authorization per prior-auth coverage and stretch of up to 60 days (R13)."""
        payers = {p[0]: p[4] for p in PAYERS}
        for cov in pt.coverages:
            if cov.priority != "primary" or not payers[cov.payer_id]:
                continue
            first = max(start, cov.start_date)
            last = min(end or self.today + _days(30), cov.end_date or dt.date.max)
            mine = [d for d in days if cov.covers(d)]
            if not mine:
                continue
            while first <= last:
                stretch_end = min(first + _days(59), last, until or dt.date.max)
                used = [d for d in mine if first <= d <= stretch_end]
                units = len(used) + (self.rng.randint(1, 3) if not short else -short)
                reference.save_authorization(self.session, actor=self.actor, data=AuthorizationBase(
                    id=self.next_id(AUTHORIZATION), patient_id=pt.id, payer_id=cov.payer_id,
                    number=f"PA{first:%y%m}{self.rng.randrange(10000, 99999)}",
                    code=th.per_diem_code, start_date=first, end_date=stretch_end,
                    units=max(units, 1)),
                    recorded_at=dt.datetime.combine(first - _days(3), dt.time(11)))
                self.counts["authorizations"] += 1
                if until is not None and stretch_end >= until:
                    break
                first = stretch_end + _days(1)

    def nurse_visits(self, pt: _Patient, c: _Course) -> None:
        """R34: the nurse's visit for each dose given at home (the IVIG's four hours, 99601 +
        2 x 99602), linked to its MAR entry. The payer's authorization for 99601 is recorded
        once the visit code has a price (the payer's rate or the pharmacy's price list): until
        then the visits wait on it (hold, no-authorization) rather than have every claim of
        the patient refused for a zero charge. Draws nothing from the random stream, so every
        other record stays as it was."""
        entries = [e for e in (clinical.get_record(self.session, INFUSION, i)
                               for i in c.infusions)
                   if e.administered and e.setting == "home" and e.end_time is not None]
        cov = pt.coverages[0]
        priced = visit_price("99601", reference.get_payer(self.session, cov.payer_id),
                             reference.get_pharmacy(self.session)).charge is not None
        if entries and priced and dict((p[0], p[4]) for p in PAYERS)[cov.payer_id]:
            first, last = entries[0].date, entries[-1].date
            reference.save_authorization(self.session, actor=self.actor, data=AuthorizationBase(
                id=self.next_id(AUTHORIZATION), patient_id=pt.id, payer_id=cov.payer_id,
                number=f"PA{first:%y%m}V{len(entries):03d}", code="99601",
                start_date=first, end_date=last + _days(60), units=len(entries) + 2),
                recorded_at=dt.datetime.combine(first - _days(3), dt.time(11)))
            self.counts["authorizations"] += 1
        for n, e in enumerate(entries):
            assert e.start_time is not None and e.end_time is not None
            clinical.create_record(
                self.session, actor=self.actor, kind=NURSING_VISIT, today=self.today,
                recorded_at=dt.datetime.combine(e.date, dt.time(min(e.end_time.hour + 1, 23))),
                data=NURSING_VISIT.base(
                    id=self.next_id(NURSING_VISIT), patient_id=pt.id, order_id=c.order_id,
                    date=e.date, start_time=e.start_time, end_time=e.end_time,
                    nurse=e.administered_by, visit_type="initial" if n == 0 else "routine",
                    note="IVIG infusion at home: vitals every 30 minutes, rate titrated per "
                         "protocol, line care; no reaction." if n else "First home IVIG: "
                         "teaching on premedication and reactions, vitals every 15 minutes "
                         "during titration, line care.",
                    infusions=[e.id]))
            self.counts[NURSING_VISIT.collection] += 1

    def care_notes(self, pt: _Patient, gap: tuple[dt.date, dt.date] | None = None) -> list[str]:
        """An admission note, then a coordinator contact every 10 to 18 days."""
        assert pt.first_day is not None
        day = max(pt.first_day, self.first) - _days(self.rng.randint(1, 3))
        ids = [self.record(CARE_NOTE, day, 16, patient_id=pt.id, date=day,
                           author=self.rng.choice(COORDINATORS), contact="patient",
                           text="Admission: reviewed orders, allergies, home safety and the "
                                "infusion schedule; line care teaching done.")]
        while True:
            day += _days(self.rng.randint(10, 18))
            if gap and gap[0] <= day <= gap[1]:
                day = gap[1]
            if day > self.last:
                return ids
            contact, text = self.rng.choice(CARE_NOTES)
            ids.append(self.record(CARE_NOTE, day, 16, patient_id=pt.id, date=day,
                                   author=self.rng.choice(COORDINATORS), contact=contact,
                                   text=text))

    # --- the patients -----------------------------------------------------------------------

    def patients(self) -> None:
        rng, today = self.rng, self.today

        def ago(n: int) -> dt.date:
            return today - _days(n)

        def jitter(n: int) -> dt.date:
            return ago(n + rng.randint(0, 3))

        # 1. IVIG for CVID: one dose held for fever and given next day in the suite (R1, SS).
        pt = self.patient(self.coverage("bpp", self.since()), age=(40, 60))
        c = self.course(pt, "ivig", jitter(100), hold_dose=2)
        self.nurse_visits(pt, c)
        self.care_notes(pt)

        # 2. Vancomycin, Medicaid (U1): stopped early, one dose charted a day after (R2).
        pt = self.patient(self.coverage("wimcd", self.since()))
        start = jitter(80)
        c = self.course(pt, "vancomycin", start, start + _days(41), stopped=start + _days(32))
        self.stopped_early = (c.order_id, start + _days(32))
        self.care_notes(pt)

        # 3. Ceftriaxone for Lyme: a teenager on a parent's plan (non-self subscriber).
        parent_born = today - _days(365 * 44 + rng.randrange(365))
        family_name = self.last_names[self.numbers[PATIENT.key] % len(self.last_names)]
        pt = self.patient(self.coverage(
            "lcc", self.since(), relationship="child", subscriber_first_name="Anne",
            subscriber_last_name=family_name, subscriber_birth_date=parent_born,
            subscriber_sex="F"), age=(14, 16))
        start = jitter(60)
        self.course(pt, "ceftriaxone", start, start + _days(27))
        self.care_notes(pt)

        # 4. IVIG for CIDP with Medicare primary, Medicaid secondary: S-codes (R4).
        pt = self.patient(self.coverage("mcrb", self.since()),
                          self.coverage("wimcd", self.since(), priority="secondary"),
                          age=(67, 80))
        self.course(pt, "ivig_cidp", jitter(70))
        self.care_notes(pt)

        # 5. Ertapenem: the authorization ended, renewal not received yet (R5).
        pt = self.patient(self.coverage("nwh", self.since()))
        self.course(pt, "ertapenem", jitter(30), auth_until=ago(6))
        self.care_notes(pt)

        # 6. Daptomycin: the payer authorized three days fewer than given (R6).
        pt = self.patient(self.coverage("bpp", self.since()), age=(55, 63))
        start = jitter(70)
        self.course(pt, "daptomycin", start, start + _days(41), auth_short=3)
        self.care_notes(pt)

        # 7. Pyelonephritis, new order whose signed copy has not come back (R7).
        pt = self.patient(self.coverage("lcc", self.since()))
        c = self.course(pt, "ceftriaxone", ago(4), ago(4) + _days(13), signed=False)
        self.care_notes(pt)

        # 8. Long-term TPN: the plan of care renewal is not on file yet (R8).
        pt = self.patient(self.coverage("tri", self.since()))
        self.course(pt, "tpn", ago(150), plans_until=ago(8))
        self.care_notes(pt)

        # 9. Ceftriaxone: one batch's beyond-use date falls a day short (R9); another batch's
        #    date was mistyped and corrected (history).
        pt = self.patient(self.coverage("lcc", self.since()))
        start = jitter(50)
        c = self.course(pt, "ceftriaxone", start, start + _days(27), short_batch=1)
        self.mistyped_bud = c.preps[2]
        self.care_notes(pt)

        # 10. IVIG: one delivery was made but never logged (R10).
        pt = self.patient(self.coverage("bcp", self.since()))
        self.course(pt, "ivig", jitter(95), undelivered_dose=1)
        self.care_notes(pt)

        # 11. Hydration for hyperemesis: one MAR entry without its end time (R11).
        pt = self.patient(self.coverage("bpp", self.since()), sex="F", age=(24, 36))
        start = jitter(40)
        self.course(pt, "hydration", start, start + _days(9), open_entry=4)
        self.care_notes(pt)

        # 12. Vancomycin: no coordinator contact for five weeks (R12).
        pt = self.patient(self.coverage("nwh", self.since()))
        start = jitter(75)
        self.course(pt, "vancomycin", start, start + _days(48))
        self.care_notes(pt, gap=(start, start + _days(34)))

        # 13. Three therapies at once: TPN, ertapenem and ondansetron (SH, SJ).
        pt = self.patient(self.coverage("bpp", self.since()))
        self.course(pt, "tpn", jitter(120))
        start = jitter(45)
        self.course(pt, "ertapenem", start, start + _days(20))
        self.course(pt, "ondansetron", start - _days(3), start + _days(17))
        self.care_notes(pt)

        # 14. TPN, commercial plan until the job ended, Medicaid (U1) since.
        switch = jitter(45)
        pt = self.patient(self.coverage("nwh", self.since(), switch - _days(1)),
                          self.coverage("wimcd", switch))
        self.course(pt, "tpn", jitter(130))
        self.care_notes(pt)

        # 15. Ceftriaxone: coverage ended two days before the course did (R3).
        cov_end = jitter(14)
        pt = self.patient(self.coverage("lcc", self.since(), cov_end))
        self.course(pt, "ceftriaxone", cov_end - _days(20), cov_end + _days(2))
        self.care_notes(pt)

        # 16-17. Infliximab in the infusion suite (SS).
        for payer in ("bpp", "lcc"):
            pt = self.patient(self.coverage(payer, self.since()))
            self.course(pt, "infliximab", jitter(110), suite=True)
            self.care_notes(pt)

        # 18. IVIG at home; the nurse corrected an end time afterwards (history).
        pt = self.patient(self.coverage("nwh", self.since()))
        c = self.course(pt, "ivig", jitter(85))
        self.corrected_entry = c.infusions[1]
        self.care_notes(pt)

        # 19. Vancomycin after a workplace injury: workers' compensation.
        pt = self.patient(self.coverage("glc", self.since()), sex="M")
        start = jitter(65)
        self.course(pt, "vancomycin", start, start + _days(41))
        self.care_notes(pt)

        # 20. Daptomycin, TRICARE.
        pt = self.patient(self.coverage("tri", self.since()))
        start = jitter(55)
        c = self.course(pt, "daptomycin", start, start + _days(41))
        self.receiver_fixed = c.deliveries[1]
        self.care_notes(pt)

        # 21. Ceftriaxone, BadgerCare Plus.
        pt = self.patient(self.coverage("bcp", self.since()))
        start = jitter(35)
        self.course(pt, "ceftriaxone", start, start + _days(20))
        notes = self.care_notes(pt)
        self.amended_note = notes[1]

        # 22. Ertapenem with a week of hydration alongside, Medicaid (SH, U1).
        pt = self.patient(self.coverage("wimcd", self.since()), age=(50, 63))
        start = jitter(50)
        self.course(pt, "ertapenem", start, start + _days(27))
        self.course(pt, "hydration", start + _days(2), start + _days(8))
        self.care_notes(pt)

        # 23. Hydration, short course.
        pt = self.patient(self.coverage("lcc", self.since()))
        start = jitter(25)
        self.course(pt, "hydration", start, start + _days(6))
        self.care_notes(pt)

        # 24. IVIG in the suite; changed employer plans mid-period; a plan of care's signed
        #     date corrected (history).
        switch = jitter(40)
        pt = self.patient(self.coverage("lcc", self.since(), switch - _days(1)),
                          self.coverage("bpp", switch))
        c = self.course(pt, "ivig", jitter(90), suite=True)
        self.late_plan = c.plans[-1]
        self.care_notes(pt)

        # 25. Vancomycin with TRICARE secondary; one dose was charted twice (voided).
        pt = self.patient(self.coverage("nwh", self.since()),
                          self.coverage("tri", self.since(), priority="secondary"))
        start = jitter(45)
        c = self.course(pt, "vancomycin", start, start + _days(27))
        self.duplicate_of = c.infusions[6]
        self.care_notes(pt)

        # 26. Daptomycin every 48 hours for a prosthetic knee infection, billed to a payer that
        #     pays access days (R29): the days between doses are per diem days too.
        pt = self.patient(self.coverage("ahp", self.since()), age=(60, 63))
        start = jitter(40)
        self.course(pt, "daptomycin_q48h", start, start + _days(41), interval=2)
        self.care_notes(pt)

    # --- corrections that show up in the history --------------------------------------------

    def corrections(self) -> None:
        order_id, stopped = self.stopped_early
        self.edit(ORDER, order_id, stopped, "Prescriber stopped IV therapy by phone; switched "
                  "to oral linezolid.", discontinued_date=stopped)

        note = clinical.get_record(self.session, PREP_NOTE, self.mistyped_bud)
        wrong = note.beyond_use_date
        self.edit(PREP_NOTE, note.id, note.date, "Beyond-use date was mistyped.",
                  beyond_use_date=note.date + _days(1))
        self.edit(PREP_NOTE, note.id, note.date + _days(1), "Corrected to the compounding "
                  "record's beyond-use date.", beyond_use_date=wrong)

        entry = clinical.get_record(self.session, INFUSION, self.corrected_entry)
        end = dt.datetime.combine(entry.date, entry.end_time) + dt.timedelta(minutes=25)
        self.edit(INFUSION, entry.id, entry.date + _days(1), "End time corrected from the "
                  "pump history (rate slowed for chills).", end_time=end.time(),
                  reaction="Chills at 200 mL/h; rate reduced, resolved.")

        delivery = clinical.get_record(self.session, DELIVERY, self.receiver_fixed)
        self.edit(DELIVERY, delivery.id, delivery.date + _days(1), "Signed for by the spouse, "
                  "per the delivery slip.", received_by="Spouse (per delivery slip)")

        note = clinical.get_record(self.session, CARE_NOTE, self.amended_note)
        self.edit(CARE_NOTE, note.id, note.date + _days(1), "Added the outcome of the call.",
                  text=note.text + " Patient will call back with the home health schedule.")

        plan = clinical.get_record(self.session, PLAN_OF_CARE, self.late_plan)
        self.edit(PLAN_OF_CARE, plan.id, plan.start_date, "Signed date corrected to the date "
                  "on the copy the prescriber returned.", signed_date=plan.start_date)

        entry = clinical.get_record(self.session, INFUSION, self.duplicate_of)
        copy = INFUSION.base.model_validate(entry).model_copy(update={
            "id": self.next_id(INFUSION),
            "notes": "Charted from the paper MAR at the end of the shift."})  # R25: a note
        self.record(INFUSION, entry.date, 22, **copy.model_dump())
        clinical.void_record(self.session, actor=self.actor, kind=INFUSION, record_id=copy.id,
                             reason="Duplicate: the same dose was charted twice.",
                             recorded_at=self.at(entry.date + _days(1), 9))
        self.counts["voided"] += 1


def load_demo(session: Session, *, actor: str, seed: int, today: dt.date) -> dict[str, int]:
    """Fill an empty database with a demo pharmacy; returns how many of each record it wrote."""
    authorize(session, actor, IMPORT)
    if count_records(session):
        raise DomainError("The database already holds data; demo data only goes into an empty "
                          "database (choose a new file with --db).")
    if not 1900 <= today.year <= 9998:  # births reach 100 years back, records a month ahead
        raise FieldError("today", f"{today} is too far from now for demo data "
                         "(choose a year from 1900 to 9998)")
    demo = _Demo(session, actor, seed, today)
    demo.reference()
    demo.patients()
    demo.corrections()
    names = ["payers", "prescribers", "patients", "coverages", "authorizations",
             *(k.collection for k in registry.CLINICAL), "edits", "voided"]
    return {n: demo.counts[n] for n in names}
