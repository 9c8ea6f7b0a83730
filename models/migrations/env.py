"""Alembic environment: runs PerDiem's migrations on the connection (or engine) from models.db.

models.db.upgrade hands over a connection inside its own transaction (BEGIN IMMEDIATE, DDL
included), so every migration of one upgrade commits together or not at all; the engine is
used only when alembic is run on its own (e.g. autogenerate).
"""

from alembic import context
from sqlmodel import SQLModel

import models.records.tables  # noqa: F401

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with config.attributes["engine"].begin() as connection:
        _run(connection)
