"""Staff accounts for the security tests: one per role on the example pharmacy, hashed with
cheap Argon2 parameters where no login is tested (the permission matrix)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from models.db import unit_of_work
from models.security import accounts
from models.security.permissions import ROLES

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse 1"


@pytest.fixture
def staffed(example_engine):
    """The example pharmacy with an administrator and one account per other role, named
    after the role."""
    with unit_of_work(example_engine) as session:
        accounts.add_account(session, actor="setup", username="administrator",
                             roles=["administrator"], password=PASSWORD, hasher=CHEAP)
        for role in ROLES:
            if role != "administrator":
                accounts.add_account(session, actor="administrator", username=role,
                                     roles=[role], password=PASSWORD, hasher=CHEAP)
    return example_engine
