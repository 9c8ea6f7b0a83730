"""late entries (R26) and the pharmacy's audit settings (R26, R27)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:30:00.000000

Every clinical record gets `late_entry_reason` (part of the record, kept in each version),
`first_recorded_at` / `first_recorded_by` (its FIRST save: the interchange's recorded_at and
recorded_by; the existing recorded_at / recorded_by stay the current version's), and
`imported_from` / `imported_at` (the file an imported record came from). Existing rows get
their first save from their first version in record_version. The pharmacy gets
`late_entry_days` (1) and `order_signature` (before-claim), which leave Part 1 unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# table -> the record kind its history rows name
CLINICAL = {'orders': 'order', 'plan_of_care': 'plan_of_care', 'prep_note': 'prep_note',
            'delivery': 'delivery', 'infusion': 'infusion', 'care_note': 'care_note'}


def upgrade() -> None:
    for table, kind in CLINICAL.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('late_entry_reason', sa.String(length=4000),
                                          nullable=True))
            batch_op.add_column(sa.Column('first_recorded_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('first_recorded_by', sa.String(length=60),
                                          nullable=True))
            batch_op.add_column(sa.Column('imported_from', sa.String(length=260),
                                          nullable=True))
            batch_op.add_column(sa.Column('imported_at', sa.DateTime(), nullable=True))
        for column in ('recorded_at', 'recorded_by'):
            op.execute(
                f'UPDATE "{table}" SET first_{column} = ('
                f'SELECT v.{column} FROM record_version v WHERE v.kind = \'{kind}\' '
                f'AND v.record_id = "{table}".id ORDER BY v.version LIMIT 1)')
    with op.batch_alter_table('pharmacy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_entry_days', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('order_signature', sa.String(length=20), nullable=False,
                                      server_default='before-claim'))


def downgrade() -> None:
    with op.batch_alter_table('pharmacy', schema=None) as batch_op:
        batch_op.drop_column('order_signature')
        batch_op.drop_column('late_entry_days')
    for table in CLINICAL:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ('imported_at', 'imported_from', 'first_recorded_by',
                           'first_recorded_at', 'late_entry_reason'):
                batch_op.drop_column(column)
