"""Transitional: the record services under the names and string kinds they had before issue 9
split this module by role. Nothing in models/, reports/ or main.py imports it; it is kept only
while the GUI and test branches of issue 9 still call it, and goes once they are merged.

New code imports the role modules: reference.py (pharmacy, payers, prescribers, patients,
authorizations), clinical.py (versioned records, typed by the registry's kinds), checks.py,
history.py, changes.py, rows.py and models/billing/loading.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, SQLModel

from models.billing.loading import (  # noqa: F401 - the names callers still use
    authorization_usage,
    billable_days,
    billing_period,
    load_billing_data,
)
from models.records import clinical, registry
from models.records import rows as _rows
from models.records.changes import Changes, changes_of, note_change  # noqa: F401
from models.records.checks import (  # noqa: F401
    X12_ID_RE,
    check_authorization,
    check_care_note,
    check_delivery,
    check_infusion,
    check_order,
    check_patient,
    check_payer,
    check_pharmacy,
    check_plan_of_care,
    check_prep_note,
    check_prescriber,
)
from models.records.clinical import last_nurse  # noqa: F401
from models.records.history import history  # noqa: F401
from models.records.reference import (  # noqa: F401
    active_patient_ids,
    get_patient,
    get_payer,
    get_pharmacy,
    get_prescriber,
    list_authorizations,
    list_patients,
    list_payers,
    list_prescribers,
    save_authorization,
    save_patient,
    save_payer,
    save_pharmacy,
    save_prescriber,
)
from models.records.rows import count_records  # noqa: F401

LABELS = {k.key: k.label for k in registry.KINDS}
CLINICAL = {k.key: (k.table, k.base, k.read) for k in registry.CLINICAL}


def new_id(session: Session, kind: str) -> str:
    return _rows.new_id(session, registry.kind(kind))


def create_record(session: Session, *, actor: str, kind: str, data: SQLModel,
                  recorded_at: dt.datetime | None = None, form_checks: bool = True) -> Any:
    return clinical.create_record(session, actor=actor, kind=registry.clinical(kind), data=data,
                                  recorded_at=recorded_at, form_checks=form_checks)


def edit_record(session: Session, *, actor: str, kind: str, record_id: str, data: SQLModel,
                reason: str, recorded_at: dt.datetime | None = None) -> Any:
    return clinical.edit_record(session, actor=actor, kind=registry.clinical(kind),
                                record_id=record_id, data=data, reason=reason,
                                recorded_at=recorded_at)


def void_record(session: Session, *, actor: str, kind: str, record_id: str, reason: str,
                recorded_at: dt.datetime | None = None) -> Any:
    return clinical.void_record(session, actor=actor, kind=registry.clinical(kind),
                                record_id=record_id, reason=reason, recorded_at=recorded_at)


def get_record(session: Session, kind: str, record_id: str) -> Any:
    return clinical.get_record(session, registry.clinical(kind), record_id)


def list_records(session: Session, kind: str, *, patient_id: str | None = None,
                 order_id: str | None = None, include_voided: bool = False) -> list[Any]:
    return clinical.list_records(session, registry.clinical(kind), patient_id=patient_id,
                                 order_id=order_id, include_voided=include_voided)


