"""nursing visits (R34): the `nursing_visit` table, a versioned clinical record

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:57:42.829582

New tables only: `nursing_visit` (patient, order, date, start and end time, nurse, visit
type, note, the MAR entries given during the visit, R26's late entry reason, and the clinical
records' version metadata) and `claim_visit` (the visits a claim bills, as claim_day holds its
days), so it can follow any revision that leaves `patient`, `orders` and `claim` in place:
the lead renumbers the chain at merge.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

from models.records.types import Timestamp  # UTC moments on both engines (0012)


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nursing_visit',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('recorded_at', Timestamp(), nullable=True),
    sa.Column('change_reason', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('first_recorded_at', Timestamp(), nullable=True),
    sa.Column('first_recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60),
              nullable=True),
    sa.Column('imported_from', sqlmodel.sql.sqltypes.AutoString(length=260),
              nullable=True),
    sa.Column('imported_at', Timestamp(), nullable=True),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('patient_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('nurse', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('visit_type', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('infusions', sa.JSON(), nullable=False),
    sa.Column('late_entry_reason', sqlmodel.sql.sqltypes.AutoString(length=4000),
              nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('nursing_visit', schema=None) as batch_op:
        batch_op.create_index('ix_nursing_visit_patient_id_voided_date',
                              ['patient_id', 'voided', 'date'], unique=False)
    op.create_table('claim_visit',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['nursing_visit.id'], ),
    sa.PrimaryKeyConstraint('pk')
    )
    with op.batch_alter_table('claim_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_visit_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_visit_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('claim_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_visit_visit_id'))
        batch_op.drop_index(batch_op.f('ix_claim_visit_claim_id'))
    op.drop_table('claim_visit')
    with op.batch_alter_table('nursing_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_nursing_visit_patient_id_voided_date')

    op.drop_table('nursing_visit')
