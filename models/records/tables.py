"""SQLModel tables and their read objects: the pharmacy's reference data and clinical records.

One module over 400 lines on purpose: it is the database schema, read as one (the migrations
and the registry of record kinds, models/records/registry.py, name its classes).

Every record keeps the id it has in the interchange file (`id`), so exports, reports and
claims name records the way the pharmacy does. Clinical records (orders, plans of care,
preparation notes, deliveries, infusion entries, care notes, nursing visits) carry version
metadata: the row holds the current version and `RecordVersion` keeps every version ever saved
(models/records/history.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary, String, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.records.components import Component, ComponentList
from models.records.types import Exact, Timestamp
from models.vocab import ADMINISTERED


class DecimalText(TypeDecorator):
    """Exact decimals stored as text: the type migrations 0001-0008 created (varchar(32));
    the tables use `types.Exact` since 0012 (numeric on PostgreSQL, the same text on SQLite)."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def _id(**kw: Any) -> Any:
    return Field(primary_key=True, max_length=64, **kw)


# --- pharmacy -------------------------------------------------------------------------------


class PharmacyBase(SQLModel):
    name: str = Field(max_length=60)
    npi: str = Field(max_length=10)
    tax_id: str = Field(max_length=9)
    taxonomy: str | None = Field(default=None, max_length=10)
    address_line1: str = Field(max_length=55)
    address_line2: str | None = Field(default=None, max_length=55)
    city: str = Field(max_length=30)
    state: str = Field(max_length=2)
    zip: str = Field(max_length=9)
    phone: str | None = Field(default=None, max_length=10)
    # Clearinghouse settings for 837P drafts (all optional so an older database upgrades; until
    # they are set, the submitter is the pharmacy's NPI and the receiver the payer's id).
    submitter_id: str | None = Field(default=None, max_length=15)
    submitter_id_qualifier: str | None = Field(default=None, max_length=2)  # ISA05, ZZ when unset
    submitter_name: str | None = Field(default=None, max_length=60)
    submitter_contact_name: str | None = Field(default=None, max_length=60)
    submitter_contact_phone: str | None = Field(default=None, max_length=10)
    receiver_id: str | None = Field(default=None, max_length=15)
    receiver_id_qualifier: str | None = Field(default=None, max_length=2)  # ISA07, ZZ when unset
    receiver_name: str | None = Field(default=None, max_length=60)
    usage_indicator: str | None = Field(default=None, max_length=1)  # ISA15: T (test) | P
    # R26: days after its own date a record may be first saved before it is a late entry
    late_entry_days: int = 1
    # R27: before-claim (an order signed at any time counts) | before-service
    order_signature: str = Field(default="before-claim", max_length=20)
    # the pharmacy's own price list (usual and customary charge per HCPCS code), used when
    # neither the payer (R32) nor the order sets a price: [{"code": "S9338", "charge": "..."}]
    prices: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)


class Pharmacy(PharmacyBase, table=True):
    """The one row of the pharmacy's own settings (id is always 1)."""

    id: int | None = Field(default=None, primary_key=True)
    # The last ISA13/GS06 used (the next is one more); kept out of PharmacyBase so saving the
    # settings form can never set it back. Only models.claims.batches moves it.
    last_control_number: int | None = None


class PharmacyRead(PharmacyBase):
    id: int


# --- payers, prescribers, patients ----------------------------------------------------------


class PayerBase(SQLModel):
    id: str = _id()
    name: str = Field(max_length=60)
    payer_id: str = Field(max_length=80)
    kind: str = Field(max_length=20)  # one of vocab.PAYER_KINDS
    # SBR09 (R33); None: the kind's default (vocab.DEFAULT_FILING_INDICATOR)
    claim_filing_indicator: str | None = Field(default=None, max_length=2)
    requires_prior_auth: bool = False
    per_diem_modifiers: list[str] = Field(default_factory=list, sa_type=JSON)
    # the payer's contract (R29-R32; models/billing/contracts.py); the defaults keep Part 1
    per_diem_basis: str = Field(default="infusion-days", max_length=20)  # | access-days
    suite_place_of_service: str = Field(default="12", max_length=2)  # | 49
    line_layout: str = Field(default="runs", max_length=10)  # | month
    # R32: [{"code": "S9338", "rate": "150.00", "expected": "120.00"}] (expected optional)
    rates: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    address_line1: str | None = Field(default=None, max_length=55)
    address_line2: str | None = Field(default=None, max_length=55)
    city: str | None = Field(default=None, max_length=30)
    state: str | None = Field(default=None, max_length=2)
    zip: str | None = Field(default=None, max_length=9)


