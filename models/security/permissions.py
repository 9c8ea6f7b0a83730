"""The one permission table: what each role may do, enforced by the services themselves
(`authorize`), not only by the buttons the GUI shows.

A database without staff accounts works as before accounts existed: the acting name is
taken as given (the OS user) and every action is allowed. Once one account exists, the
acting name must be an active account whose roles allow the action; otherwise
`PermissionDenied`, which names who, what and which roles may. The services trust the name
they are given: the command line and the GUI authenticate it first (models/security/accounts)."""

from __future__ import annotations

from sqlmodel import Session, func, select

from models.errors import DomainError
from models.security.tables import StaffAccount

# actions, worded to complete "may not ..."
VIEW_CLINICAL = "open patients' clinical records"
RECORD_ORDER = "record or amend orders and plans of care"
RECORD_PREP = "record or amend preparation notes"
RECORD_DELIVERY = "record or amend deliveries"
RECORD_MAR = "record or amend MAR (infusion) entries"
RECORD_CARE_NOTE = "record or amend care coordination notes"
RECORD_VISIT = "record or amend nursing visits"
EDIT_REFERENCE = "change patients, coverages, payers, prescribers, authorizations or the pharmacy"
ATTACH = "attach scanned documents"
PACKETS = "print or save documentation packets"
CLAIMS = "prepare, correct or void claims"
IMPORT = "import interchange files or demo data"
EXPORT = "export the pharmacy's records"
BACKUP = "back up or restore the database"
ACCOUNTS = "manage staff accounts"
AUDIT = "read the audit trail"

ACTIONS = (VIEW_CLINICAL, RECORD_ORDER, RECORD_PREP, RECORD_DELIVERY, RECORD_MAR,
           RECORD_CARE_NOTE, RECORD_VISIT, EDIT_REFERENCE, ATTACH, PACKETS, CLAIMS, IMPORT,
           EXPORT, BACKUP, ACCOUNTS, AUDIT)

PERMISSIONS: dict[str, frozenset[str]] = {
    "pharmacist": frozenset({VIEW_CLINICAL, RECORD_ORDER, RECORD_PREP, RECORD_DELIVERY,
                             RECORD_MAR, RECORD_CARE_NOTE, RECORD_VISIT, EDIT_REFERENCE, ATTACH,
                             PACKETS, IMPORT, EXPORT}),
    "nurse": frozenset({VIEW_CLINICAL, RECORD_MAR, RECORD_CARE_NOTE, RECORD_VISIT,
                        RECORD_DELIVERY, ATTACH}),
    "technician": frozenset({VIEW_CLINICAL, RECORD_PREP, RECORD_DELIVERY, ATTACH}),
    "billing": frozenset({VIEW_CLINICAL, EDIT_REFERENCE, ATTACH, PACKETS, CLAIMS, EXPORT}),
    # manages accounts and the database; sees no clinical record unless also given a
    # clinical role
    "administrator": frozenset({ACCOUNTS, AUDIT, BACKUP}),
}
ROLES = tuple(PERMISSIONS)

# the action that records (creates, amends, voids) each clinical kind (registry keys)
RECORDING = {"order": RECORD_ORDER, "plan_of_care": RECORD_ORDER, "prep_note": RECORD_PREP,
             "delivery": RECORD_DELIVERY, "infusion": RECORD_MAR, "care_note": RECORD_CARE_NOTE,
             "nursing_visit": RECORD_VISIT}

_CACHE = "perdiem_authorized"


class PermissionDenied(DomainError):
    """The acting account may not do this; the message says who, what, and which roles may."""


def roles_of(account: StaffAccount) -> list[str]:
    return [r for r in account.roles.split(",") if r]


def allowed(roles: list[str] | tuple[str, ...], action: str) -> bool:
    return any(action in PERMISSIONS.get(r, ()) for r in roles)


def roles_allowed(action: str) -> list[str]:
    return [r for r in ROLES if action in PERMISSIONS[r]]


def accounts_exist(session: Session) -> bool:
    return (session.exec(select(func.count()).select_from(StaffAccount)).one() or 0) > 0


def find_account(session: Session, username: str) -> StaffAccount | None:
    return session.exec(select(StaffAccount).where(
        func.lower(StaffAccount.username) == username.strip().lower())).first()


def authorize(session: Session, actor: str, action: str) -> None:
    """Refuse (`PermissionDenied`) unless `actor` may do `action`; allowed while the
    database has no accounts. Remembered for the session's life (an import checks once)."""
    cache = session.info.setdefault(_CACHE, set())
    if (actor, action) in cache:
        return
    if accounts_exist(session):
        account = find_account(session, actor)
        if account is None or not account.active or account.locked:
            state = ("is not a PerDiem account" if account is None
                     else "is disabled" if not account.active else "is locked")
            raise PermissionDenied(f'"{actor}" {state}: only an active staff account may '
                                   f"{action}.")
        if not allowed(roles_of(account), action):
            raise PermissionDenied(
                f"{account.username} ({', '.join(roles_of(account))}) may not {action}; "
                f"that takes the role {' or '.join(roles_allowed(action))}.")
    cache.add((actor, action))
