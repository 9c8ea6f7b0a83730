"""Change notices: what a transaction wrote (record kinds and their patients), so views know
whether to reread. Every write service leaves one on its session; the caller passes it on."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

# Kinds of change that are no record kind of the registry (whose keys are the others).
PHARMACY, ATTACHMENT, CLAIM = "pharmacy", "attachment", "claim"


@dataclass
class Changes:
    """What a transaction wrote: record kinds (registry keys, or the three above) and the
    patients they belong to."""

    kinds: set[str] = field(default_factory=set)
    patient_ids: set[str] = field(default_factory=set)

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


def changes_of(session: Session) -> Changes:
    return session.info.setdefault("perdiem_changes", Changes())


def note_change(session: Session, kind: str, patient_id: str | None = None) -> None:
    """Add a write of `kind` (for `patient_id`, when it has one) to the session's notice."""
    c = changes_of(session)
    c.kinds.add(kind)
    if patient_id:
        c.patient_ids.add(patient_id)