class Payer(PayerBase, table=True):
    pass


class PayerRead(PayerBase):
    pass


class PrescriberBase(SQLModel):
    id: str = _id()
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    npi: str = Field(max_length=10)
    phone: str | None = Field(default=None, max_length=10)

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Prescriber(PrescriberBase, table=True):
    pass


class PrescriberRead(PrescriberBase):
    pass


class PatientBase(SQLModel):
    id: str = _id()
    first_name: str = Field(max_length=60)
    last_name: str = Field(max_length=60)
    birth_date: dt.date
    sex: str = Field(max_length=1)  # one of vocab.SEXES
    address_line1: str = Field(max_length=55)
    address_line2: str | None = Field(default=None, max_length=55)
    city: str = Field(max_length=30)
    state: str = Field(max_length=2)
    zip: str = Field(max_length=9)
    phone: str | None = Field(default=None, max_length=10)

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Patient(PatientBase, table=True):
    pass


class CoverageBase(SQLModel):
    payer_id: str = Field(foreign_key="payer.id", index=True, max_length=64)
    member_id: str = Field(max_length=80)
    group_number: str | None = Field(default=None, max_length=50)
    priority: str = Field(default="primary", max_length=10)  # one of vocab.PRIORITIES
    start_date: dt.date
    end_date: dt.date | None = None
    relationship: str = Field(default="self", max_length=10)  # one of vocab.RELATIONSHIPS
    subscriber_first_name: str | None = Field(default=None, max_length=60)
    subscriber_last_name: str | None = Field(default=None, max_length=60)
    subscriber_birth_date: dt.date | None = None
    subscriber_sex: str | None = Field(default=None, max_length=1)
    # a workers' compensation coverage: the employer's (carrier's) claim number and the injury
    employer_claim_number: str | None = Field(default=None, max_length=50)  # REF*Y4
    injury_date: dt.date | None = None  # DTP*439, box 14

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Coverage(CoverageBase, table=True):
    """A patient's insurance coverage; `position` keeps the order they were entered in."""

    pk: int | None = Field(default=None, primary_key=True)
    patient_id: str = Field(foreign_key="patient.id", index=True, max_length=64)
    position: int = 0


class CoverageRead(CoverageBase):
    pass


class PatientRead(PatientBase):
    coverages: list[CoverageRead] = Field(default_factory=list)


# --- clinical records (versioned) -----------------------------------------------------------


class ClinicalMeta(SQLModel):
    """Who saved the current version of a clinical record, when and why, and whether it is void."""

    version: int = 1
    recorded_by: str = Field(default="", max_length=60)
    recorded_at: dt.datetime | None = Field(default=None, sa_type=Timestamp)
    change_reason: str | None = Field(default=None, max_length=4000)
    # no index of its own: nearly every row is not void, so SQLite would pick it over a useful
    # one; the tables' composite indexes (owner, voided, date) carry it instead
    voided: bool = False
    void_reason: str | None = Field(default=None, max_length=4000)
    # R26: the record's FIRST save (the interchange's recorded_at / recorded_by); recorded_at
    # and recorded_by above are the current version's. None: unknown (an imported record
    # without them is taken as recorded on its own date, so never late).
    first_recorded_at: dt.datetime | None = Field(default=None, sa_type=Timestamp)
    first_recorded_by: str | None = Field(default=None, max_length=60)
    # an imported record: the file it came from and when it was imported
    imported_from: str | None = Field(default=None, max_length=260)
    imported_at: dt.datetime | None = Field(default=None, sa_type=Timestamp)


