"""payers' contracts (R29-R32) and the pharmacy's price list

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 23:00:00.000000

Per payer: `per_diem_basis` (infusion-days | access-days, R29), `suite_place_of_service`
(12 | 49, R30), `line_layout` (runs | month, R31) and `rates` (R32, a JSON list of
{code, rate, expected}); per order `dosing_interval_days` (R29); for the pharmacy `prices`
(its usual and customary charge per code, a JSON list of {code, charge}). Existing rows get
the defaults, which are Part 1 of the rule book as written: every result stays the same.
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('per_diem_basis', sa.String(length=20), nullable=False,
                                      server_default='infusion-days'))
        batch_op.add_column(sa.Column('suite_place_of_service', sa.String(length=2),
                                      nullable=False, server_default='12'))
        batch_op.add_column(sa.Column('line_layout', sa.String(length=10), nullable=False,
                                      server_default='runs'))
        batch_op.add_column(sa.Column('rates', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dosing_interval_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('pharmacy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prices', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('pharmacy', schema=None) as batch_op:
        batch_op.drop_column('prices')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('dosing_interval_days')
    with op.batch_alter_table('payer', schema=None) as batch_op:
        for column in ('rates', 'line_layout', 'suite_place_of_service', 'per_diem_basis'):
            batch_op.drop_column(column)
