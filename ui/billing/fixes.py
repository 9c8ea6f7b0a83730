"""From a billing reason to the form that fixes it, in one click.

`open_fix` opens the form of the record kind the reason is fixed in (`Reason.fixed_in`, a
registry key): the patient form for coverage reasons, otherwise that kind's record form for the
day's patient, order and date, on the saved record that fixes it when there is one
(models/billing/fixes.py). The forms load only when a fix is asked for, so this module (and the
calendar) load on their own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from models.billing.fixes import Involved, record_to_fix
from models.billing.rules import REASONS, DayResult
from models.records import registry
from models.records.registry import RecordKind
from models.security.access import clinical_read
from ui.shell.context import AppContext

# Button captions: what the click will do, in the user's words.
FIX_LABELS: dict[str, str] = {
    "no-infusion": "Record the infusion…",
    "no-active-order": "Edit the order…",
    "no-coverage": "Edit coverage…",
    "medicare-s-code": "Edit coverage…",
    "no-authorization": "Add authorization…",
    "authorization-exhausted": "Edit authorization…",
    "unsigned-order": "Record the signed date…",
    "order-signed-late": "Open the order…",
    "missing-plan-of-care": "Add plan of care…",
    "missing-prep-note": "Add preparation note…",
    "missing-delivery": "Add delivery…",
    "incomplete-mar": "Complete the infusion entry…",
    "missing-care-note": "Add care note…",
}
assert set(FIX_LABELS) == set(REASONS)


def fix_label(reason_code: str) -> str:
    return FIX_LABELS[reason_code]


def fix_target(ctx: AppContext, reason_code: str, day: DayResult
               ) -> tuple[RecordKind[Any, Any], dict[str, Any]]:
    """Which form fixes `reason_code` on `day`: (PATIENT, {...}) for the patient form (its
    coverages), otherwise (the record kind, keyword arguments) for `open_record_form`."""
    kind = registry.kind(REASONS[reason_code].fixed_in)
    if kind is registry.PATIENT:
        return kind, {"patient_id": day.patient_id}
    return kind, {
        "patient_id": day.patient_id,
        "record_id": ctx.read(clinical_read(ctx.actor,
                                            lambda s: record_to_fix(s, reason_code, day))),
        "order_id": day.order_id,
        "day": day.date,
    }


def open_fix(ctx: AppContext, parent: QWidget | None, reason_code: str,
             day_result: DayResult) -> bool:
    """Open the form that fixes `reason_code` for `day_result`.

    Returns what the form opener returns: True when the record form opened (it is not modal;
    its save announces itself through `ctx.data_changed`, which reloads the calendar) or when
    the patient form was saved; False when the form could not open or was cancelled."""
    kind, kwargs = fix_target(ctx, reason_code, day_result)
    if kind is registry.PATIENT:
        from ui.forms.patient_form import edit_patient

        return bool(edit_patient(ctx, parent, kwargs["patient_id"]))
    from ui.forms.record_forms import open_record_form

    return bool(open_record_form(ctx, parent, kind, **kwargs))


def open_involved(ctx: AppContext, parent: QWidget | None, involved: Involved,
                  day: DayResult) -> bool:
    """Open the saved record a reason is about (a delivery with the wrong year), to correct
    it instead of adding another."""
    from ui.forms.record_forms import open_record_form

    return bool(open_record_form(ctx, parent, registry.kind(involved.kind),
                                 patient_id=day.patient_id,
                                 record_id=involved.record_id))