class OrderBase(SQLModel):
    id: str = _id()
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    prescriber_id: str = Field(foreign_key="prescriber.id", index=True, max_length=64)
    per_diem_code: str = Field(max_length=5)
    drug_name: str = Field(max_length=80)
    drug_ndc: str | None = Field(default=None, max_length=11)
    drug_hcpcs: str | None = Field(default=None, max_length=5)
    drug_hcpcs_unit_amount: Decimal | None = Field(default=None, sa_type=Exact)
    drug_dose_unit: str | None = Field(default=None, max_length=10)
    drug_unit_charge: Decimal | None = Field(default=None, sa_type=Exact)
    # the NDC's billing unit (vocab.NDC_BILLING_UNITS) and how much drug, in the dose unit, one
    # billing unit holds (Gammagard 10%: 100 mg a ML); single-dose vials take JW/JZ
    drug_billing_unit: str | None = Field(default=None, max_length=2)
    drug_package_quantity: Decimal | None = Field(default=None, sa_type=Exact)
    drug_single_dose: bool = False
    dose: str | None = Field(default=None, max_length=80)
    route: str | None = Field(default=None, max_length=10)
    frequency: str | None = Field(default=None, max_length=80)
    diagnosis_codes: list[str] = Field(default_factory=list, sa_type=JSON)
    start_date: dt.date
    end_date: dt.date | None = None
    discontinued_date: dt.date | None = None
    signed_date: dt.date | None = None
    per_diem_rate: Decimal | None = Field(default=None, sa_type=Exact)
    # R29: days between doses (1 q24h, 2 q48h, 3 q72h ...); None: not given
    dosing_interval_days: int | None = None
    notes: str | None = Field(default=None, max_length=4000)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26
    # a compound order's components besides its drug (models/records/components.py, 0015)
    components: list[Component] = Field(default_factory=list, sa_type=ComponentList)

    def active_on(self, day: dt.date) -> bool:
        """R2: the order is in force on `day`."""
        if day < self.start_date:
            return False
        if self.end_date is not None and day > self.end_date:
            return False
        return not (self.discontinued_date is not None and day > self.discontinued_date)


class Order(OrderBase, ClinicalMeta, table=True):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_patient_id_voided", "patient_id", "voided"),)


class OrderRead(OrderBase, ClinicalMeta):
    pass


class PlanOfCareBase(SQLModel):
    id: str = _id()
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    start_date: dt.date
    end_date: dt.date
    signed_date: dt.date | None = None
    summary: str | None = Field(default=None, max_length=4000)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26


class PlanOfCare(PlanOfCareBase, ClinicalMeta, table=True):
    __tablename__ = "plan_of_care"
    __table_args__ = (Index("ix_plan_of_care_order_id_voided_start_date", "order_id", "voided",
                            "start_date"),)


class PlanOfCareRead(PlanOfCareBase, ClinicalMeta):
    pass


class PrepNoteBase(SQLModel):
    id: str = _id()
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    date: dt.date
    pharmacist: str = Field(max_length=60)
    compounding: str | None = Field(default=None, max_length=4000)
    dur: str | None = Field(default=None, max_length=4000)
    lot: str | None = Field(default=None, max_length=40)
    beyond_use_date: dt.date
    # R28: the beyond-use hour on beyond_use_date (USP 797 date and time); None: the whole day
    beyond_use_time: dt.time | None = None
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26


class PrepNote(PrepNoteBase, ClinicalMeta, table=True):
    __tablename__ = "prep_note"
    __table_args__ = (Index("ix_prep_note_order_id_voided_date", "order_id", "voided", "date"),)


class PrepNoteRead(PrepNoteBase, ClinicalMeta):
    pass


class DeliveryBase(SQLModel):
    id: str = _id()
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    date: dt.date
    items: str | None = Field(default=None, max_length=4000)
    method: str | None = Field(default=None, max_length=20)
    received_by: str | None = Field(default=None, max_length=60)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26


class Delivery(DeliveryBase, ClinicalMeta, table=True):
    __table_args__ = (Index("ix_delivery_order_id_voided_date", "order_id", "voided", "date"),)


class DeliveryRead(DeliveryBase, ClinicalMeta):
    pass


