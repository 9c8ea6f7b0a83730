"""Who is acting, for a command or the app: the OS user while a database has no staff
accounts, otherwise an account that has just given its password (accounts.login)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from models.db import snapshot, unit_of_work
from models.errors import DomainError
from models.security.accounts import login
from models.security.permissions import accounts_exist


class SignInRequired(DomainError):
    """The database has staff accounts and no (or a refused) username and password."""


def has_accounts(engine: Engine) -> bool:
    with snapshot(engine) as session:
        return accounts_exist(session)


def sign_in(engine: Engine, username: str | None, password: Callable[[], str],
            os_user: str) -> str:
    """The acting name: `username` (or `os_user`) while there are no accounts; else the
    account's name once `password()` is accepted, the attempt recorded either way."""
    if not has_accounts(engine):
        return username or os_user
    if not username:
        raise SignInRequired("this database has staff accounts: give --user NAME (the password "
                             "is asked on the terminal, or read from PERDIEM_PASSWORD)")
    given = password()
    with unit_of_work(engine) as session:
        result = login(session, username, given)
    if result.username is None:
        raise SignInRequired(result.refused or "the login was refused")
    return result.username
