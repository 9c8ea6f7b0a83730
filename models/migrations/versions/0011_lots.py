"""lots (R28): the preparation note an infusion was given from, and a beyond-use hour

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 20:00:00.000000

`infusion.prep_note` (the id of a preparation note of the same order, the lot given from;
NULL: not named, R9/R10 as in Part 1) and `prep_note.beyond_use_time` (the USP 797 beyond-use
hour on beyond_use_date; NULL: the whole day). Both NULL on existing rows, which keeps every
existing result. No foreign key: the checks (models/records/checks.py) judge the note, as
they do for every other reference between clinical records.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prep_note', sa.String(length=64), nullable=True))
    with op.batch_alter_table('prep_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('beyond_use_time', sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('prep_note', schema=None) as batch_op:
        batch_op.drop_column('beyond_use_time')
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.drop_column('prep_note')