class InfusionBase(SQLModel):
    id: str = _id()
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    status: str = Field(max_length=10)
    setting: str = Field(default="home", max_length=10)
    dose_given: Decimal | None = Field(default=None, sa_type=Exact)
    wasted: Decimal | None = Field(default=None, sa_type=Exact)  # discarded, in dose unit
    administered_by: str | None = Field(default=None, max_length=60)
    site: str | None = Field(default=None, max_length=60)
    reaction: str | None = Field(default=None, max_length=4000)
    notes: str | None = Field(default=None, max_length=4000)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26
    # R28: the lot given from, a preparation note of the same order (id); None: not named
    prep_note: str | None = Field(default=None, max_length=64)

    @property
    def administered(self) -> bool:
        return self.status in ADMINISTERED


class Infusion(InfusionBase, ClinicalMeta, table=True):
    __table_args__ = (
        Index("ix_infusion_order_id_voided_date", "order_id", "voided", "date"),
        # covers the pharmacy's service days of a period without reading the rows
        Index("ix_infusion_date_voided_order_id", "date", "voided", "order_id"),
    )


class InfusionRead(InfusionBase, ClinicalMeta):
    pass


class CareNoteBase(SQLModel):
    id: str = _id()
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    date: dt.date
    author: str = Field(max_length=60)
    contact: str | None = Field(default=None, max_length=20)
    text: str = Field(max_length=4000)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26


class CareNote(CareNoteBase, ClinicalMeta, table=True):
    __tablename__ = "care_note"
    __table_args__ = (Index("ix_care_note_patient_id_voided_date", "patient_id", "voided",
                            "date"),)


class CareNoteRead(CareNoteBase, ClinicalMeta):
    pass


class NursingVisitBase(SQLModel):
    """A nurse's visit to the patient's home for an order's therapy (R34: 99601, 99602).
    Start, end, nurse and note may be left for later (the visit is then on hold,
    `incomplete-visit`); an end before the start is the next morning (an overnight visit)."""

    id: str = _id()
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    nurse: str | None = Field(default=None, max_length=60)
    visit_type: str = Field(default="routine", max_length=10)  # one of vocab.VISIT_TYPES
    note: str | None = Field(default=None, max_length=4000)
    # the MAR entries (infusion ids, of the same order) given during the visit
    infusions: list[str] = Field(default_factory=list, sa_type=JSON)
    late_entry_reason: str | None = Field(default=None, max_length=4000)  # R26


class NursingVisit(NursingVisitBase, ClinicalMeta, table=True):
    __tablename__ = "nursing_visit"
    __table_args__ = (Index("ix_nursing_visit_patient_id_voided_date", "patient_id", "voided",
                            "date"),)


class NursingVisitRead(NursingVisitBase, ClinicalMeta):
    pass


# --- authorizations -------------------------------------------------------------------------


class AuthorizationBase(SQLModel):
    id: str = _id()
    patient_id: str = Field(foreign_key="patient.id", max_length=64)
    payer_id: str = Field(foreign_key="payer.id", index=True, max_length=64)
    number: str = Field(max_length=50)
    code: str = Field(max_length=5)
    start_date: dt.date
    end_date: dt.date
    units: int

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class Authorization(AuthorizationBase, table=True):
    # R13 chains: the authorizations of one patient, payer and code, by date
    __table_args__ = (Index("ix_authorization_patient_id_payer_id_code_start_date", "patient_id",
                            "payer_id", "code", "start_date"),)


class AuthorizationRead(AuthorizationBase):
    pass


# --- history --------------------------------------------------------------------------------


class RecordVersion(SQLModel, table=True):
    """Every saved version of a clinical record, append-only: the audit trail."""

    __tablename__ = "record_version"
    __table_args__ = (UniqueConstraint("kind", "record_id", "version"),)

    pk: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, index=True)
    record_id: str = Field(max_length=64, index=True)
    version: int
    action: str = Field(max_length=10)  # created | edited | voided
    data: dict = Field(default_factory=dict, sa_type=JSON)
    recorded_by: str = Field(max_length=60)
    recorded_at: dt.datetime = Field(sa_type=Timestamp)
    reason: str | None = Field(default=None, max_length=4000)


class RecordVersionRead(SQLModel):
    kind: str
    record_id: str
    version: int
    action: str
    data: dict
    recorded_by: str
    recorded_at: dt.datetime
    reason: str | None = None


# --- claims (issue 5: claim drafts) ---------------------------------------------------------


