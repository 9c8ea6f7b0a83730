"""claim batch status: a batch is recorded pending, its files written, then completed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:00:00.000000

A crash between writing a claim file and recording its batch left claims on disk that the
next export billed again (issue 13). A batch is now recorded first as `pending` with the path
and SHA-256 of each file it writes, and completed once they are on disk; opening the database
settles a pending batch (models/claims/batch_files.py). Batches recorded before this revision
were recorded after their files were written: they are completed.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claim_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      server_default='completed', nullable=False))
        batch_op.add_column(sa.Column('files', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claim_batch', schema=None) as batch_op:
        batch_op.drop_column('files')
        batch_op.drop_column('status')
