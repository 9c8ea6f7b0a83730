"""The record kinds: one typed description of each that services, checks, history, attachments,
the interchange file and the GUI's forms read, so a new kind is declared here once.

A kind is generic in its base model (what a form or a file gives) and its read model (what the
services return): `create_record(..., kind=ORDER, data=OrderBase(...))` is known to return an
`OrderRead`. Clinical kinds (`ClinicalKind`) are versioned and voided, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from sqlmodel import SQLModel

from models.billing.rules import REASONS
from models.records.tables import (
    Authorization,
    AuthorizationBase,
    AuthorizationRead,
    CareNote,
    CareNoteBase,
    CareNoteRead,
    Delivery,
    DeliveryBase,
    DeliveryRead,
    Infusion,
    InfusionBase,
    InfusionRead,
    NursingVisit,
    NursingVisitBase,
    NursingVisitRead,
    Order,
    OrderBase,
    OrderRead,
    Patient,
    PatientBase,
    PatientRead,
    Payer,
    PayerBase,
    PayerRead,
    PlanOfCare,
    PlanOfCareBase,
    PlanOfCareRead,
    PrepNote,
    PrepNoteBase,
    PrepNoteRead,
    Prescriber,
    PrescriberBase,
    PrescriberRead,
)

B = TypeVar("B", bound=SQLModel)  # the base model: the fields a form or a file gives
R = TypeVar("R", bound=SQLModel)  # the read model the services return


@dataclass(frozen=True)
class DatePair:
    """Two dates of a record that must come in order (the end may not precede the start)."""

    start: str
    end: str
    start_words: str  # how the interchange file's problems name the start


@dataclass(frozen=True, eq=False, repr=False)
class RecordKind(Generic[B, R]):
    """One kind of record: how it is stored, named, numbered, owned, listed and checked."""

    key: str  # its name in history rows, change notices, attachments and the file's $defs
    label: str  # in a sentence: "no plan of care with id ..."
    table: type[SQLModel]
    base: type[B]
    read: type[R]
    collection: str  # the interchange file's list of it
    id_prefix: str  # ids made in the app: `o-12`
    # the records it names by id, each in the field `<key>_id` (the file's field `<key>`);
    # the first one is its owner when that is the patient or an order
    refs: tuple[RecordKind[Any, Any], ...] = ()
    listing_date: str | None = None  # the date its lists are sorted by
    attachments: bool = False  # scanned documents can be attached to it
    date_pairs: tuple[DatePair, ...] = ()
    # R24: dates that may not lie after today (what has not happened cannot be on record)
    no_future: tuple[str, ...] = ()
    versioned: ClassVar[bool] = False

    def __repr__(self) -> str:
        return f"<record kind {self.key}>"

    @property
    def owner(self) -> RecordKind[Any, Any] | None:
        """The patient or the order it belongs to (a patient owns itself: None)."""
        owner = self.refs[0] if self.refs else None
        return owner if owner is not None and owner.key in ("patient", "order") else None

    @property
    def fixes(self) -> tuple[str, ...]:
        """The billing reasons (rules.REASONS) fixed by editing or adding one."""
        return tuple(code for code, reason in REASONS.items() if reason.fixed_in == self.key)


@dataclass(frozen=True, eq=False, repr=False)
class ClinicalKind(RecordKind[B, R]):
    """A clinical record: every save is a new version, a removal is a void with a reason."""

    versioned: ClassVar[bool] = True


PAYER = RecordKind[PayerBase, PayerRead](
    "payer", "payer", Payer, PayerBase, PayerRead, "payers", "payer")
PRESCRIBER = RecordKind[PrescriberBase, PrescriberRead](
    "prescriber", "prescriber", Prescriber, PrescriberBase, PrescriberRead, "prescribers", "dr")
PATIENT = RecordKind[PatientBase, PatientRead](
    "patient", "patient", Patient, PatientBase, PatientRead, "patients", "p", attachments=True)
ORDER = ClinicalKind[OrderBase, OrderRead](
    "order", "order", Order, OrderBase, OrderRead, "orders", "o", refs=(PATIENT, PRESCRIBER),
    listing_date="start_date", attachments=True,
    date_pairs=(DatePair("start_date", "end_date", "start date"),
                DatePair("start_date", "discontinued_date", "start date")),
    no_future=("signed_date",))
PLAN_OF_CARE = ClinicalKind[PlanOfCareBase, PlanOfCareRead](
    "plan_of_care", "plan of care", PlanOfCare, PlanOfCareBase, PlanOfCareRead, "plans_of_care",
    "poc", refs=(ORDER,), listing_date="start_date", attachments=True,
    date_pairs=(DatePair("start_date", "end_date", "start date"),), no_future=("signed_date",))
AUTHORIZATION = RecordKind[AuthorizationBase, AuthorizationRead](
    "authorization", "authorization", Authorization, AuthorizationBase, AuthorizationRead,
    "authorizations", "pa", refs=(PATIENT, PAYER), listing_date="start_date",
    date_pairs=(DatePair("start_date", "end_date", "start date"),))
PREP_NOTE = ClinicalKind[PrepNoteBase, PrepNoteRead](
    "prep_note", "preparation note", PrepNote, PrepNoteBase, PrepNoteRead, "prep_notes", "rx",
    refs=(ORDER,), listing_date="date",
    date_pairs=(DatePair("date", "beyond_use_date", "preparation date"),), no_future=("date",))
DELIVERY = ClinicalKind[DeliveryBase, DeliveryRead](
    "delivery", "delivery", Delivery, DeliveryBase, DeliveryRead, "deliveries", "d",
    refs=(ORDER,), listing_date="date", attachments=True, no_future=("date",))
INFUSION = ClinicalKind[InfusionBase, InfusionRead](
    "infusion", "infusion entry", Infusion, InfusionBase, InfusionRead, "infusions", "mar",
    refs=(ORDER,), listing_date="date", no_future=("date",))
CARE_NOTE = ClinicalKind[CareNoteBase, CareNoteRead](
    "care_note", "care coordination note", CareNote, CareNoteBase, CareNoteRead, "care_notes",
    "cn", refs=(PATIENT,), listing_date="date", no_future=("date",))
NURSING_VISIT = ClinicalKind[NursingVisitBase, NursingVisitRead](
    "nursing_visit", "nursing visit", NursingVisit, NursingVisitBase, NursingVisitRead,
    "nursing_visits", "nv", refs=(PATIENT, ORDER), listing_date="date", no_future=("date",))

# Every kind, in the interchange file's order: each one after the kinds it names.
KINDS: tuple[RecordKind[Any, Any], ...] = (
    PAYER, PRESCRIBER, PATIENT, ORDER, PLAN_OF_CARE, AUTHORIZATION, PREP_NOTE, DELIVERY,
    INFUSION, CARE_NOTE, NURSING_VISIT)
CLINICAL: tuple[ClinicalKind[Any, Any], ...] = tuple(
    k for k in KINDS if isinstance(k, ClinicalKind))
ATTACHABLE: tuple[RecordKind[Any, Any], ...] = tuple(k for k in KINDS if k.attachments)

_BY_KEY = {k.key: k for k in KINDS}
_BY_COLLECTION = {k.collection: k for k in KINDS}


def kind(key: str) -> RecordKind[Any, Any]:
    """The kind named `key` ("order"); KeyError for a name that is no record kind."""
    return _BY_KEY[key]


def clinical(key: str) -> ClinicalKind[Any, Any]:
    """The clinical kind named `key`; KeyError when it is not a clinical kind."""
    found = _BY_KEY[key]
    if not isinstance(found, ClinicalKind):
        raise KeyError(key)
    return found


def of_collection(collection: str) -> RecordKind[Any, Any]:
    """The kind an interchange collection holds ("orders" -> ORDER)."""
    return _BY_COLLECTION[collection]