class ClaimBatch(SQLModel, table=True):
    """One export of claim drafts: who made it, when, in which format, for which period."""

    __tablename__ = "claim_batch"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(sa_type=Timestamp)
    created_by: str = Field(max_length=60)
    format: str = Field(max_length=10)  # 837p | cms1500 | csv
    period_start: dt.date
    period_end: dt.date
    file_name: str = Field(max_length=260)
    control_number: int | None = None  # ISA13 of an 837P batch
    # pending: recorded, its files not yet all written; completed: files in place
    # (models/claims/batch_files.py settles a pending batch a crash left behind)
    status: str = Field(default="completed", max_length=10,
                        sa_column_kwargs={"server_default": "completed"})
    files: str | None = None  # JSON: [{"path", "sha256"}] of the files the batch writes


class Claim(SQLModel, table=True):
    """A claim written in a batch; a replacement (frequency 7) names the claim it replaces."""

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="claim_batch.id", index=True)
    patient_account_number: str = Field(max_length=38, index=True)
    patient_id: str = Field(foreign_key="patient.id", index=True, max_length=64)
    payer_id: str = Field(foreign_key="payer.id", index=True, max_length=64)
    month: dt.date  # first day of the claim's calendar month (R19)
    frequency_code: str = Field(default="1", max_length=1)  # 1 original | 7 replacement | 8 void
    original_reference: str | None = Field(default=None, max_length=50)
    replaces_claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    total_charge: Decimal = Field(sa_type=Exact)
    file_name: str | None = Field(default=None, max_length=260)  # the file that carries it
    # the payer's own claim number (ICN/DCN), which a replacement names in REF*F8 / box 22
    payer_claim_number: str | None = Field(default=None, max_length=50)
    # what was sent (models.claims.copies): the draft and the batch context as JSON, so the claim
    # can be written again, in any format, as an exact copy; None for claims before 0008
    snapshot: dict | None = Field(default=None, sa_type=JSON)


class ClaimDay(SQLModel, table=True):
    """A service day (order, date) a claim bills; the newest claim holding a day is its claim.

    `in_force`: the claim bills the day now (not replaced, not a void): the database refuses a
    second such row for one day (a partial unique index, both engines), so a day is never
    claimed twice, even by two desks at once (models/claims/batches.py keeps it)."""

    __tablename__ = "claim_day"
    __table_args__ = (
        Index("ix_claim_day_order_id_date", "order_id", "date"),
        Index("ux_claim_day_in_force", "order_id", "date", unique=True,
              sqlite_where=text("in_force"), postgresql_where=text("in_force")),
    )

    pk: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    order_id: str = Field(foreign_key="orders.id", max_length=64)
    date: dt.date = Field(index=True)
    in_force: bool = True


class ClaimVisit(SQLModel, table=True):
    """A nursing visit a claim bills (R34); like ClaimDay, the newest claim in force holds it."""

    __tablename__ = "claim_visit"

    pk: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    visit_id: str = Field(foreign_key="nursing_visit.id", index=True, max_length=64)


# --- attachments (documentation packets) -------------------------------------------------------
# Scanned documents (a signed order, a delivery ticket...) kept in the database itself so a
# backup of the database file is a backup of the evidence; the SHA-256 taken when the file was
# added shows whether the stored bytes were changed since.

class AttachmentBase(SQLModel):
    patient_id: str = Field(foreign_key="patient.id", index=True, max_length=64)
    record_kind: str = Field(default="patient", max_length=20)  # a kind taking attachments
    record_id: str = Field(max_length=64)  # the patient, order, plan of care or delivery id
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64)
    description: str | None = Field(default=None, max_length=400)
    added_by: str = Field(max_length=60)
    added_at: dt.datetime = Field(sa_type=Timestamp)
    voided: bool = Field(default=False, index=True)
    void_reason: str | None = Field(default=None, max_length=4000)
    voided_by: str | None = Field(default=None, max_length=60)
    voided_at: dt.datetime | None = Field(default=None, sa_type=Timestamp)


class Attachment(AttachmentBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    content: bytes = Field(sa_type=LargeBinary)


class AttachmentRead(AttachmentBase):
    id: int


# --- staff accounts and the audit trail (issue 12): models/security/tables.py ---------------
from models.security.tables import AuditEvent, StaffAccount  # noqa: E402,F401
