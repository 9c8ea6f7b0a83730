"""compound orders (issue 15, part 3): an order's components besides its drug

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 23:30:00.000000

`orders.components`: a JSON list of the order's components (models/records/components.py), a
TPN formula's amino acids, dextrose, lipids... each with its quantity per day or per bag. Every
existing order gets `[]`: its drug stays its one component (billed by the dose given, R21, from
the drug fields it already has), so an existing single-drug order bills exactly what it did.
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('components', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('components')
