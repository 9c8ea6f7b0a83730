"""Claims are made from the example with its pharmacy's ZIP+4 (issue 11: a 5-digit billing
provider ZIP refuses every claim); tests of that refusal set the ZIP back themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.support.databases import billing_ready


@pytest.fixture
def example_engine(example_engine: Engine) -> Engine:
    return billing_ready(example_engine)
