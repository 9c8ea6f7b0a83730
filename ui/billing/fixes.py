"""From a billing reason to the form that fixes it, in one click.

`open_fix` looks at where a reason is fixed (`Reason.fixed_in`) and opens that form for the
day's patient, order and date. The forms live in modules other engineers own, imported only when
a fix is asked for so this module (and the calendar) load on their own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from models.billing import rules
from models.billing.rules import REASONS, DayResult
from models.records import services

# Button captions: what the click will do, in the user's words.
FIX_LABELS: dict[str, str] = {
    "no-infusion": "Record the infusion…",
    "no-active-order": "Edit the order…",
    "no-coverage": "Edit coverage…",
    "medicare-s-code": "Edit coverage…",
    "no-authorization": "Add authorization…",
    "authorization-exhausted": "Edit authorization…",
    "unsigned-order": "Record the signed date…",
    "missing-plan-of-care": "Add plan of care…",
    "missing-prep-note": "Add preparation note…",
    "missing-delivery": "Add delivery…",
    "incomplete-mar": "Complete the infusion entry…",
    "missing-care-note": "Add care note…",
}
assert set(FIX_LABELS) == set(REASONS)


def fix_label(reason_code: str) -> str:
    return FIX_LABELS[reason_code]


def fix_target(ctx: Any, reason_code: str, day: DayResult) -> tuple[str, dict[str, Any]]:
    """Which form fixes `reason_code` on `day`: ("patient", {...}) for the patient form (its
    coverages), otherwise (kind, keyword arguments) for `open_record_form`."""
    reason = REASONS[reason_code]
    kind = reason.fixed_in
    if kind == "coverage":
        return "patient", {"patient_id": day.patient_id}
    kwargs: dict[str, Any] = {
        "patient_id": day.patient_id,
        "record_id": None,
        "order_id": day.order_id,
        "day": day.date,
    }
    if kind == "order":
        kwargs["record_id"] = day.order_id
    elif reason_code == "incomplete-mar":
        kwargs["record_id"] = ctx.read(lambda s: _incomplete_entry(s, day))
    elif reason_code == "authorization-exhausted":
        # more units go on the authorization that ran out, not on a new one
        kwargs["record_id"] = ctx.read(lambda s: _exhausted_authorization(s, day))
    return kind, kwargs


def open_fix(ctx: Any, parent: QWidget | None, reason_code: str, day_result: DayResult) -> bool:
    """Open the form that fixes `reason_code` for `day_result`.

    Returns what the form opener returns: True when the record form opened (it is not modal;
    its save announces itself through `ctx.data_changed`, which reloads the calendar) or when
    the patient form was saved; False when the form could not open or was cancelled."""
    kind, kwargs = fix_target(ctx, reason_code, day_result)
    if kind == "patient":
        from ui.forms.patient_form import edit_patient

        return bool(edit_patient(ctx, parent, kwargs["patient_id"]))
    from ui.forms.record_forms import open_record_form

    return bool(open_record_form(ctx, parent, kind, **kwargs))


def _incomplete_entry(session: Any, day: DayResult) -> str | None:
    """The administered infusion entry of that order and day missing a field R11 asks for."""
    for e in services.list_records(session, "infusion", order_id=day.order_id):
        # the rules' own completeness test, so the form opened is the entry R11 flagged
        if e.date == day.date and e.administered and not rules.mar_complete(e):
            return e.id
    return None


def _exhausted_authorization(session: Any, day: DayResult) -> str | None:
    """The covering authorization for the day's payer and code that started last (R13)."""
    covering = [
        a
        for a in services.list_authorizations(session, day.patient_id)
        if a.payer_id == day.payer_id and a.code == day.code and a.covers(day.date)
    ]
    return covering[-1].id if covering else None
