"""A small record set for the record-tab GUI tests, built through the services: one patient
on IVIG whose November days have every piece of evidence (R1-R12) but the ones a test adds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine

from models.db import unit_of_work
from models.records import reference, registry
from models.records.tables import (
    AuthorizationBase,
    CareNoteBase,
    CoverageBase,
    DeliveryBase,
    InfusionBase,
    OrderBase,
    PatientBase,
    PayerBase,
    PlanOfCareBase,
    PrepNoteBase,
    PrescriberBase,
)
from tests.support.recorded import create_on_its_day

PATIENT = "p-1001"
ORDER = "o-1"
SERVICE_DAY = dt.date(2026, 11, 20)  # covered by rx-1 (11/18 to 11/22), d-1, poc-1, pa-1, cn-1


def build_records(engine: Engine, actor: str = "setup") -> None:
    with unit_of_work(engine) as s:
        reference.save_payer(s, actor=actor, data=PayerBase(
            id="bcx", name="Blue Prairie PPO", payer_id="BPP01", kind="commercial",
            requires_prior_auth=True))
        reference.save_prescriber(s, actor=actor, data=PrescriberBase(
            id="dr-okafor", first_name="Ngozi", last_name="Okafor", npi="1558412387"))
        reference.save_patient(s, actor=actor, data=PatientBase(
            id=PATIENT, first_name="Maria", last_name="Lindqvist",
            birth_date=dt.date(1961, 4, 18), sex="F", address_line1="18 Willow Ln",
            city="Peoria", state="IL", zip="61604"),
            coverages=[CoverageBase(payer_id="bcx", member_id="XBP448812",
                                    start_date=dt.date(2026, 1, 1))])
        make = create_on_its_day  # R26: each saved on its own date, so none is late
        make(s, actor=actor, kind=registry.ORDER, data=OrderBase(
            id=ORDER, patient_id=PATIENT, prescriber_id="dr-okafor", per_diem_code="S9338",
            drug_name="Gammagard Liquid 10%", drug_ndc="00944270005", drug_hcpcs="J1569",
            drug_hcpcs_unit_amount=Decimal(500), drug_dose_unit="mg",
            drug_unit_charge=Decimal("92.40"), dose="30 g (0.4 g/kg)", route="IV",
            frequency="every 21 days", diagnosis_codes=["D80.1"],
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2027, 3, 31),
            signed_date=dt.date(2026, 9, 28), per_diem_rate=Decimal("150.00")))
        make(s, actor=actor, kind=registry.PLAN_OF_CARE, data=PlanOfCareBase(
            id="poc-1", order_id=ORDER, start_date=dt.date(2026, 10, 1),
            end_date=dt.date(2026, 12, 31), signed_date=dt.date(2026, 9, 30),
            summary="IVIG replacement for CVID; RN visit each infusion."))
        make(s, actor=actor, kind=registry.PREP_NOTE, data=PrepNoteBase(
            id="rx-1", order_id=ORDER, date=dt.date(2026, 11, 18), pharmacist="Ravi Patel",
            compounding="3 x 10 g vials", lot="LE12F101", beyond_use_date=dt.date(2026, 11, 22)))
        make(s, actor=actor, kind=registry.DELIVERY, data=DeliveryBase(
            id="d-1", order_id=ORDER, date=dt.date(2026, 11, 18), method="courier",
            items="IVIG 30 g, tubing, premeds", received_by="Maria Lindqvist"))
        make(s, actor=actor, kind=registry.CARE_NOTE, data=CareNoteBase(
            id="cn-1", patient_id=PATIENT, date=dt.date(2026, 11, 10), author="Jia Lee",
            contact="patient", text="Teaching call: schedule, premeds, reaction signs."))
        reference.save_authorization(s, actor=actor, data=AuthorizationBase(
            id="pa-1", patient_id=PATIENT, payer_id="bcx", number="PA20261001", code="S9338",
            start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31), units=6))
        make(s, actor=actor, kind=registry.INFUSION, data=InfusionBase(
            id="mar-1", order_id=ORDER, date=dt.date(2026, 11, 19), status="completed",
            start_time=dt.time(9, 10), end_time=dt.time(13, 5), dose_given=Decimal(28000),
            administered_by="Kate Moss RN", site="left forearm"))
