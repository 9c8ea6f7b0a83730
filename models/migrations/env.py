"""Alembic environment: runs PerDiem's migrations on the engine handed over by models.db."""

from alembic import context
from sqlmodel import SQLModel

import models.records.tables  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    context.run_migrations()
