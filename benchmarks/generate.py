"""A large made-up pharmacy as an interchange file: N patients on service for Y years.

    python -m benchmarks.generate --patients 300 --years 5 --seed 1 --out big.json

Deterministic: the same arguments give the same file, byte for byte. The file is written
straight as interchange JSON (not through the services), so a 300 x 5 year pharmacy takes
seconds to make; importing it is what the benchmarks measure.

Every record kind appears, and every billing outcome of BILLING_RULES.md Part 1, spread over
the years at a low rate as in a real pharmacy: held, refused and missed doses (R1), doses
charted after an order was stopped (R2), coverage gaps (R3), Medicare patients on S-codes (R4),
authorizations that start late (R5) or run short (R6), unsigned orders (R7), plan of care gaps
(R8), short beyond-use dates (R9), deliveries never logged (R10), incomplete MAR entries (R11),
care coordination gaps (R12), concurrent therapies (SH, SJ), suite infusions (SS) and a
payer's own modifier (U1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from models.demo import (
    CARE_NOTES,
    COORDINATORS,
    FEMALE,
    LAST,
    MALE,
    NURSES,
    PAYERS,
    PHARMACISTS,
    PHARMACY,
    SITES,
    STREETS,
    THERAPIES,
    TOWNS,
)
from models.validation import npi_with_check_digit

DAY = dt.timedelta(days=1)
ORDER_MONTHS = 6  # an order is renewed (a new signed order) every six months
PLAN_DAYS = 60
AUTH_DAYS = 90
SPECIALTIES = sorted({t.specialty for t in THERAPIES.values()})
# Chronic therapies run for the whole span; episodic ones come as courses with breaks.
CHRONIC = ["ivig", "ivig", "ivig_cidp", "infliximab", "tpn"]
EPISODIC = ["ceftriaxone", "ertapenem", "daptomycin", "vancomycin", "hydration"]
ADD_ON = {"tpn": "ondansetron", "vancomycin": "hydration", "ertapenem": "ondansetron",
          "ceftriaxone": "hydration", "daptomycin": "ondansetron"}


class Generator:
    def __init__(self, patients: int, years: int, seed: int, end: dt.date):
        self.rng = random.Random(seed)
        self.n_patients = patients
        self.end = end
        self.start = end.replace(year=end.year - years) + DAY
        self.doc: dict[str, Any] = {
            "format": "infusion-interchange", "version": 1.1, "pharmacy": self._pharmacy(),
            "payers": [], "prescribers": [], "patients": [], "orders": [], "plans_of_care": [],
            "authorizations": [], "prep_notes": [], "deliveries": [], "infusions": [],
            "care_notes": [],
        }
        self.counters: dict[str, int] = {}
        self.payer_kind: dict[str, tuple[str, bool]] = {}

    # --- ids and helpers --------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:06d}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    @staticmethod
    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    def add(self, collection: str, item: dict[str, Any]) -> dict[str, Any]:
        self.doc[collection].append({k: v for k, v in item.items() if v is not None})
        return item

    # --- reference data ---------------------------------------------------------------------

    def _pharmacy(self) -> dict[str, Any]:
        p = PHARMACY
        return {"name": p["name"], "npi": npi_with_check_digit("123456789"),
                "tax_id": p["tax_id"], "taxonomy": p["taxonomy"],
                "address": {"line1": p["address_line1"], "line2": p["address_line2"],
                            "city": p["city"], "state": p["state"], "zip": p["zip"]},
                "phone": p["phone"]}

    def reference(self) -> None:
        for pid, name, payer_id, kind, prior_auth, modifiers in PAYERS:
            self.payer_kind[pid] = (kind, prior_auth)
            item: dict[str, Any] = {"id": pid, "name": name, "payer_id": payer_id, "kind": kind,
                                    "requires_prior_auth": prior_auth}
            if modifiers:
                item["per_diem_modifiers"] = list(modifiers)
            self.add("payers", item)
        self.prescribers: dict[str, list[str]] = {s: [] for s in SPECIALTIES}
        count = max(8, self.n_patients // 12)
        for i in range(count):
            specialty = SPECIALTIES[i % len(SPECIALTIES)]
            pid = self.next_id("dr")
            self.prescribers[specialty].append(pid)
            self.add("prescribers", {
                "id": pid, "first_name": self.rng.choice(FEMALE + MALE),
                "last_name": self.rng.choice(LAST),
                "npi": npi_with_check_digit(f"1{self.rng.randrange(10**8):08d}"),
                "phone": f"608555{self.rng.randrange(10000):04d}"})

    # --- a patient --------------------------------------------------------------------------

    def patient(self) -> None:
        rng = self.rng
        pid = self.next_id("p")
        sex = rng.choice("FM")
        town, zip_code = rng.choice(TOWNS)
        born = dt.date(self.end.year - rng.randint(20, 85), rng.randint(1, 12), rng.randint(1, 28))
        medicare = self.chance(0.03)
        commercial = [p[0] for p in PAYERS
                      if p[3] in ("commercial", "medicaid", "other", "workers-comp", "tricare")]
        payer = "mcrb" if medicare else rng.choice(commercial)
        since = self.start - dt.timedelta(days=rng.randint(30, 900))
        coverages = []
        # About one patient in five changes plans once, one in three of those with a gap (R3).
        if not medicare and self.chance(0.2):
            span = (self.end - self.start).days
            margin = min(200, span // 4)  # a short history (one year) still has room for it
            switch = self.start + dt.timedelta(days=rng.randint(margin, span - margin))
            gap = rng.randint(1, 3) if self.chance(0.35) else 0
            coverages.append(self.coverage(payer, since, switch - DAY))
            payer = rng.choice([p for p in commercial if p != payer])
            coverages.append(self.coverage(payer, switch + dt.timedelta(days=gap), None))
        else:
            coverages.append(self.coverage(payer, since, None))
        if medicare:
            coverages.append(self.coverage("wimcd", since, None, priority="secondary"))
        self.add("patients", {
            "id": pid, "first_name": rng.choice(FEMALE if sex == "F" else MALE),
            "last_name": rng.choice(LAST), "birth_date": born.isoformat(), "sex": sex,
            "address": {"line1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}", "city": town,
                        "state": "WI", "zip": zip_code},
            "phone": f"608555{rng.randrange(10000):04d}", "coverages": coverages})

        nurse, site = rng.choice(NURSES), rng.choice(SITES)
        service_days: list[dt.date] = []
        main = rng.choice(CHRONIC + EPISODIC)
        if main in CHRONIC:
            periods = [(self.start, self.end)]
        else:  # courses of four to eight weeks with breaks of one to six months
            periods, day = [], self.start + dt.timedelta(days=rng.randint(0, 40))
            while day < self.end:
                length = rng.randint(28, 56)
                periods.append((day, min(day + dt.timedelta(days=length - 1), self.end)))
                day += dt.timedelta(days=length + rng.randint(30, 180))
        for first, last in periods:
            key = main if main in CHRONIC else rng.choice(EPISODIC)
            service_days += self.therapy(pid, key, first, last, coverages, nurse, site)
            # Some courses have a second (and now and then a third) therapy alongside (SH, SJ).
            add_on = ADD_ON.get(key)
            if add_on and self.chance(0.25):
                a_first = first + dt.timedelta(days=rng.randint(0, 10))
                a_last = min(last, a_first + dt.timedelta(days=rng.randint(7, 30)))
                if a_first <= a_last:
                    service_days += self.therapy(pid, add_on, a_first, a_last, coverages,
                                                 nurse, site)
                    if self.chance(0.3) and add_on != "hydration":
                        service_days += self.therapy(pid, "hydration", a_first, a_last,
                                                     coverages, nurse, site)
        self.care_notes(pid, sorted(set(service_days)))

    def coverage(self, payer: str, start: dt.date, end: dt.date | None,
                 priority: str = "primary") -> dict[str, Any]:
        cov: dict[str, Any] = {"payer": payer,
                               "member_id": f"M{self.rng.randrange(10**8, 10**9)}",
                               "priority": priority, "start_date": start.isoformat()}
        if end:
            cov["end_date"] = end.isoformat()
        if payer in ("bpp", "nwh", "lcc"):
            cov["group_number"] = f"G{self.rng.randrange(1000, 9999)}"
        if payer == "glc":  # workers' compensation: the carrier's claim and the injury date
            # (from the member id, drawing nothing: the rest of the pharmacy stays the same)
            cov["employer_claim_number"] = f"WC-{cov['member_id'][1:7]}"
            cov["injury_date"] = start.isoformat()
        return cov

    # --- one therapy over a period: orders renewed every six months -------------------------

    def therapy(self, pid: str, key: str, first: dt.date, last: dt.date,
                coverages: list[dict[str, Any]], nurse: str, site: str) -> list[dt.date]:
        days: list[dt.date] = []
        start = first
        while start <= last:
            stop = min(self._months_after(start, ORDER_MONTHS) - DAY, last)
            days += self.order(pid, key, start, stop, coverages, nurse, site)
            start = stop + DAY
        return days

    @staticmethod
    def _months_after(day: dt.date, months: int) -> dt.date:
        month = day.month - 1 + months
        return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))

    def order(self, pid: str, key: str, start: dt.date, end: dt.date,
              coverages: list[dict[str, Any]], nurse: str, site: str) -> list[dt.date]:
        th, rng = THERAPIES[key], self.rng
        oid = self.next_id("o")
        discontinued = None
        if self.chance(0.03) and (end - start).days > 20:  # stopped early, one dose charted after
            discontinued = start + dt.timedelta(days=rng.randint(10, (end - start).days - 5))
        self.add("orders", {
            "id": oid, "patient": pid, "prescriber": rng.choice(self.prescribers[th.specialty]),
            "per_diem_code": th.per_diem_code,
            "drug": {k: v for k, v in {
                "name": th.drug_name, "ndc": th.ndc, "hcpcs": th.hcpcs,
                "hcpcs_unit_amount": int(th.unit_amount) if th.unit_amount else None,
                "dose_unit": th.dose_unit, "unit_charge": th.unit_charge}.items()
                if v is not None},
            "dose": th.dose, "route": "IV", "frequency": th.frequency,
            "diagnosis_codes": list(th.diagnoses), "start_date": start.isoformat(),
            "end_date": end.isoformat(), "discontinued_date": self.iso(discontinued),
            "signed_date": None if self.chance(0.01) else self.iso(
                start - dt.timedelta(days=rng.randint(1, 3))),
            "per_diem_rate": th.rate})

        # Doses on schedule; the day after a discontinuation one more is charted (R2).
        doses, day = [], start
        stop = discontinued or end
        while day <= stop:
            doses.append(day)
            day += dt.timedelta(days=th.every)
        if discontinued and discontinued + DAY <= self.end:
            doses.append(discontinued + DAY)

        # Plans of care for 60 days at a time; now and then one renewal is missing (R8).
        plan = start
        while plan <= end:
            plan_end = min(plan + dt.timedelta(days=PLAN_DAYS - 1), end)
            if not self.chance(0.02):
                self.add("plans_of_care", {
                    "id": self.next_id("poc"), "order": oid, "start_date": plan.isoformat(),
                    "end_date": plan_end.isoformat(),
                    "signed_date": (plan - DAY).isoformat(),
                    "summary": f"{th.drug_name}, {th.dose}. RN teaching and line care; labs "
                               f"weekly; coordinator contact every two weeks."})
            plan = plan_end + DAY

        # Preparations and deliveries: per dose for intermittent therapies, weekly batches for
        # daily ones; a beyond-use date falls short (R9) or a delivery goes unlogged (R10).
        if th.every > 1:
            batches = [(d - DAY, d + dt.timedelta(days=3)) for d in doses]
        else:
            batches = []
            for d in doses:
                if not batches or d > batches[-1][1]:
                    batches.append((d, d + dt.timedelta(days=th.batch - 1)))
        for made, use_by in batches:
            if self.chance(0.01):
                use_by -= DAY
            self.add("prep_notes", {
                "id": self.next_id("rx"), "order": oid, "date": made.isoformat(),
                "pharmacist": rng.choice(PHARMACISTS), "compounding": th.compounding,
                "dur": "No interactions found; renal function and allergies reviewed.",
                "lot": f"{th.drug_name[:2].upper()}{rng.randrange(10000, 99999)}",
                "beyond_use_date": use_by.isoformat()})
            if not self.chance(0.01):
                self.add("deliveries", {
                    "id": self.next_id("d"), "order": oid, "date": made.isoformat(),
                    "items": th.items, "method": rng.choice(["pharmacy driver", "courier"]),
                    "received_by": "Patient"})

        # The MAR: now and then a dose is held, refused or missed (R1) and given the next day;
        # some doses are given in the suite (SS); a few entries lack a field (R11).
        given: list[dt.date] = []
        for d in doses:
            if d > self.end:
                continue
            if self.chance(0.02) and d + DAY <= self.end:
                status = rng.choice(["held", "refused", "missed"])
                self.infusion(oid, d, th, status, nurse, site, 0)
                d += DAY
            suite = th.every > 1 and self.chance(0.08)
            for n in range(th.doses_a_day):
                self.infusion(oid, d, th, "completed", nurse, site, n, suite=suite)
            given.append(d)
        self.authorize(pid, th.per_diem_code, start, end, given, coverages)
        return given

    def infusion(self, oid: str, day: dt.date, th: Any, status: str, nurse: str, site: str,
                 n: int, suite: bool = False) -> None:
        rng = self.rng
        begin = dt.datetime.combine(day, dt.time(min(th.hour + 12 * n, 23), rng.randrange(0, 30)))
        finish = (begin + dt.timedelta(minutes=th.minutes)).time()
        entry: dict[str, Any] = {
            "id": self.next_id("mar"), "order": oid, "date": day.isoformat(),
            "start_time": begin.strftime("%H:%M"), "end_time": finish.strftime("%H:%M"),
            "status": status, "setting": "suite" if suite else "home",
            "dose_given": int(th.dose_given),
            "administered_by": "Patient" if th.self_given else nurse, "site": site}
        if status != "completed":
            entry.update(end_time=None, dose_given=None,
                         notes=f"Dose {status}: temp 38.4 C / patient declined / not reached; "
                               "prescriber notified, given the next day.")
        elif self.chance(0.005):
            entry["end_time"] = None
            entry["notes"] = "Pump alarm at the end; end time not charted."
        self.add("infusions", entry)

    def authorize(self, pid: str, code: str, start: dt.date, end: dt.date, days: list[dt.date],
                  coverages: list[dict[str, Any]]) -> None:
        """Authorizations of 90 days for prior-auth payers; some start late (R5) or run short
        (R6)."""
        for cov in coverages:
            if cov["priority"] != "primary" or not self.payer_kind[cov["payer"]][1]:
                continue
            c_start = dt.date.fromisoformat(cov["start_date"])
            c_end = dt.date.fromisoformat(cov["end_date"]) if "end_date" in cov else dt.date.max
            first, last = max(start, c_start), min(end, c_end)
            while first <= last:
                stretch_end = min(first + dt.timedelta(days=AUTH_DAYS - 1), last)
                used = sum(1 for d in days if first <= d <= stretch_end)
                begins = first + dt.timedelta(days=self.rng.randint(1, 4)) if self.chance(
                    0.03) else first
                units = used + (-self.rng.randint(1, 3) if self.chance(0.03)
                                else self.rng.randint(0, 3))
                if begins <= stretch_end and used:
                    self.add("authorizations", {
                        "id": self.next_id("pa"), "patient": pid, "payer": cov["payer"],
                        "number": f"PA{first:%y%m}{self.rng.randrange(10000, 99999)}",
                        "code": code, "start_date": begins.isoformat(),
                        "end_date": stretch_end.isoformat(), "units": min(max(units, 1), 366)})
                first = stretch_end + DAY

    def care_notes(self, pid: str, days: list[dt.date]) -> None:
        """A coordinator contact every 10-18 days while on service; now and then a gap (R12)."""
        if not days:
            return
        day = days[0] - dt.timedelta(days=self.rng.randint(1, 3))
        last_service = days[-1]
        while day <= min(last_service, self.end):
            contact, text = self.rng.choice(CARE_NOTES)
            self.add("care_notes", {"id": self.next_id("cn"), "patient": pid,
                                    "date": day.isoformat(),
                                    "author": self.rng.choice(COORDINATORS),
                                    "contact": contact, "text": text})
            day += dt.timedelta(days=self.rng.randint(10, 18) + (25 if self.chance(0.02) else 0))

    def build(self) -> dict[str, Any]:
        self.reference()
        for _ in range(self.n_patients):
            self.patient()
        return self.doc


def generate(patients: int, years: int, seed: int = 1,
             end: dt.date = dt.date(2026, 11, 30)) -> dict[str, Any]:
    """The interchange document of a generated pharmacy (see the module docstring)."""
    return Generator(patients, years, seed, end).build()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=300)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30),
                    help="last day of the history (default 2026-11-30)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    doc = generate(args.patients, args.years, args.seed, args.end)
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = {k: len(v) for k, v in doc.items() if isinstance(v, list)}
    print(f"{args.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
