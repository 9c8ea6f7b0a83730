"""staff accounts and the audit trail (issue 12): who may do what, and who did what.

Self-contained: only adds two new tables and the triggers that keep the audit trail
append-only, so it can follow any revision.

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)
# PostgreSQL (issue 14): the same refusal, as a trigger function
APPEND_ONLY_PG = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)


def upgrade() -> None:
    op.create_table(
        'staff_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=True),
        sa.Column('locked', sa.Boolean(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_account_username', 'staff_account', ['username'], unique=True)
    op.create_table(
        'audit_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('patient_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('record_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_event_at', 'audit_event', ['at'])
    op.create_index('ix_audit_event_username', 'audit_event', ['username'])
    op.create_index('ix_audit_event_patient_id', 'audit_event', ['patient_id'])
    postgres = op.get_bind().dialect.name == "postgresql"
    for sql in APPEND_ONLY_PG if postgres else APPEND_ONLY:
        op.execute(sql)


def downgrade() -> None:
    on = " ON audit_event" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_update{on}")
    op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_delete{on}")
    op.drop_table('audit_event')
    op.drop_index('ix_staff_account_username', table_name='staff_account')
    op.drop_table('staff_account')
