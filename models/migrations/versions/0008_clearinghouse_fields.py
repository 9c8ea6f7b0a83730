"""claims a clearinghouse and a payer accept (issue 11): the payer's claim filing indicator
(R33), a workers' compensation coverage's employer claim number and injury date, the drug's
NDC billing unit, package quantity and single-dose flag, the MAR entry's wasted amount, and
each claim's snapshot (what was sent, for copies and voids).

Self-contained: only adds nullable columns (and one with a default), so it can follow any
revision that leaves these tables as 0006 does.

Revision ID: 0008
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import models.records.tables


revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_filing_indicator',
                                      sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employer_claim_number',
                                      sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch_op.add_column(sa.Column('injury_date', sa.Date(), nullable=True))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drug_billing_unit',
                                      sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
        batch_op.add_column(sa.Column('drug_package_quantity', models.records.tables.DecimalText(length=32),
                                      nullable=True))
        batch_op.add_column(sa.Column('drug_single_dose', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wasted', models.records.tables.DecimalText(length=32), nullable=True))
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
    with op.batch_alter_table('infusion', schema=None) as batch_op:
        batch_op.drop_column('wasted')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('drug_single_dose')
        batch_op.drop_column('drug_package_quantity')
        batch_op.drop_column('drug_billing_unit')
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.drop_column('injury_date')
        batch_op.drop_column('employer_claim_number')
    with op.batch_alter_table('payer', schema=None) as batch_op:
        batch_op.drop_column('claim_filing_indicator')
