"""The audit rows of the GUI's billing reads (issue 12): a patient's billing calendar and the
pharmacy's billing month, each recorded once when a month (of a patient) is first shown, not
at every re-read a change brings; as `perdiem billable-days` and `perdiem month` record theirs
(models/security/access.billing_viewed: who, the period, the patient if one)."""

from __future__ import annotations

import calendar
import datetime as dt

from models.errors import DomainError
from models.security.access import billing_viewed
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp


def month_last(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def record_billing_view(ctx: AppContext, action: str, first: dt.date,
                        patient_id: str | None = None, detail: str = "",
                        last: dt.date | None = None) -> None:
    """One row after the read, in its own transaction on a pool thread (a view runs no SQL on
    the GUI thread); a window opened read-only (another PerDiem writes) cannot record it,
    and goes on, as it does when the row cannot be written (the view was already read)."""
    actor = ctx.actor
    try:
        WriteOp(ctx, lambda s: billing_viewed(s, actor=actor, action=action, start=first,
                                              end=last or month_last(first),
                                              patient_id=patient_id,
                                              detail=detail)
                ).run_in_background(on_error=lambda _exc: None)
    except DomainError:
        pass
