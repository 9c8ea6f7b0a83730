"""Hypothesis strategies for small random pharmacies held in memory as a rules.BillingData."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from models.billing.rules import BillingData
from models.records.tables import (
    AuthorizationRead,
    CareNoteRead,
    CoverageRead,
    DeliveryRead,
    InfusionRead,
    OrderRead,
    PatientRead,
    PayerRead,
    PlanOfCareRead,
    PrepNoteRead,
    PrescriberRead,
)
from models.vocab import INFUSION_STATUSES

# Forty-odd days across three calendar months: enough for R12's 30-day window, claims split by
# month (R19) and authorizations that start or end inside the period.
FIRST = dt.date(2026, 9, 25)
SPAN = 42
LAST = FIRST + dt.timedelta(days=SPAN)
CODES = ("S9338", "S9500", "G0069")  # G0069 is no S-code: Medicare may bill it (R4)
PAYER_KINDS = ("commercial", "medicaid", "medicare", "other")
PRESCRIBERS = {"dr": PrescriberRead(id="dr", first_name="Ngozi", last_name="Okafor",
                                    npi="1558412387")}


def days(before: int = 0, after: int = 0) -> st.SearchStrategy[dt.date]:
    """A date of the period, or up to `before` days earlier / `after` days later."""
    return st.integers(-before, SPAN + after).map(lambda n: FIRST + dt.timedelta(days=n))


def spans(before: int = 0) -> st.SearchStrategy[tuple[dt.date, dt.date]]:
    """(start, end) with start <= end."""
    return st.tuples(days(before), days(before)).map(lambda p: (min(p), max(p)))


# Strategies are built once here: drawing from a new strategy object each time costs its
# validation every time, which made generation ten times slower than the rules themselves.
DAY, DAY_10, DAY_35 = days(), days(before=10), days(before=35)
SPAN_5, SPAN_10 = spans(before=5), spans(before=10)
BOOL = st.booleans()
KIND = st.sampled_from(PAYER_KINDS)
MODIFIERS = st.lists(st.sampled_from(["U1", "U2", "SS", "KX", "SH"]), max_size=3, unique=True)
PRIORITY = st.sampled_from(["primary", "primary", "secondary"])
CODE = st.sampled_from(CODES)
UNIT_AMOUNT = st.sampled_from([None, Decimal(500), Decimal(1)])
NDC = st.sampled_from([None, "00944270005"])
HCPCS = st.sampled_from([None, "J1569"])
DOSE_UNIT = st.sampled_from([None, "mg", "mcg", "ml"])
UNIT_CHARGE = st.sampled_from([None, Decimal("92.40"), Decimal("0.01")])
DIAGNOSES = st.lists(st.sampled_from(["D80.1", "E11.9", "B20"]), min_size=1, max_size=3,
                     unique=True)
RATE = st.sampled_from([None, Decimal("150.00"), Decimal("87.50"), Decimal("150.00")])
MISSING = st.sampled_from(["start_time", "end_time", "dose_given", "administered_by"])
DOSE = st.sampled_from([Decimal(0), Decimal(250), Decimal(30000)])
NURSE = st.sampled_from(["K. Moss RN", " K. Moss "])
BLANK = st.sampled_from([None, "  "])
STATUS = st.sampled_from(INFUSION_STATUSES + ("completed",) * 8)  # most doses are given
SETTING = st.sampled_from(["home", "home", "suite"])
BUD_DAYS = st.integers(0, 20)
DAYS_BACK = st.integers(0, 10)
UNITS = st.integers(0, 12)  # fewer than the days, at times: R6
COUNTS = {n: st.integers(0, n) for n in (1, 2, 3, 6)}


def usually(draw) -> bool:
    """True seven times in eight: most records are in order, so days can be billed and a
    property about billable days has some to look at (a day needs a dozen things in order)."""
    return draw(BOOL) or draw(BOOL) or draw(BOOL)


def payer(draw, i: int) -> PayerRead:
    return PayerRead(id=f"pay{i}", name=f"Payer {i}", payer_id=f"PAY{i}", kind=draw(KIND),
                     requires_prior_auth=draw(BOOL), per_diem_modifiers=draw(MODIFIERS))


def coverage(draw, payer_ids: list[str], whole: bool = False) -> CoverageRead:
    """A coverage of some days, or (`whole`) a primary one for the whole period."""
    start, end = (FIRST - dt.timedelta(days=10), None) if whole else draw(SPAN_10)
    return CoverageRead(payer_id=payer_ids[draw(st.integers(0, len(payer_ids) - 1))],
                        member_id=f"M{start:%d}",
                        priority="primary" if whole else draw(PRIORITY), start_date=start,
                        end_date=end if draw(BOOL) else None)


def order(draw, oid: str, patient_id: str) -> OrderRead:
    start, end = draw(SPAN_5)
    if usually(draw):  # in force over the whole period
        start, end = FIRST - dt.timedelta(days=5), LAST
    return OrderRead(
        id=oid, patient_id=patient_id, prescriber_id="dr", per_diem_code=draw(CODE),
        drug_name="Gammagard", drug_ndc=draw(NDC), drug_hcpcs=draw(HCPCS),
        drug_hcpcs_unit_amount=draw(UNIT_AMOUNT), drug_dose_unit=draw(DOSE_UNIT),
        drug_unit_charge=draw(UNIT_CHARGE), diagnosis_codes=draw(DIAGNOSES),
        start_date=start, end_date=end if draw(BOOL) else None,
        discontinued_date=None if usually(draw) else draw(DAY),
        signed_date=start if usually(draw) else None,
        per_diem_rate=draw(RATE))


def infusion(draw, iid: str, order_id: str) -> InfusionRead:
    values = dict(start_time=dt.time(9), end_time=dt.time(11), dose_given=draw(DOSE),
                  administered_by=draw(NURSE))
    if not usually(draw):  # one in four misses a field R11 asks for
        missing = draw(MISSING)
        values[missing] = draw(BLANK) if missing == "administered_by" else None
    return InfusionRead(id=iid, order_id=order_id, date=draw(DAY), status=draw(STATUS),
                        setting=draw(SETTING), **values)


def plan(draw, pid: str, order_id: str) -> PlanOfCareRead:
    start, end = draw(SPAN_10)
    return PlanOfCareRead(id=pid, order_id=order_id, start_date=start, end_date=end)


def prep_note(draw, pid: str, order_id: str) -> PrepNoteRead:
    date = draw(DAY_10)
    return PrepNoteRead(id=pid, order_id=order_id, date=date, pharmacist="R. Patel",
                        beyond_use_date=date + dt.timedelta(days=draw(BUD_DAYS)))


def delivery(draw, did: str, order_id: str) -> DeliveryRead:
    return DeliveryRead(id=did, order_id=order_id, date=draw(DAY_10))


def care_note(draw, cid: str, patient_id: str) -> CareNoteRead:
    return CareNoteRead(id=cid, patient_id=patient_id, date=draw(DAY_35), author="J",
                        text="call")


def authorization(draw, aid: str, patient_id: str, payer_ids: list[str]) -> AuthorizationRead:
    start, end = draw(SPAN_10)
    return AuthorizationRead(id=aid, patient_id=patient_id,
                             payer_id=payer_ids[draw(st.integers(0, len(payer_ids) - 1))],
                             number=aid.upper(), code=draw(CODE), start_date=start,
                             end_date=end, units=draw(UNITS))


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@st.composite
def pharmacies(draw, max_patients: int = 2) -> BillingData:
    """Payers with and without prior authorization, patients with overlapping coverages,
    one to three orders each, and random infusions, plans of care, preparation notes,
    deliveries, care notes and authorizations (with few units, so R6 happens)."""
    payer_list = [payer(draw, i) for i in range(draw(st.integers(1, 3)))]
    payer_ids = [p.id for p in payer_list]
    data = BillingData(payers={p.id: p for p in payer_list}, patients={}, orders=[],
                       infusions=[])
    for p in _ids("p", draw(st.integers(1, max_patients))):
        covs = [coverage(draw, payer_ids) for _ in range(draw(COUNTS[1]))]
        billed = payer_ids[0]
        if usually(draw):
            whole = coverage(draw, payer_ids, whole=True)
            covs.insert(draw(st.integers(0, len(covs))), whole)
            billed = whole.payer_id
        data.patients[p] = PatientRead(
            id=p, first_name="Maria", last_name=f"L{p}", birth_date=dt.date(1961, 4, 18),
            sex="F", address_line1="1 Main", city="Peoria", state="IL", zip="61604",
            coverages=covs)
        data.care_notes += [care_note(draw, f"{p}-cn{i}", p) for i in range(draw(COUNTS[3]))]
        if usually(draw):  # a care note every four weeks (R12)
            data.care_notes += [CareNoteRead(id=f"{p}-cn{day}", patient_id=p, author="J",
                                             text="call", date=FIRST + dt.timedelta(days=day))
                                for day in (-1, 27)]
        data.authorizations += [authorization(draw, f"{p}-pa{i}", p, payer_ids)
                                for i in range(draw(COUNTS[3]))]
        for o in _ids(f"{p}-o", draw(st.integers(1, 3))):
            data.orders.append(new := order(draw, o, p))
            data.infusions += [infusion(draw, f"{o}-m{i}", o) for i in range(draw(COUNTS[6]))]
            data.plans_of_care += [plan(draw, f"{o}-poc{i}", o) for i in range(draw(COUNTS[2]))]
            data.prep_notes += [prep_note(draw, f"{o}-rx{i}", o)
                                for i in range(draw(COUNTS[2]))]
            data.deliveries += [delivery(draw, f"{o}-d{i}", o) for i in range(draw(COUNTS[2]))]
            if usually(draw):  # a plan, a batch and its delivery for the whole period
                data.plans_of_care.append(PlanOfCareRead(
                    id=f"{o}-poc", order_id=o, start_date=FIRST - dt.timedelta(days=10),
                    end_date=LAST))
                data.prep_notes.append(PrepNoteRead(
                    id=f"{o}-rx", order_id=o, date=FIRST - dt.timedelta(days=5),
                    pharmacist="R. Patel", beyond_use_date=LAST))
                data.deliveries.append(DeliveryRead(id=f"{o}-d", order_id=o,
                                                    date=FIRST - dt.timedelta(days=4)))
            if data.payers[billed].requires_prior_auth and usually(draw):
                data.authorizations.append(AuthorizationRead(
                    id=f"{o}-pa", patient_id=p, payer_id=billed, number=f"PA{o}".upper(),
                    code=new.per_diem_code, start_date=FIRST - dt.timedelta(days=draw(DAYS_BACK)),
                    end_date=LAST, units=draw(UNITS)))
    return data


def windows() -> st.SearchStrategy[tuple[dt.date | None, dt.date | None]]:
    """A period to evaluate: open at either end, one day, or any span of the dates."""
    return st.one_of(st.just((None, None)), spans(),
                     st.tuples(st.none(), days()), st.tuples(days(), st.none()))
