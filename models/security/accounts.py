"""Staff accounts: passwords hashed with Argon2id (argon2-cffi, rehashed at the next login
when the parameters change), roles, and logins that grow slower after each failure and lock
the account after LOCK_AFTER failures in a row. Every login, failure and lock is in the audit
trail. Like every service: flush, never commit (a refused login still commits its failure:
the caller's unit_of_work ends normally and the refusal is returned, not raised)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from models.errors import DomainError, FieldError
from models.records.types import local
from models.security import audit
from models.security.permissions import (
    ACCOUNTS,
    ROLES,
    accounts_exist,
    authorize,
    find_account,
    roles_of,
)
from models.security.tables import StaffAccount

HASHER = PasswordHasher()  # Argon2id with argon2-cffi's current recommended parameters
LOCK_AFTER = 10  # failures in a row
MIN_PASSWORD = 10
MAX_DELAY = 60  # seconds


def delay_after(failures: int) -> int:
    """Seconds before the next attempt is heard, after `failures` in a row: 0, 1, 2, 4... 60."""
    return 0 if failures <= 0 else min(2 ** (failures - 1), MAX_DELAY)


@dataclass(frozen=True)
class AccountRead:
    username: str
    roles: list[str]
    active: bool
    locked: bool
    failed_logins: int


def _read(row: StaffAccount) -> AccountRead:
    return AccountRead(row.username, roles_of(row), row.active, row.locked, row.failed_logins)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"is shorter than {MIN_PASSWORD} characters"
    if password.strip() != password:
        return "begins or ends with a space"
    return None


def add_account(session: Session, *, actor: str, username: str, roles: list[str],
                password: str, hasher: PasswordHasher = HASHER) -> AccountRead:
    """A new active account. The first account of a database must be an administrator (it is
    the one that adds the others); after that only an administrator adds accounts."""
    first = not accounts_exist(session)
    if not first:
        authorize(session, actor, ACCOUNTS)
    name = username.strip()
    errors = []
    if not name or len(name) > 60 or any(c.isspace() or c == "," for c in name):
        errors.append(FieldError("username", "give 1 to 60 characters without spaces or commas"))
    elif find_account(session, name) is not None:
        errors.append(FieldError("username", f'"{name}" already exists'))
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        errors.append(FieldError("role", f"give one or more of {', '.join(ROLES)}"
                                 + (f" (not {', '.join(unknown)})" if unknown else "")))
    elif first and "administrator" not in roles:
        errors.append(FieldError("role", "the first account must be an administrator, who "
                                 "then adds the other staff"))
    if (problem := password_problem(password)) is not None:
        errors.append(FieldError("password", problem))
    if errors:
        from models.errors import ValidationFailed

        raise ValidationFailed(errors)
    row = StaffAccount(username=name, password_hash=hasher.hash(password),
                       roles=",".join(dict.fromkeys(roles)), created_by=actor,
                       created_at=dt.datetime.now().astimezone())
    session.add(row)
    session.flush()
    audit.record(session, actor if not first else name, audit.ACCOUNT,
                 detail=f"added {name} ({row.roles})")
    return _read(row)


def list_accounts(session: Session) -> list[AccountRead]:
    return [_read(r) for r in session.exec(select(StaffAccount).order_by(StaffAccount.username))]


def _get(session: Session, username: str) -> StaffAccount:
    row = find_account(session, username)
    if row is None:
        raise DomainError(f'username: "{username}" is not a PerDiem account')
    return row


def set_active(session: Session, *, actor: str, username: str, active: bool) -> AccountRead:
    """Disable an account, or enable it again (which also lifts a lock-out)."""
    authorize(session, actor, ACCOUNTS)
    row = _get(session, username)
    if not active and row.username == actor:
        raise DomainError("username: you cannot disable the account you are using")
    row.active = active
    if active:
        row.locked, row.failed_logins, row.last_failed_at = False, 0, None
    session.add(row)
    session.flush()
    audit.record(session, actor, audit.ACCOUNT,
                 detail=f"{'enabled' if active else 'disabled'} {row.username}")
    return _read(row)


class LoginRefused(DomainError):
    """A login was refused; the message says why without saying which part was wrong."""


@dataclass(frozen=True)
class LoginResult:
    username: str | None  # the account's own spelling, when the login succeeded
    refused: str | None  # why not, in words


_DUMMY: dict[str, str] = {}


def _spend(hasher: PasswordHasher, password: str) -> None:
    """Verify against a hash of nothing, taking the time a real check takes."""
    key = f"{hasher.time_cost}/{hasher.memory_cost}/{hasher.parallelism}"
    dummy = _DUMMY.setdefault(key, hasher.hash("not any staff member's password"))
    try:
        hasher.verify(dummy, password)
    except (VerificationError, InvalidHashError):
        pass


def login(session: Session, username: str, password: str, *, now: dt.datetime | None = None,
          hasher: PasswordHasher = HASHER) -> LoginResult:
    """Check a username and password; every outcome is recorded in the audit trail. An
    attempt within the delay the last failure earned is refused unheard (and not counted)."""
    now = local(now) if now is not None else dt.datetime.now().astimezone()
    row = find_account(session, username)
    if row is None:
        _spend(hasher, password)  # as long as a wrong password: no hint that a name exists
        audit.record(session, username or "?", audit.LOGIN_FAILED, detail="unknown username",
                     at=now)
        return LoginResult(None, "The username or password is wrong.")
    if not row.active or row.locked:
        why = "disabled" if not row.active else f"locked after {LOCK_AFTER} failed logins"
        audit.record(session, row.username, audit.LOGIN_FAILED, detail=f"account {why}", at=now)
        return LoginResult(None, f"The account {row.username} is {why}; an administrator can "
                           "enable it (users enable).")
    wait = delay_after(row.failed_logins)
    if row.last_failed_at is not None and now < row.last_failed_at + dt.timedelta(seconds=wait):
        left = (row.last_failed_at + dt.timedelta(seconds=wait) - now).total_seconds()
        audit.record(session, row.username, audit.LOGIN_FAILED, detail="too soon after a "
                     "failure", at=now)
        secs = max(1, round(left))
        return LoginResult(None, f"Too soon after a failed login: wait {secs} "
                           f"second{'s' if secs != 1 else ''}, then try again.")
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        row.failed_logins += 1
        row.last_failed_at = now
        if row.failed_logins >= LOCK_AFTER:
            row.locked = True
        session.add(row)
        audit.record(session, row.username, audit.LOGIN_FAILED,
                     detail=f"wrong password ({row.failed_logins} in a row)", at=now)
        if row.locked:
            audit.record(session, row.username, audit.LOCKED_OUT,
                         detail=f"{LOCK_AFTER} failed logins in a row", at=now)
            return LoginResult(None, f"The account {row.username} is now locked after "
                               f"{LOCK_AFTER} failed logins; an administrator can enable it.")
        return LoginResult(None, "The username or password is wrong.")
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hasher.hash(password)
    row.failed_logins, row.last_failed_at = 0, None
    session.add(row)
    audit.record(session, row.username, audit.LOGIN, at=now)
    return LoginResult(row.username, None)
