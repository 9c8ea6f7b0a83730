"""one set of column types on both engines (issue 14): moments in UTC, exact numeric money;
a day is never claimed twice (claim_day.in_force and its partial unique index)

Revision ID: 0012
Revises: 0011

models/records/types.py defines the types. What changes in the database:

- SQLite: every moment (recorded_at, created_at, added_at, ...) was stored as local wall time
  without an offset; it is rewritten as UTC (each value taken as this computer's local time,
  as PerDiem wrote it). Read back, each is the same moment in local time, so every date and
  hour shown is unchanged. The audit trail is append-only: its triggers are dropped for the
  rewrite and created again in the same transaction (its hashes are over local wall time,
  which does not change). Money stays text (exact).
- PostgreSQL: the moments become `timestamptz` and money `numeric` (the older migrations
  made `timestamp` and `varchar(32)`).
- Both: `claim_day.in_force`, true where the day's claim bills it now (not replaced by a later
  claim, not a void), and a unique index over (order_id, date) of those rows: the database
  itself refuses a day claimed twice (models/claims/batches.py).
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CLINICAL = ('orders', 'plan_of_care', 'prep_note', 'delivery', 'infusion', 'care_note')
MOMENTS = {
    **{t: ('recorded_at', 'first_recorded_at', 'imported_at') for t in CLINICAL},
    'record_version': ('recorded_at',),
    'claim_batch': ('created_at',),
    'attachment': ('added_at', 'voided_at'),
    'staff_account': ('last_failed_at', 'created_at'),
    'audit_event': ('at',),
}
MONEY = {
    'orders': ('drug_hcpcs_unit_amount', 'drug_unit_charge', 'drug_package_quantity',
               'per_diem_rate'),
    'infusion': ('dose_given', 'wasted'),
    'claim': ('total_charge',),
}
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)


def _moved(text: str, to_utc: bool) -> str:
    """A stored moment between naive local wall time and naive UTC, as SQLAlchemy writes it."""
    moment = dt.datetime.fromisoformat(text)
    if to_utc:
        shifted = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    else:
        shifted = moment.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
    return shifted.isoformat(sep=" ", timespec="microseconds")


def _shift(to_utc: bool) -> None:
    """SQLite: rewrite every moment between local wall time and UTC (text either way)."""
    conn = op.get_bind()
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    moved: dict[str, str] = {}
    for table, columns in MOMENTS.items():
        for column in columns:
            found = conn.exec_driver_sql(
                f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').all()
            changes = []
            for rowid, text in found:
                if text not in moved:
                    moved[text] = _moved(text, to_utc)
                if moved[text] != text:  # by rowid: a shifted value may equal another's old one
                    changes.append((moved[text], rowid))
            if changes:
                conn.exec_driver_sql(
                    f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', changes)
    for sql in SQLITE_TRIGGERS:
        op.execute(sql)


def _claimed_days_in_force() -> None:
    with op.batch_alter_table('claim_day', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_force', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    op.execute("UPDATE claim_day SET in_force = FALSE WHERE claim_id IN (SELECT id FROM claim "
               "WHERE frequency_code = '8' OR id IN (SELECT replaces_claim_id FROM claim "
               "WHERE replaces_claim_id IS NOT NULL))")
    op.create_index('ux_claim_day_in_force', 'claim_day', ['order_id', 'date'], unique=True,
                    sqlite_where=sa.text('in_force'), postgresql_where=sa.text('in_force'))


def upgrade() -> None:
    _claimed_days_in_force()
    if op.get_bind().dialect.name == "sqlite":
        _shift(to_utc=True)
        return
    for table, columns in MOMENTS.items():
        for column in columns:  # the session's time zone: the local time they were written in
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamptz '
                       f'USING "{column}"::timestamptz')
    for table, columns in MONEY.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE numeric '
                       f'USING NULLIF("{column}", \'\')::numeric')


def downgrade() -> None:
    op.drop_index('ux_claim_day_in_force', table_name='claim_day')
    with op.batch_alter_table('claim_day', schema=None) as batch_op:
        batch_op.drop_column('in_force')
    if op.get_bind().dialect.name == "sqlite":
        _shift(to_utc=False)
        return
    for table, columns in MOMENTS.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE timestamp')
    for table, columns in MONEY.items():
        for column in columns:
            op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar(32) '
                       f'USING "{column}"::text')

