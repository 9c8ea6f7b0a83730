"""attachments: scanned documents stored with their SHA-256 for the documentation packets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 03:14:29.989349
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('patient_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('record_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('added_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('voided_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_voided'), ['voided'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_voided'))
        batch_op.drop_index(batch_op.f('ix_attachment_patient_id'))

    op.drop_table('attachment')
